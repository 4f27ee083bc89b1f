// The check every signed federation request shares: the signature verifies with the pinned key of
// the peer it claims to come from; only then is the peer's state told (trusted, not yet trusted,
// suspended, revoked). A request whose signature cannot be verified here (no such peer, a key not
// pinned, a signature that does not match) gets one answer, `bad-signature`, whoever it claims to
// be: whom this node knows and trusts is not told to anyone who cannot sign as that organisation.
// A kid not pinned for a trusted peer makes the node fetch its identity document once
// (unknown-key.ts): a peer that rotated its signing key is followed along its continuity chain
// and its request accepted at once.
import { compactVerify } from 'jose';
import type { NodeContext } from '../context.js';
import { importSigningPublicKey, type OkpPublicJwk } from '../identity/keys.js';
import { findSigningPeer, type SigningPeer } from './store.js';
import { refreshForUnknownKey } from './unknown-key.js';

/** What is answered: `bad-signature` before the signature verified, the peer's state after. */
export type PeerSignatureFailure = 'untrusted-sender' | 'sender-suspended' | 'sender-revoked' | 'bad-signature';

export async function verifySignedByPeer(
  ctx: NodeContext,
  jws: string,
  claimed: { iss: string; kid: string },
): Promise<{ ok: true; peer: SigningPeer } | { ok: false; problem: PeerSignatureFailure }> {
  const unverified = { ok: false, problem: 'bad-signature' } as const;
  let peer: SigningPeer | undefined = await findSigningPeer(ctx.database.db, claimed.iss);
  if (!peer) return unverified;
  if (claimed.kid !== peer.signing_kid) {
    // Only a trusted peer's new key is looked for: the others' requests are refused whatever they are signed with.
    if (peer.state !== 'trusted') return unverified;
    const refreshed = await refreshForUnknownKey(ctx, peer.id, claimed.kid);
    if (!refreshed) return unverified;
    peer = refreshed;
  }
  try {
    await compactVerify(jws, await importSigningPublicKey(JSON.parse(peer.signing_jwk) as OkpPublicJwk), { algorithms: ['EdDSA'] });
  } catch {
    return unverified;
  }
  // Signed by the peer itself: it may know where it stands. Suspended: refused for now, the sender
  // keeps its messages; revoked: refused for good.
  if (peer.state === 'suspended') return { ok: false, problem: 'sender-suspended' };
  if (peer.state === 'revoked') return { ok: false, problem: 'sender-revoked' };
  if (peer.state !== 'trusted') return { ok: false, problem: 'untrusted-sender' };
  return { ok: true, peer };
}
