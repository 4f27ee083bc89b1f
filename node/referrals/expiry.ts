// Expiry: an offer not answered (accepted or declined) by its reply-by date expires. Both sides
// apply the same rule to the same date on their own, so no message is needed; a late answer
// then meets a final state and is refused as an illegal transition.
import type { NodeContext } from '../context.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { expireReferral, overdueReferrals } from './state.js';
import { recordEvent } from './timeline.js';

/** Expires every overdue referral; returns how many. */
export async function expireOverdueReferrals(ctx: NodeContext): Promise<number> {
  const now = ctx.clock.now();
  let expired = 0;
  for (const referral of await overdueReferrals(ctx.database.db, now)) {
    await ctx.database.transaction(async (tx) => {
      if (!(await expireReferral(tx, referral, now))) return;
      await recordEvent(tx, ctx, {
        referralId: referral.id, at: now, action: 'expiry', from: referral.state, to: 'expired', actor: { kind: 'system', id: 'reply-by' },
      });
      expired += 1;
    });
  }
  if (expired > 0) ctx.logger.info({ expired }, 'referrals expired');
  return expired;
}

/** Runs the expiry rule now and then every `everyMs` until stopped. */
export function startExpiryTimer(ctx: NodeContext, everyMs = 60_000): Periodic {
  return startPeriodic(ctx, 'expiry run', everyMs, () => expireOverdueReferrals(ctx));
}
