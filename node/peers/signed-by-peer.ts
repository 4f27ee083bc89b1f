// The check every signed federation request shares: the claimed signer is a known, trusted peer,
// the JWS names its pinned key, and the signature verifies with it. A kid not pinned here makes
// the node fetch the peer's identity document once (unknown-key.ts): a peer that rotated its
// signing key is followed along its continuity chain and its request accepted at once.
import { compactVerify } from 'jose';
import type { NodeContext } from '../context.js';
import { importSigningPublicKey, type OkpPublicJwk } from '../identity/keys.js';
import { findPeer, type PeerRow } from './store.js';
import { refreshForUnknownKey } from './unknown-key.js';

export type PeerSignatureFailure = 'unknown-sender' | 'untrusted-sender' | 'sender-suspended' | 'sender-revoked' | 'unknown-key' | 'bad-signature';

export async function verifySignedByPeer(
  ctx: NodeContext,
  jws: string,
  claimed: { iss: string; kid: string },
): Promise<{ ok: true; peer: PeerRow } | { ok: false; problem: PeerSignatureFailure }> {
  let peer = await findPeer(ctx.database.db, claimed.iss);
  if (!peer) return { ok: false, problem: 'unknown-sender' };
  // Suspended: refused for now, the sender keeps its messages; revoked: refused for good.
  if (peer.state === 'suspended') return { ok: false, problem: 'sender-suspended' };
  if (peer.state === 'revoked') return { ok: false, problem: 'sender-revoked' };
  if (peer.state !== 'trusted') return { ok: false, problem: 'untrusted-sender' };
  if (claimed.kid !== peer.signing_kid) {
    const refreshed = await refreshForUnknownKey(ctx, peer.id, claimed.kid);
    if (!refreshed) return { ok: false, problem: 'unknown-key' };
    peer = refreshed;
  }
  try {
    await compactVerify(jws, await importSigningPublicKey(JSON.parse(peer.signing_jwk) as OkpPublicJwk), { algorithms: ['EdDSA'] });
  } catch {
    return { ok: false, problem: 'bad-signature' };
  }
  return { ok: true, peer };
}
