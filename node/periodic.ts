// Jobs a serving node runs on a timer (expiry, retention, checkpoints): now, then every interval,
// never two runs of one job at once, in one process only of those sharing the node's data, and a
// stop that waits for the run in progress.
import type { NodeContext } from './context.js';
import { claimJob } from './processes/registry.js';

export interface Periodic {
  stop(): Promise<void>;
}

/**
 * Runs `job` now and then every `everyMs` until stopped. A run still going when the next is due
 * is not doubled: that tick is skipped, as is every tick while another live process holds the job
 * (claimJob). Stopping aborts the signal the job was given and waits for it to end. A failure is
 * logged (its name only: errors may quote data) and the next tick tries again.
 */
export function startPeriodic(ctx: NodeContext, what: string, everyMs: number, job: (signal: AbortSignal) => Promise<unknown>): Periodic {
  const logger = ctx.logger;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const abort = new AbortController();
  const run = () => {
    if (stopped || running) return;
    running = claimJob(ctx.database.db, what, ctx.instanceId, new Date())
      .then((mine) => (mine && !stopped ? job(abort.signal) : undefined))
      .catch((error: unknown) => logger.error({ error: error instanceof Error ? error.name : 'error' }, `${what} failed`))
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
