// The retention policy: the personal data of a referral closed for longer than the retention
// period is erased, on each node by its own clock and policy. A receiver then tells the sender
// with a signed erasure.receipt (reason: retention), as after a withdrawal.
import type { NodeContext } from '../context.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import type { AuditActor } from '../audit-log/events.js';
import { CLOSED_STATES } from '../referrals/lifecycle.js';
import { eraseReferralData } from './erasure.js';
import { queueErasureReceipt } from './withdrawal.js';

const RETENTION: AuditActor = { kind: 'system', id: 'retention' };
const BATCH = 100;
const DAY_MS = 24 * 60 * 60_000;

/** Erases every referral closed (last changed) more than `retentionDays` ago. Returns how many. */
export async function eraseAfterRetention(ctx: NodeContext, retentionDays: number, afterCommit: () => void = () => {}): Promise<number> {
  let erased = 0;
  for (;;) {
    const now = ctx.clock.now();
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
    const due = await ctx.database.db
      .selectFrom('referrals')
      .select('id')
      .where('erased_at', 'is', null)
      .where('state', 'in', CLOSED_STATES)
      .where('updated_at', '<', cutoff)
      .orderBy('updated_at')
      .limit(BATCH)
      .execute();
    for (const { id } of due) {
      await ctx.database.transaction(async (tx, onCommit) => {
        const referral = await tx.selectFrom('referrals').selectAll().where('id', '=', id).where('erased_at', 'is', null).executeTakeFirst();
        if (!referral) return;
        await eraseReferralData(tx, id, 'retention', RETENTION, now);
        if (referral.direction === 'incoming') {
          const erasedRow = await tx.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
          await queueErasureReceipt(tx, ctx, erasedRow, RETENTION, now, {});
          onCommit(afterCommit);
        }
      });
      erased += 1;
    }
    if (due.length < BATCH) break;
  }
  if (erased > 0) {
    await ctx.database.purgeErased();
    ctx.logger.info({ referrals: erased, retentionDays }, 'personal data erased after the retention period');
  }
  return erased;
}

export function startRetentionTimer(ctx: NodeContext, retentionDays: number, afterCommit: () => void, everyMs = 60 * 60_000): Periodic {
  return startPeriodic(ctx.logger, 'retention run', everyMs, () => eraseAfterRetention(ctx, retentionDays, afterCommit));
}
