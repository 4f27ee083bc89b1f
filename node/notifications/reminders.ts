// Notifications no single event makes, made by a periodic job: a referral whose answer is due
// within a day, and an erasure another organisation has not confirmed a day after it was asked.
// Each is made once (its dedupe key: kind and ids). The same job lets go of notifications older
// than NOTIFICATION_DAYS, read or not: by then the referral's page and the lists say all of it.
import type { NodeContext } from '../context.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { findReferral, overdueReferrals } from '../referrals/state.js';
import { unconfirmedErasures } from '../consents/erasures.js';
import { audienceOf } from './events.js';
import { addNotification, pruneNotifications } from './store.js';

const DAY_MS = 24 * 60 * 60_000;
/** How long a notification is kept. */
export const NOTIFICATION_DAYS = 30;
/** An erasure still unconfirmed this long after it was asked is told. */
const ERASURE_GRACE_MS = DAY_MS;
/**
 * Erasures asked longer ago than this are not looked at any more: each was told within a week
 * (unless the node was stopped all that time), and its dedupe key is still kept then (30 days).
 */
const ERASURE_LOOK_BACK_MS = 8 * DAY_MS;
/** Unconfirmed erasures read at most per run, oldest first. */
const ERASURES_READ = 5_000;

/** Makes the reminders due now and prunes old notifications. Returns how many were made. */
export async function makeReminders(ctx: NodeContext): Promise<number> {
  const { db } = ctx.database;
  const now = ctx.clock.now();
  let made = 0;
  // Waiting for an answer, due within a day (not already past: expiry deals with those).
  const past = new Set((await overdueReferrals(db, now)).map((r) => r.id));
  for (const { id } of await overdueReferrals(db, new Date(now.getTime() + DAY_MS))) {
    if (past.has(id)) continue;
    const referral = await findReferral(db, id);
    if (!referral?.reply_by) continue;
    const added = await addNotification(db, {
      kind: 'reply-by-tomorrow', referralId: id, userId: await audienceOf(db, referral), at: now,
      // A new reply-by date (an offer after an inquiry) is told again.
      dedupeKey: `reply-by-tomorrow:${id}:${referral.reply_by}`,
    });
    if (added) made += 1;
  }
  const oldest = now.getTime() - ERASURE_LOOK_BACK_MS;
  const latest = now.getTime() - ERASURE_GRACE_MS;
  for (const erasure of await unconfirmedErasures(db, ERASURES_READ, { from: new Date(oldest), to: new Date(latest) })) {
    const referral = await findReferral(db, erasure.referralId);
    const added = await addNotification(db, {
      kind: 'erasure-outstanding', referralId: erasure.referralId, consentId: referral?.consent_id ?? undefined, userId: await audienceOf(db, referral), at: now,
      dedupeKey: `erasure-outstanding:${erasure.referralId}:${erasure.nodeId}`,
    });
    if (added) made += 1;
  }
  const pruned = await pruneNotifications(ctx.database, new Date(now.getTime() - NOTIFICATION_DAYS * DAY_MS));
  if (made + pruned > 0) ctx.logger.info({ subsystem: 'notifications', made, pruned }, 'notification reminders made, old notifications pruned');
  return made;
}

/** Runs the reminders now and then every `everyMs` (ten minutes: a day's notice need not be to the minute). */
export function startReminders(ctx: NodeContext, everyMs = 10 * 60_000): Periodic {
  return startPeriodic(ctx, 'notification reminders', everyMs, () => makeReminders(ctx));
}
