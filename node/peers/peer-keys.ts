// A peer's signing keys after a rotation. What the peer signs from now on must be signed with the
// key pinned here; what it signed before (receipts, erasure statements, checkpoints, in an
// envelope that waited in a queue) stays checkable with the earlier keys of its continuity chain,
// which its identity document carries (identity/continuity.ts), and the documents it had before a
// rotation are kept for audit bundles.
import type { Selectable } from 'kysely';
import { decodeJwt } from 'jose';
import type { Db, Tx } from '../db/database.js';
import type { PeersTable } from '../db/schema.js';
import type { KeyContinuityClaims, KeyContinuityStatement } from '../identity/continuity.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { BoundedCache } from '../util/bounded-cache.js';

/**
 * Every signing key of the peer known here, by kid: the pinned one and those before it in the
 * chain of the identity document held (verified when it was accepted).
 */
export function peerSigningKeys(peer: Pick<Selectable<PeersTable>, 'signing_jwk' | 'identity_jws'>): ReadonlyMap<string, OkpPublicJwk> {
  // Read from the peer's document once, not at each receipt: a verified document never changes,
  // and a new one is another key here.
  return keyChains.get(`${peer.signing_jwk}\n${peer.identity_jws}`, () => readSigningKeys(peer));
}

const keyChains = new BoundedCache<string, ReadonlyMap<string, OkpPublicJwk>>(1_024);

function readSigningKeys(peer: Pick<Selectable<PeersTable>, 'signing_jwk' | 'identity_jws'>): ReadonlyMap<string, OkpPublicJwk> {
  const pinned = JSON.parse(peer.signing_jwk) as OkpPublicJwk;
  const keys = new Map<string, OkpPublicJwk>();
  let continuity: KeyContinuityStatement[] = [];
  try {
    continuity = (decodeJwt(peer.identity_jws) as { continuity?: KeyContinuityStatement[] }).continuity ?? [];
  } catch {
    // A document held is always a verified JWS; without one, the pinned key is all there is.
  }
  for (const statement of continuity) {
    const claims = JSON.parse(Buffer.from(statement.payload, 'base64url').toString('utf8')) as KeyContinuityClaims;
    keys.set(claims.previous.kid, claims.previous);
    keys.set(claims.next.kid, claims.next);
  }
  keys.set(pinned.kid, pinned);
  return keys;
}

/**
 * Keeps the identity document a peer had before one with another signing key replaced it: what it
 * signed with the earlier key (cosignatures, erasure statements) stays checkable in audit bundles.
 */
export async function keepReplacedIdentity(tx: Tx, peer: Pick<Selectable<PeersTable>, 'id' | 'signing_kid' | 'identity_jws'>, at: string): Promise<void> {
  await tx
    .insertInto('peer_identity_history')
    .values({ peer_id: peer.id, signing_kid: peer.signing_kid, identity_jws: peer.identity_jws, replaced_at: at })
    .onConflict((oc) => oc.columns(['peer_id', 'signing_kid']).doNothing())
    .execute();
}

/** The identity documents the peers `peerIds` had before later ones replaced them, oldest first. */
export async function replacedIdentityDocuments(db: Db, peerIds: readonly string[]): Promise<Array<{ peer_id: string; identity_jws: string }>> {
  if (peerIds.length === 0) return [];
  return db.selectFrom('peer_identity_history').select(['peer_id', 'identity_jws']).where('peer_id', 'in', peerIds).orderBy('replaced_at').execute();
}
