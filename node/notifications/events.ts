// Notifications made by what happens to a referral, inside the transaction that records it: never
// one without the change, never a change without its notification. One insert per event at most,
// whoever it is for: the referral's responsible caseworker when she can be told (an active
// administrator or caseworker), else everyone who works on referrals here.
import type { Db, Tx } from '../db/database.js';
import { findReferral } from '../referrals/state.js';
import { accountState } from '../users/service.js';
import { worksOnReferrals } from '../users/roles.js';
import { kindOfEvent, type NotificationKind } from './kinds.js';
import { addNotification } from './store.js';

/** Whom a notification about the referral is for: its responsible caseworker, or null (everyone who works on referrals). */
export async function audienceOf(db: Db | Tx, referral: { assignee_id: string | null } | undefined): Promise<string | null> {
  const assignee = referral?.assignee_id;
  if (!assignee) return null;
  // Disabled, or no longer one who works on referrals: the team is told instead, so that nothing goes unseen.
  return worksOnReferrals(await accountState(db, assignee)) ? assignee : null;
}

/**
 * A timeline event (referrals/timeline.ts recordEvent): the notification it makes, if any
 * (kinds.ts). An event that made the referral here (`from` null: an offer or inquiry received) has
 * nobody responsible yet, and is not looked up.
 */
export async function notifyOfReferralEvent(
  tx: Tx,
  event: { referralId: string; action: string; from: string | null; at: Date; actor: { kind: 'user' | 'peer' | 'system' } },
): Promise<void> {
  const kind = kindOfEvent(event);
  if (!kind) return;
  const userId = event.from === null ? null : await audienceOf(tx, await findReferral(tx, event.referralId));
  await addNotification(tx, { kind, referralId: event.referralId, userId, at: event.at });
}

/** A message of the referral was refused by the peer for good (delivery/worker.ts), in the transaction that records it. */
export async function notifyDeliveryFailed(tx: Tx, referralId: string, at: Date): Promise<void> {
  const kind: NotificationKind = 'delivery-failed';
  await addNotification(tx, { kind, referralId, userId: await audienceOf(tx, await findReferral(tx, referralId)), at });
}
