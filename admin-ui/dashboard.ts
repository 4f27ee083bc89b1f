// What the overview shows beside the referrals waiting for action: messages that could not be
// delivered (or are being retried), and erasures a peer owes us and has not confirmed (the open
// peer alerts come from node/peers/alerts.ts), each with the organisation named. Identifiers,
// names of organisations, states and times only: nothing here is personal data.
import type { NodeContext } from '../node/context.js';
import { undeliveredMessages } from '../node/delivery/outbox.js';
import { unconfirmedErasures } from '../node/consents/erasures.js';
import { peerNames } from '../node/peers/store.js';

export interface DeliveryProblem {
  referralId: string;
  envelopeId: string;
  peerName: string;
  type: string;
  state: 'failed' | 'retrying';
  attempts: number;
  since: string;
}

export interface PendingErasure {
  referralId: string;
  organisation: string;
  reason: 'consent-withdrawn' | 'retention';
  requestedAt: string;
}

/** Outgoing messages that failed for good, or have been tried and are waiting for another attempt. */
export async function deliveryProblems(ctx: NodeContext, limit = 20): Promise<DeliveryProblem[]> {
  const { db } = ctx.database;
  const messages = await undeliveredMessages(db, limit);
  const names = await peerNames(db, messages.map((m) => m.peerId));
  // Every envelope's peer is in the peers table (a foreign key): the id is only a fallback.
  return messages.map(({ peerId, ...m }) => ({ ...m, peerName: names.get(peerId)?.name ?? peerId }));
}

/** Erasures requested from an organisation that has not yet sent its signed statement. */
export async function pendingErasures(ctx: NodeContext, limit = 20): Promise<PendingErasure[]> {
  const { db } = ctx.database;
  const erasures = await unconfirmedErasures(db, limit);
  const names = await peerNames(db, erasures.map((e) => e.nodeId));
  // An erasure may be owed by an organisation this node never peered with (it was passed on): named by its address.
  return erasures.map(({ nodeId, ...e }) => ({ ...e, organisation: names.get(nodeId)?.name ?? nodeId }));
}
