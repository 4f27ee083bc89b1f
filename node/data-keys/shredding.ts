// Completing erasures: after data keys were destroyed, the keyring keys that wrapped them are
// replaced and destroyed (data-keys.ts, shredRetiredKeys). Run right after each erasure by the
// code that erased, and every minute by one process of the node, which finishes what a crash or a
// busy moment left undone.
import type { NodeContext } from '../context.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { shredRetiredKeys, type ShreddingOutcome } from './data-keys.js';

export const SHREDDING_EVERY_MS = 60_000;

/**
 * Destroys the keys behind what was erased, then (on SQLite) truncates the write-ahead log so the
 * old row versions go too. Safe to call from any process at any time.
 */
export async function completeErasures(ctx: NodeContext): Promise<ShreddingOutcome> {
  const outcome = await shredRetiredKeys(ctx.database, ctx.dataKeys.keyring, ctx.clock.now());
  if (outcome.replaced + outcome.destroyed > 0) ctx.logger.info({ ...outcome }, 'keys of erased data destroyed');
  if (!(await ctx.database.purgeErased())) ctx.logger.warn('write-ahead log busy after an erasure; it is truncated at the next run');
  return outcome;
}

export function startShredding(ctx: NodeContext, everyMs = SHREDDING_EVERY_MS): Periodic {
  return startPeriodic(ctx, 'shredding', everyMs, async () => {
    const outcome = await shredRetiredKeys(ctx.database, ctx.dataKeys.keyring, ctx.clock.now());
    if (outcome.replaced + outcome.destroyed === 0) return;
    ctx.logger.info({ ...outcome }, 'keys of erased data destroyed');
    await ctx.database.purgeErased();
  });
}
