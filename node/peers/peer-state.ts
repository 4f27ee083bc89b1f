// A peer's trust state changed by an administrator or on their behalf (a trust list, a key
// revocation statement): suspended, restored or revoked, with its audit entry, and on revocation
// every message still queued for it cancelled. What else goes with a change (a trust list that
// must not undo it, the peer's directory dropped) is for the caller that knows of it.
import type { AuditActor } from '../audit-log/events.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { cancelQueuedMessages } from '../delivery/outbox.js';
import type { Tx } from '../db/database.js';
import { PeerError } from './node-url.js';
import { findPeer, setPeerState, type PeerRow, type PeerState, type RevocationReason } from './store.js';

export type PeerAction = 'suspend' | 'restore' | 'revoke';

const ACTIONS: Readonly<Record<PeerAction, { from: readonly PeerState[]; to: PeerState }>> = {
  // Suspended: refused both ways for now; messages to it wait in the outbox.
  suspend: { from: ['trusted'], to: 'suspended' },
  restore: { from: ['suspended'], to: 'trusted' },
  // Revoked: refused for good; what still waits for it is cancelled, never sent.
  revoke: { from: ['pending', 'trusted', 'suspended'], to: 'revoked' },
};

/**
 * Suspends, restores or revokes a peer by `actor`, inside the caller's transaction. Doing again
 * what is already done changes nothing (`changed` is false).
 */
export async function changePeerStateIn(
  tx: Tx,
  id: string,
  action: PeerAction,
  now: Date,
  actor: AuditActor,
  reason?: RevocationReason,
): Promise<{ peer: PeerRow; changed: boolean }> {
  const at = now.toISOString();
  const { from, to } = ACTIONS[action];
  const current = await findPeer(tx, id);
  if (!current) throw new PeerError(`No peer ${id}; \`referral-node peer list\` shows the peers this node knows.`);
  if (current.state === to) return { peer: current, changed: false };
  if (!from.includes(current.state)) {
    throw new PeerError(
      current.state === 'revoked'
        ? `${id} was revoked; a revoked peer is not trusted again (a new invitation makes it a peer anew).`
        : `${id} is ${current.state}; only a ${from.join(' or ')} peer can be ${action === 'restore' ? 'restored' : `${action}d`}.`,
    );
  }
  const revocationReason = action === 'revoke' ? (reason ?? 'other') : undefined;
  await setPeerState(tx, id, to, at, revocationReason);
  if (action === 'revoke') await cancelQueuedMessages(tx, { peerId: id }, now, 'peer revoked', actor);
  const event =
    action === 'suspend'
      ? ({ type: 'peer.suspended', peer_id: id } as const)
      : action === 'restore'
        ? ({ type: 'peer.restored', peer_id: id } as const)
        : ({ type: 'peer.revoked', peer_id: id, reason: reason ?? 'other' } as const);
  await appendAuditEvent(tx, now, actor, event);
  return { peer: { ...current, state: to, updated_at: at, ...(revocationReason ? { revocation_reason: revocationReason } : {}) }, changed: true };
}
