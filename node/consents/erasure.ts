// Erasing a referral's personal data on this node: every stored payload with its data key (the
// offer, notes, answers, client data), the envelope payloads both ways (their bodies are sealed
// to our own key too, so we could open them), and the signed copies of incoming envelopes. What
// stays is metadata without personal data: ids, states, dates, codes, digests and receipts.
import type { Tx } from '../db/database.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';

export type ErasureReason = 'consent-withdrawn' | 'retention';

/**
 * Our own queued messages of a referral are cancelled and emptied: never sent, nor sent again.
 * One being posted right now (leased) may still arrive; if its attempt fails it is not retried.
 * Those never tried and not in flight certainly never left: the audit log says so.
 */
export async function cancelQueuedMessages(tx: Tx, referralId: string, now: Date, why: string, actor: AuditActor): Promise<void> {
  const queued = await tx
    .selectFrom('envelopes')
    .select(['id', 'attempts', 'lease_until'])
    .where('referral_id', '=', referralId)
    .where('direction', '=', 'outgoing')
    .where('delivery_state', '=', 'queued')
    .execute();
  if (queued.length === 0) return;
  await tx
    .updateTable('envelopes')
    .set({ delivery_state: 'failed', last_error: `cancelled: ${why}`, payload: '', erased_at: now.toISOString() })
    .where('id', 'in', queued.map((e) => e.id))
    .execute();
  const inFlight = (e: { lease_until: string | null }) => e.lease_until !== null && e.lease_until >= now.toISOString();
  for (const envelope of queued.filter((e) => e.attempts === 0 && !inFlight(e))) {
    await appendAuditEvent(tx, now, actor, { type: 'disclosure.cancelled', referral_id: referralId, envelope_id: envelope.id });
  }
}

/**
 * Whether any message of the referral reached the peer or may have: delivered, being posted now,
 * or tried before (an attempt whose answer was lost may still have arrived).
 */
export async function peerMayHoldReferral(tx: Tx, referralId: string, now: Date): Promise<boolean> {
  const row = await tx
    .selectFrom('envelopes')
    .select('id')
    .where('referral_id', '=', referralId)
    .where('direction', '=', 'outgoing')
    .where((eb) => eb.or([eb('delivery_state', '=', 'delivered'), eb('attempts', '>', 0), eb('lease_until', '>=', now.toISOString())]))
    .executeTakeFirst();
  return row !== undefined;
}

export async function eraseReferralData(tx: Tx, referralId: string, reason: ErasureReason, actor: AuditActor, now: Date): Promise<void> {
  const at = now.toISOString();
  // Our queued messages go first: they must never leave once the data is gone.
  await cancelQueuedMessages(tx, referralId, now, reason === 'retention' ? 'retention period ended' : 'consent withdrawn', actor);
  await tx.updateTable('referral_events').set({ payload_id: null }).where('referral_id', '=', referralId).execute();
  const payloads = await tx.deleteFrom('payloads').where('referral_id', '=', referralId).executeTakeFirst();
  const envelopes = await tx
    .updateTable('envelopes')
    .set({ payload: '', signed_jws: null, erased_at: at })
    .where('referral_id', '=', referralId)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  await tx.updateTable('referrals').set({ erased_at: at, erasure_reason: reason }).where('id', '=', referralId).execute();
  await appendAuditEvent(tx, now, actor, {
    type: 'erasure.performed',
    referral_id: referralId,
    reason,
    payloads: Number(payloads.numDeletedRows),
    envelopes: Number(envelopes.numUpdatedRows),
  });
}
