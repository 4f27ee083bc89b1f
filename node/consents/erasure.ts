// Erasing a referral's personal data on this node: every stored payload with its data key (the
// offer, notes, answers, client data), the envelope payloads both ways (their bodies are sealed
// to our own key too, so we could open them), and the signed copies of incoming envelopes. What
// stays is metadata without personal data: ids, states, dates, codes, digests and receipts.
import type { Tx } from '../db/database.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { cancelQueuedMessages, eraseEnvelopesOf } from '../delivery/outbox.js';
import { erasePayloadsOf } from '../referrals/payload-store.js';
import { markErased } from '../referrals/state.js';
import { detachEventDetails } from '../referrals/timeline.js';
import { deleteNotificationsOfReferral } from '../notifications/store.js';

export type ErasureReason = 'consent-withdrawn' | 'retention';

export async function eraseReferralData(tx: Tx, referralId: string, reason: ErasureReason, actor: AuditActor, now: Date): Promise<void> {
  // Our queued messages go first: they must never leave once the data is gone.
  await cancelQueuedMessages(tx, { referralId }, now, reason === 'retention' ? 'retention period ended' : 'consent withdrawn', actor);
  await detachEventDetails(tx, referralId);
  const payloads = await erasePayloadsOf(tx, referralId, now);
  const envelopes = await eraseEnvelopesOf(tx, referralId, now);
  await markErased(tx, referralId, reason, now);
  // Its notifications go too: they point at a referral whose data is no more.
  await deleteNotificationsOfReferral(tx, referralId);
  await appendAuditEvent(tx, now, actor, { type: 'erasure.performed', referral_id: referralId, reason, payloads, envelopes });
}
