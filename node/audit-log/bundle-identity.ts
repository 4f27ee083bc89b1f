// The signing keys of an organisation named in an audit bundle (a witness, an eraser): those of
// its identity document as pinned by the node, and of the documents it had before one with
// another key replaced them (`earlier`: after a re-invitation that followed a key revocation,
// what it signed with the old key is checked with that key).
import { verifyIdentityDocument } from '../identity/document.js';
import type { OkpPublicJwk } from '../identity/keys.js';

export interface BundleIdentity {
  node_id: string;
  identity: string;
  earlier?: string[];
}

export type BundleIdentityKeys = { ok: true; keys: OkpPublicJwk[] } | { ok: false; reason: string };

export async function keysOfBundleIdentity(entry: BundleIdentity): Promise<BundleIdentityKeys> {
  // Expiry does not matter: a document is only where the keys come from, checked long after.
  const current = await verifyIdentityDocument(entry.identity, 0, entry.node_id, 'evidence');
  if (!current.ok) return { ok: false, reason: current.reason };
  const keys = new Map<string, OkpPublicJwk>();
  for (const document of Array.isArray(entry.earlier) ? entry.earlier : []) {
    const earlier = typeof document === 'string' ? await verifyIdentityDocument(document, 0, entry.node_id, 'evidence') : undefined;
    if (earlier?.ok) for (const key of earlier.identity.signingKeys) keys.set(key.kid, key);
  }
  for (const key of current.identity.signingKeys) keys.set(key.kid, key);
  return { ok: true, keys: [...keys.values()] };
}
