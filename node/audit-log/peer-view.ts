// What a peer may read of this node's audit log. Entries hold no personal data, but together
// they say which organisations dealt with the same case (a consent lists every recipient; a
// referral's events name its peer). A peer sees the text only of entries about its own dealings
// with this node, and the leaf hash of every other one: enough to check the tree, proofs and
// checkpoints, and nothing about other organisations' cases, nor who is responsible for a case here.
import type { AuditEntry } from './append.js';

const ABOUT_ONE_PEER: ReadonlySet<string> = new Set([
  'peer.added', 'peer.trusted', 'peer.suspended', 'peer.restored', 'peer.revoked', 'peer.identity-updated', 'peer.alert', 'peer.alert-resolved', 'data.disclosed', 'disclosure.cancelled', 'referral.event', 'erasure.requested', 'erasure.confirmed', 'witness.inconsistency',
  'invitation.redeemed',
]);

export function concernsPeer(entryText: string, peerId: string): boolean {
  const entry = JSON.parse(entryText) as AuditEntry & { peer_id?: string; node_id?: string };
  if (!ABOUT_ONE_PEER.has(entry.type)) {
    // A consent received from this peer names only this node as recipient: it is the peer's own.
    return entry.type === 'consent.recorded' && entry.origin === peerId;
  }
  // Who is responsible for a referral at this node is this node's own business (referrals/assignment.ts).
  if (entry.type === 'referral.event' && (entry as { action?: string }).action === 'assigned') return false;
  return entry.peer_id === peerId || entry.node_id === peerId;
}
