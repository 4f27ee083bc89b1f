// What both sides of an invitation do with the other node: fetch its identity document from its
// node id, and store it as a trusted peer with its signing key pinned, inside the caller's
// transaction together with the invitation's own audit entry.
import type { AuditActor } from '../audit-log/events.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { nowSeconds, type NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import { fetchIdentityDocument } from './identity-response.js';
import type { VerifiedIdentity } from '../identity/document.js';
import { readableFingerprint } from '../identity/keys.js';
import { invitationProblem } from './invitation-problems.js';
import { revokedKidsOf } from '../identity/revocations.js';
import { keepReplacedIdentity } from './peer-keys.js';
import { findPeer, insertPeer, peerRowFrom, repinPeer, toPeer, type Peer } from './store.js';

export type IdentityFetch =
  | { ok: true; identity: VerifiedIdentity; jws: string }
  | { ok: false; problem: 'identity-unavailable' | 'identity-mismatch'; reason: string };

/** GET <nodeId>/.well-known/referral-node, verified, and issued by `nodeId` itself. */
export async function fetchIdentityOf(ctx: NodeContext, nodeId: string): Promise<IdentityFetch> {
  const fetched = await fetchIdentityDocument(ctx.fetch, nowSeconds(ctx.clock), nodeId, ctx.limits.clockSkewSeconds);
  if (fetched.ok) return fetched;
  if (fetched.at === 'network') return { ok: false, problem: 'identity-unavailable', reason: `${nodeId} could not be reached.` };
  const unavailable = fetched.at === 'answer' && fetched.why === 'status';
  return { ok: false, problem: unavailable ? 'identity-unavailable' : 'identity-mismatch', reason: fetched.reason };
}

/**
 * Stores the node of `identity` as trusted with its signing key pinned. A node not known yet is
 * added; a pending one is trusted with the fresh document; a revoked one becomes a peer anew
 * (revocation is final for the old relationship, and the invitation is a new decision); a trusted
 * one with the same key is left as it is. Refused, changing nothing: a node known with another
 * signing key (unless revoked), and a suspended one.
 */
export async function pinTrustedPeer(tx: Tx, identity: VerifiedIdentity, identityJws: string, now: Date, actor: AuditActor): Promise<Peer> {
  const { claims } = identity;
  const kid = identity.signingKey.kid;
  const existing = await findPeer(tx, claims.iss);
  // Known with another key: only one its continuity chain leads from (a rotation not followed yet).
  if (existing && existing.state !== 'revoked' && !identity.signingKeys.some((k) => k.kid === existing.signing_kid)) {
    throw invitationProblem(
      'peer-key-conflict',
      `${claims.iss} is known here with the signing key ${readableFingerprint(existing.signing_kid)}, and now presents ${readableFingerprint(kid)}. Nothing was changed; ask its administrator what happened.`,
    );
  }
  // A compromised key, or a chain that continues from one (the thief may have made it), is never
  // pinned again: neither the key pinned when the peer was revoked, nor any key declared
  // compromised for it (which may be a later one, reached by the statement's own chain).
  const compromised = await revokedKidsOf(tx, claims.iss);
  if (existing?.state === 'revoked' && existing.revocation_reason === 'key-compromise') compromised.add(existing.signing_kid);
  if (identity.signingKeys.some((k) => compromised.has(k.kid))) {
    throw invitationProblem(
      'peer-key-conflict',
      `${claims.iss} presents a signing key declared compromised, or one made with it. It can be trusted again once it has a new key that no compromised key vouches for. Nothing was changed.`,
    );
  }
  if (existing?.state === 'suspended') {
    throw invitationProblem('peer-suspended', `${claims.iss} is suspended here; restore it instead (an invitation does not lift a suspension). Nothing was changed.`);
  }
  if (existing?.state === 'trusted') return toPeer(existing);
  const at = now.toISOString();
  const row = {
    ...peerRowFrom(identity, identityJws, 'trusted', at),
    added_at: existing && existing.state === 'pending' ? existing.added_at : at,
  };
  if (existing) {
    if (existing.signing_kid !== kid) await keepReplacedIdentity(tx, existing, at);
    await repinPeer(tx, row);
  } else {
    await insertPeer(tx, row);
  }
  if (existing?.state !== 'pending') await appendAuditEvent(tx, now, actor, { type: 'peer.added', peer_id: row.id, signing_kid: kid });
  await appendAuditEvent(tx, now, actor, { type: 'peer.trusted', peer_id: row.id, signing_kid: kid });
  return toPeer(row);
}
