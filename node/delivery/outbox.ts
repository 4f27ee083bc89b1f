// The outbox: an outgoing envelope is written in the same transaction as the state change that
// caused it, and the delivery worker takes it from there; or it is cancelled before it leaves.
import type { Db, Tx } from '../db/database.js';
import type { SealedEnvelope } from '../envelope/seal.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';

export async function enqueueEnvelope(tx: Tx, sealed: SealedEnvelope, at: Date): Promise<void> {
  const now = at.toISOString();
  await tx
    .insertInto('envelopes')
    .values({
      id: sealed.header.id,
      direction: 'outgoing',
      peer_id: sealed.header.to,
      referral_id: sealed.header.referral_id,
      type: sealed.header.type,
      seq: sealed.header.seq,
      payload: sealed.payload,
      payload_digest: sealed.digest,
      created_at: now,
      delivery_state: 'queued',
      next_attempt_at: now,
    })
    .execute();
}

/**
 * Our queued messages of a referral, or to a peer, are cancelled and emptied: never sent, nor sent
 * again. One being posted right now (leased) may still arrive; if its attempt fails it is not
 * retried. Those never tried and not in flight certainly never left: the audit log says so, so
 * that no erasure is asked for data that never went anywhere.
 */
export async function cancelQueuedMessages(
  tx: Tx,
  scope: { referralId: string } | { peerId: string },
  now: Date,
  why: string,
  actor: AuditActor,
): Promise<void> {
  let query = tx
    .selectFrom('envelopes')
    .select(['id', 'referral_id', 'attempts', 'lease_until'])
    .where('direction', '=', 'outgoing')
    .where('delivery_state', '=', 'queued');
  query = 'referralId' in scope ? query.where('referral_id', '=', scope.referralId) : query.where('peer_id', '=', scope.peerId);
  const queued = await query.execute();
  if (queued.length === 0) return;
  const at = now.toISOString();
  await tx
    .updateTable('envelopes')
    .set({ delivery_state: 'failed', last_error: `cancelled: ${why}`, payload: '', erased_at: at })
    .where('id', 'in', queued.map((e) => e.id))
    .execute();
  const inFlight = (e: { lease_until: string | null }) => e.lease_until !== null && e.lease_until >= at;
  for (const envelope of queued.filter((e) => e.attempts === 0 && !inFlight(e))) {
    await appendAuditEvent(tx, now, actor, { type: 'disclosure.cancelled', referral_id: envelope.referral_id, envelope_id: envelope.id });
  }
}

/** An outgoing message that failed for good, or has been tried and waits for another attempt. */
export interface UndeliveredMessage {
  envelopeId: string;
  referralId: string;
  peerId: string;
  type: string;
  state: 'failed' | 'retrying';
  attempts: number;
  since: string;
}

/** The oldest `limit` outgoing messages that failed for good or are being retried. */
export async function undeliveredMessages(db: Db, limit: number): Promise<UndeliveredMessage[]> {
  const rows = await db
    .selectFrom('envelopes')
    .select(['id', 'referral_id', 'peer_id', 'type', 'delivery_state', 'attempts', 'created_at'])
    .where('direction', '=', 'outgoing')
    .where((eb) => eb.or([eb('delivery_state', '=', 'failed'), eb.and([eb('delivery_state', '=', 'queued'), eb('attempts', '>', 0)])]))
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    envelopeId: r.id,
    referralId: r.referral_id,
    peerId: r.peer_id,
    type: r.type,
    state: r.delivery_state === 'failed' ? 'failed' : 'retrying',
    attempts: r.attempts,
    since: r.created_at,
  }));
}
