// A backlog queued while the receiver is down (issue 16 item 5): B stops, A (every role) takes
// BENCH_BACKLOG_COUNT referrals through its local API and its worker finds B gone (the peer's
// breaker opens, backing off up to 30 s, and each envelope it probed with backs off on its own);
// B comes back, and the bench times the drain: how soon the first envelope arrives, the rate from
// the first receipt to the last, and how long the envelopes tried during the outage lag behind.
import { readStoredRows } from '../tests/_util/database.js';
import type { ExtraProcess, RunningNode } from '../tests/_util/processes.js';
import { createBurst, dropConnections, serveAll, waitForDeliveries } from './nodes.js';
import { cpuMeter, servePidsOf } from './proc-stats.js';

export interface BacklogFigures {
  count: number;
  /** From the moment B answered again to its first receipt, to the last, and to the last of those never tried before B returned, ms. */
  firstAfterMs: number;
  lastAfterMs: number;
  lastUntriedAfterMs: number;
  /** Envelopes tried while B was down: each waits out its own backoff after B returns. */
  triedWhileDown: number;
  /** Delivered per second from the first receipt to the last; the same for those never tried before. */
  drainPerSecond: number;
  untriedPerSecond: number;
  /** Delivered per second from B's return to the last receipt. */
  overallPerSecond: number;
  /** Delivered per second in each tenth of the drain, in order of receipt: B is a new process, its first thousands of messages cost more (V8 optimises as it runs). */
  tenthsPerSecond: number[];
  /** CPU per message from B's return to the last receipt, each side, ms. */
  senderCpuMs: number;
  receiverCpuMs: number;
}

/** `nodes.bServe` is stopped and replaced by a new process on the same data and port. */
export async function measureBacklog(nodes: { a: RunningNode; b: RunningNode; bServe: ExtraProcess }, count: number, log: (line: string) => void): Promise<BacklogFigures> {
  const { a, b } = nodes;
  await nodes.bServe.stop('SIGTERM');
  log(`backlog: receiver down, queueing ${count} referrals`);
  const created = await createBurst(a, [b.url], count);
  log('backlog: queued; the receiver starts again');
  dropConnections();
  nodes.bServe = await serveAll(b);
  const upAt = Date.now();
  const sender = cpuMeter(servePidsOf(a.dataDir));
  const receiver = cpuMeter(servePidsOf(b.dataDir));
  await waitForDeliveries(a, created);
  const senderCpu = sender.ms();
  const receiverCpu = receiver.ms();
  const ids = new Set(created.map((c) => c.referralId));
  const rows = (await readStoredRows(a.dataDir, "select referral_id, attempts, delivered_at from envelopes where direction = 'outgoing'")).filter((r) => ids.has(String(r.referral_id)));
  const delivered = rows.map((r) => Date.parse(String(r.delivered_at)));
  const untried = rows.filter((r) => Number(r.attempts) === 1).map((r) => Date.parse(String(r.delivered_at)));
  const first = Math.min(...delivered);
  const last = Math.max(...delivered);
  const lastUntried = Math.max(...untried);
  log(`backlog: drained in ${((last - upAt) / 1_000).toFixed(1)} s`);
  return {
    count,
    firstAfterMs: first - upAt,
    lastAfterMs: last - upAt,
    lastUntriedAfterMs: lastUntried - upAt,
    triedWhileDown: rows.length - untried.length,
    drainPerSecond: ((count - 1) / (last - first)) * 1_000,
    untriedPerSecond: ((untried.length - 1) / (lastUntried - Math.min(...untried))) * 1_000,
    overallPerSecond: (count / (last - upAt)) * 1_000,
    tenthsPerSecond: ratesByTenth(delivered),
    senderCpuMs: senderCpu / count,
    receiverCpuMs: receiverCpu / count,
  };
}

/** The rate in each tenth of `times` (receipt times, ms), from its first receipt to its last. */
function ratesByTenth(times: readonly number[]): number[] {
  const sorted = [...times].sort((x, y) => x - y);
  const size = Math.floor(sorted.length / 10);
  if (size < 2) return [];
  return Array.from({ length: 10 }, (_, i) => ((size - 1) / Math.max(1, sorted[(i + 1) * size - 1]! - sorted[i * size]!)) * 1_000);
}
