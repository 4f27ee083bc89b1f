// What the overview shows beside the referrals waiting for action: messages that could not be
// delivered (or are being retried), and erasures a peer owes us and has not confirmed (the open
// peer alerts come from node/peers/alerts.ts). Identifiers, names of organisations, states and
// times only: nothing here is personal data.
import type { Db } from '../node/db/database.js';

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
export async function deliveryProblems(db: Db, limit = 20): Promise<DeliveryProblem[]> {
  const rows = await db
    .selectFrom('envelopes')
    .innerJoin('peers', 'peers.id', 'envelopes.peer_id')
    .select(['envelopes.id', 'envelopes.referral_id', 'envelopes.type', 'envelopes.delivery_state', 'envelopes.attempts', 'envelopes.created_at', 'peers.name'])
    .where('envelopes.direction', '=', 'outgoing')
    .where((eb) => eb.or([eb('envelopes.delivery_state', '=', 'failed'), eb.and([eb('envelopes.delivery_state', '=', 'queued'), eb('envelopes.attempts', '>', 0)])]))
    .orderBy('envelopes.created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    referralId: r.referral_id,
    envelopeId: r.id,
    peerName: r.name,
    type: r.type,
    state: r.delivery_state === 'failed' ? 'failed' : 'retrying',
    attempts: r.attempts,
    since: r.created_at,
  }));
}

/** Erasures requested from an organisation that has not yet sent its signed statement. */
export async function pendingErasures(db: Db, limit = 20): Promise<PendingErasure[]> {
  const rows = await db
    .selectFrom('erasures')
    .leftJoin('peers', 'peers.id', 'erasures.node_id')
    .select(['erasures.referral_id', 'erasures.node_id', 'erasures.reason', 'erasures.requested_at', 'peers.name'])
    .where('erasures.confirmed_at', 'is', null)
    .orderBy('erasures.requested_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ referralId: r.referral_id, organisation: r.name ?? r.node_id, reason: r.reason, requestedAt: r.requested_at }));
}

