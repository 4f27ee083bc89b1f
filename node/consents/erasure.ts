// Erasing a referral's personal data on this node: every stored payload with its data key (the
// offer, notes, answers, client data), the envelope payloads both ways (their bodies are sealed
// to our own key too, so we could open them), and the signed copies of incoming envelopes. What
// stays is metadata without personal data: ids, states, dates, codes, digests and receipts.
import type { Tx } from '../db/database.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { cancelQueuedMessages } from '../delivery/outbox.js';

export type ErasureReason = 'consent-withdrawn' | 'retention';

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
  await cancelQueuedMessages(tx, { referralId }, now, reason === 'retention' ? 'retention period ended' : 'consent withdrawn', actor);
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
