// `npm run bench` (third part, issue 16 item 5): two real `referral-node serve` processes on
// loopback (SQLite, every role), referrals created through A's local API and delivered to B,
// measured beside the floor (bench/floor.ts: what the protocol requires and nothing more, with the
// same libraries) in the same run. Then a backlog queued while B is down, and A with dead peers.
// Start-up and memory beside a bare Hono server come from bench/startup.ts.
//
// Settings (environment):
//   BENCH_TWO_PROCESS_COUNT  referrals of the maximum-rate burst (default 2000)
//   BENCH_LATENCY_COUNT      referrals created at half the maximum rate for the latency (default 1000)
//   BENCH_LATENCY_RATE       that rate in referrals/s, instead of half the measured maximum
//   BENCH_WARMUP             referrals delivered before anything is measured, node and floor, each round (default 2000)
//   BENCH_BACKLOG_COUNT      referrals queued while the receiver is down (default 5000)
//   BENCH_LIVE_PEERS, BENCH_DEAD_PEERS, BENCH_DEAD_PEERS_COUNT, BENCH_DEAD_PEERS_ROUNDS
//                            see bench/dead-peers.ts (15, 5, 1000, 2)
//   BENCH_SIGN_IN_ROUNDS, BENCH_SIGN_INS, BENCH_IDLE_PROBES
//                            see bench/sign-in-load.ts (10, 20, 3000)
//   BENCH_ROUNDS             rounds of floor then node (default 3): the figures are each round's, and
//                            the targets are judged on the medians of the rounds' ratios
//   BENCH_PARTS              which parts to run, comma-separated: floor,node,backlog,dead-peers,startup,sign-in (all)
// Diagnostics, not part of the figures:
//   BENCH_CLIENTS            API clients creating the burst (default 8)
//   BENCH_SENDER_CONCURRENCY A's REFERRAL_NODE_DELIVERY_CONCURRENCY (default: the node's default)
//   BENCH_SENDER_SPLIT=1     A as `serve --role web` beside `serve --role worker`
//   BENCH_FLOOR_IN_FLIGHT    the floor's deliveries in flight (default: the node's default)
// CPU is read from /proc/<pid>/stat (utime + stime) of each process, so the bench runs on Linux.
import { describeStartup, measureStartup } from './startup.js';
import { measureSignInLoad, printSignInLoad } from './sign-in-load.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, type ExtraProcess, type RunningNode } from '../tests/_util/processes.js';
import { measureBacklog, type BacklogFigures } from './backlog.js';
import { measureDeadPeers, type DeadPeerFigures } from './dead-peers.js';
import { startFloor } from './floor.js';
import { addAndTrust, createBurst, createNode, createPaced, dropConnections, percentile, serveAll, serveWeb, serveWorker, waitForDeliveries, type Created } from './nodes.js';
import { cpuMeter, loopMeter, memoryMbOf, servePidsOf, writeMeter, type LoopShares } from './proc-stats.js';

const envNumber = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const COUNT = envNumber('BENCH_TWO_PROCESS_COUNT', 2_000);
const LATENCY_COUNT = envNumber('BENCH_LATENCY_COUNT', 1_000);
const LATENCY_RATE = process.env.BENCH_LATENCY_RATE ? Number(process.env.BENCH_LATENCY_RATE) : undefined;
// A process's first thousands of messages run slower than the rest: V8 optimises hot JavaScript,
// and tiers libsodium's WebAssembly up, as they run. 2,000 first (in each round, on the floor and
// on new node processes alike), so that both are measured as a server that has been up a while.
const WARMUP = envNumber('BENCH_WARMUP', 2_000);
const ROUNDS = Math.max(1, envNumber('BENCH_ROUNDS', 3));
const PARTS = new Set((process.env.BENCH_PARTS ?? 'floor,node,backlog,dead-peers,startup,sign-in').split(',').map((p) => p.trim()));

/** A run of `count` deliveries: how fast, and what each cost each side. */
export interface RunFigures {
  count: number;
  /** Delivered per second, from the start of the first creation to the last receipt. */
  perSecond: number;
  /** Creation (call start) to receipt (verified at the sender), ms. */
  p50: number;
  p99: number;
  senderCpuMs: number;
  receiverCpuMs: number;
  /** Bytes each side wrote to storage per message (database pages, write-ahead log, checkpoints). */
  senderWrittenKb: number;
  receiverWrittenKb: number;
  /** How each side's event loop spent the run: on a core, waiting for one, idle. */
  senderLoop: LoopShares;
  receiverLoop: LoopShares;
  /** Transactions per commit on each side during the run (group commit); absent for the floor, which commits each alone. */
  senderGroup?: number;
  receiverGroup?: number;
}

/** A node's count of transactions and of the commits that made them durable, from its /metrics. */
async function transactionCounts(node: RunningNode): Promise<{ transactions: number; commits: number }> {
  const response = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${node.token}` } });
  const text = await response.text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { transactions: value('referral_node_db_transactions_total'), commits: value('referral_node_db_commits_total') };
}

interface SideFigures {
  max: RunFigures;
  /** At half the maximum rate (or BENCH_LATENCY_RATE). */
  paced: RunFigures & { ratePerSecond: number };
  senderPeakMb: number;
  receiverPeakMb: number;
}

const began = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - began) / 1_000).toFixed(0).padStart(4)} s] ${line}\n`);

async function measureFloor(root: string, round: number): Promise<SideFigures> {
  const dir = join(root, `floor-${round}`);
  mkdirSync(dir);
  const floor = await startFloor(dir);
  try {
    if (WARMUP > 0) await floor.run({ count: WARMUP });
    const measure = async (count: number, ratePerSecond?: number): Promise<RunFigures> => {
      const sender = cpuMeter([floor.senderPid]);
      const receiver = cpuMeter([floor.receiverPid]);
      const senderWrites = writeMeter([floor.senderPid]);
      const receiverWrites = writeMeter([floor.receiverPid]);
      const senderLoop = loopMeter(floor.senderPid);
      const receiverLoop = loopMeter(floor.receiverPid);
      const result = await floor.run(ratePerSecond === undefined ? { count } : { count, ratePerSecond });
      return {
        count,
        perSecond: (count / (result.lastReceiptAt - result.startedAt)) * 1_000,
        p50: percentile(result.latenciesMs, 50),
        p99: percentile(result.latenciesMs, 99),
        senderCpuMs: sender.ms() / count,
        receiverCpuMs: receiver.ms() / count,
        senderWrittenKb: senderWrites.bytes() / 1024 / count,
        receiverWrittenKb: receiverWrites.bytes() / 1024 / count,
        senderLoop: senderLoop.shares(),
        receiverLoop: receiverLoop.shares(),
      };
    };
    const max = await measure(COUNT);
    log(`floor: ${max.perSecond.toFixed(0)} delivered/s`);
    const rate = LATENCY_RATE ?? max.perSecond / 2;
    const paced = { ...(await measure(LATENCY_COUNT, rate)), ratePerSecond: rate };
    log(`floor: p99 ${paced.p99} ms at ${rate.toFixed(0)}/s`);
    return { max, paced, senderPeakMb: memoryMbOf(floor.senderPid).peak, receiverPeakMb: memoryMbOf(floor.receiverPid).peak };
  } finally {
    await floor.stop();
  }
}

/** Two nodes serving every role, trusting each other: A sends to B. */
export interface TwoNodes {
  a: RunningNode;
  b: RunningNode;
  aServe: ExtraProcess;
  bServe: ExtraProcess;
}

/** A's env for its serve processes: the diagnostics' settings (BENCH_SENDER_CONCURRENCY). */
const senderEnv: Record<string, string> = process.env.BENCH_SENDER_CONCURRENCY ? { REFERRAL_NODE_DELIVERY_CONCURRENCY: process.env.BENCH_SENDER_CONCURRENCY } : {};

/** A's serve processes: one with every role, or (BENCH_SENDER_SPLIT=1) a web and a worker process. */
async function serveSender(a: RunningNode): Promise<ExtraProcess> {
  if (process.env.BENCH_SENDER_SPLIT !== '1') return serveAll(a, senderEnv);
  const worker = await serveWorker(a, senderEnv);
  const web = await serveWeb(a, senderEnv);
  return {
    logs: () => `${web.logs()}${worker.logs()}`,
    running: () => web.running() && worker.running(),
    stop: async (signal) => ((await Promise.all([web.stop(signal), worker.stop(signal)]))[0] ?? null),
  };
}

/** Both nodes' serve processes stopped and started again: each round measures processes as new as the floor's. */
async function restartTwoNodes(nodes: TwoNodes): Promise<void> {
  await Promise.all([nodes.aServe.stop('SIGTERM'), nodes.bServe.stop('SIGTERM')]);
  dropConnections();
  nodes.aServe = await serveSender(nodes.a);
  nodes.bServe = await serveAll(nodes.b);
}

async function startTwoNodes(root: string): Promise<TwoNodes> {
  const [a, b] = [await createNode(root, 'athens', 'GR'), await createNode(root, 'vienna', 'AT')];
  const aServe = await serveSender(a);
  const bServe = await serveAll(b);
  await addAndTrust(a, b);
  await addAndTrust(b, a);
  return { a, b, aServe, bServe };
}

async function measureNode(nodes: TwoNodes): Promise<SideFigures> {
  const { a, b } = nodes;
  const aPids = servePidsOf(a.dataDir);
  const bPids = servePidsOf(b.dataDir);
  if (WARMUP > 0) await waitForDeliveries(a, await createBurst(a, [b.url], WARMUP));
  const measure = async (create: () => Promise<Created[]>): Promise<RunFigures> => {
    const sender = cpuMeter(aPids);
    const receiver = cpuMeter(bPids);
    const senderWrites = writeMeter(aPids);
    const receiverWrites = writeMeter(bPids);
    const senderLoop = loopMeter(aPids[0]!);
    const receiverLoop = loopMeter(bPids[0]!);
    const countsBefore = await Promise.all([transactionCounts(a), transactionCounts(b)]);
    const created = await create();
    const delivered = await waitForDeliveries(a, created);
    const senderCpu = sender.ms();
    const receiverCpu = receiver.ms();
    const loops = { senderLoop: senderLoop.shares(), receiverLoop: receiverLoop.shares() };
    const countsAfter = await Promise.all([transactionCounts(a), transactionCounts(b)]);
    const group = (side: 0 | 1) =>
      (countsAfter[side].transactions - countsBefore[side].transactions) / (countsAfter[side].commits - countsBefore[side].commits);
    const latencies = created.map((c) => delivered.get(c.referralId)! - c.startedAt);
    const first = Math.min(...created.map((c) => c.startedAt));
    const last = Math.max(...delivered.values());
    return {
      count: created.length,
      perSecond: (created.length / (last - first)) * 1_000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      senderCpuMs: senderCpu / created.length,
      receiverCpuMs: receiverCpu / created.length,
      senderWrittenKb: senderWrites.bytes() / 1024 / created.length,
      receiverWrittenKb: receiverWrites.bytes() / 1024 / created.length,
      ...loops,
      senderGroup: group(0),
      receiverGroup: group(1),
    };
  };
  const max = await measure(() => createBurst(a, [b.url], COUNT, Number(process.env.BENCH_CLIENTS ?? 8)));
  log(`node: ${max.perSecond.toFixed(0)} delivered/s`);
  const rate = LATENCY_RATE ?? max.perSecond / 2;
  const paced = { ...(await measure(() => createPaced(a, [b.url], LATENCY_COUNT, rate))), ratePerSecond: rate };
  log(`node: p99 ${paced.p99} ms at ${rate.toFixed(0)}/s`);
  const peak = (pids: number[]) => pids.reduce((sum, pid) => sum + memoryMbOf(pid).peak, 0);
  return { max, paced, senderPeakMb: peak(aPids), receiverPeakMb: peak(bPids) };
}

/** Start-up and memory beside a bare Hono server (bench/startup.ts), with the targets. */
async function startupFigures(): Promise<void> {
  const figures = await measureStartup({});
  console.log(`\n${describeStartup(figures)}`);
  console.log(`target: start-up at most 2× a bare Hono server's: ${times(figures.ratios.start)}, ${verdict(figures.ratios.start <= 2)}`);
  console.log(`target: idle memory at most 1.5× a bare Hono server's: ${times(figures.ratios.rss)}, ${verdict(figures.ratios.rss <= 1.5)}`);
}

const ms = (n: number) => n.toFixed(n < 10 ? 1 : 0);
const times = (n: number) => `${n.toFixed(2)}×`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

interface Round {
  floor: SideFigures | undefined;
  node: SideFigures | undefined;
}

const medianOf = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function printComparison(rounds: readonly Round[]): void {
  if (rounds.length === 0) return;
  console.log(`\ntwo processes on loopback: ${COUNT} referrals as fast as they go, then ${LATENCY_COUNT} at half that rate; ${rounds.length} round(s), floor then node`);
  console.log(
    ['', 'delivered/s', 'sender CPU ms/msg', 'receiver CPU ms/msg', 'at msg/s', 'p50 ms', 'p99 ms', 'sender peak MB', 'receiver peak MB'].map((h, i) => (i === 0 ? h.padEnd(26) : h.padStart(i < 4 ? 12 : 10))).join(' '),
  );
  const row = (name: string, f: SideFigures) =>
    console.log(
      [name.padEnd(26), f.max.perSecond.toFixed(0).padStart(12), ms(f.max.senderCpuMs).padStart(12), ms(f.max.receiverCpuMs).padStart(12), f.paced.ratePerSecond.toFixed(0).padStart(10), ms(f.paced.p50).padStart(10), ms(f.paced.p99).padStart(10), f.senderPeakMb.toFixed(0).padStart(10), f.receiverPeakMb.toFixed(0).padStart(10)].join(' '),
    );
  const ratioRow = (name: string, r: Ratios) =>
    console.log([name.padEnd(26), times(r.rate).padStart(12), times(r.senderCpu).padStart(12), times(r.receiverCpu).padStart(12), ''.padStart(10), times(r.p50).padStart(10), times(r.p99).padStart(10)].join(' '));
  const percent = (n: number) => `${(n * 100).toFixed(0)}%`;
  const shares = (l: LoopShares) => `${percent(l.running)} / ${percent(l.waiting)} / ${percent(l.idle)}`;
  const ratios: Ratios[] = [];
  for (const [i, { floor, node }] of rounds.entries()) {
    const label = rounds.length > 1 ? ` ${i + 1}` : '';
    if (floor) row(`floor${label}`, floor);
    if (node) row(`node${label}`, node);
    if (floor && node) {
      const r = ratiosOf(floor, node);
      ratios.push(r);
      ratioRow(`node / floor${label}`, r);
    }
  }
  const detail = (name: string, f: SideFigures) => {
    console.log(`  ${name}: event loops on a core / waiting for one / idle: sender ${shares(f.max.senderLoop)}, receiver ${shares(f.max.receiverLoop)}`);
    console.log(`  ${name}: written to storage per message (pages, write-ahead log, checkpoints): sender ${f.max.senderWrittenKb.toFixed(1)} KB, receiver ${f.max.receiverWrittenKb.toFixed(1)} KB`);
    if (f.max.senderGroup !== undefined && f.max.receiverGroup !== undefined) {
      console.log(`  ${name}: transactions per commit (group commit; the floor commits each alone): sender ${f.max.senderGroup.toFixed(1)}, receiver ${f.max.receiverGroup.toFixed(1)}`);
      console.log(`  ${name}: CPU at half the maximum rate, ms/msg: sender ${ms(f.paced.senderCpuMs)}, receiver ${ms(f.paced.receiverCpuMs)}`);
    }
  };
  console.log('at the maximum rate, first round:');
  if (rounds[0]!.floor) detail('floor', rounds[0]!.floor);
  if (rounds[0]!.node) detail('node', rounds[0]!.node);
  const nodes = rounds.map((r) => r.node).filter((n): n is SideFigures => n !== undefined);
  if (nodes.length > 0) {
    const p99 = medianOf(nodes.map((n) => n.paced.p99));
    console.log(`target: p99 creation-to-receipt under 1 s at half the maximum rate: ${ms(p99)} ms (median of ${nodes.length}), ${verdict(p99 < 1_000)}`);
  }
  if (ratios.length === 0) return;
  const of = (pick: (r: Ratios) => number) => medianOf(ratios.map(pick));
  const rate = of((r) => r.rate);
  const senderCpu = of((r) => r.senderCpu);
  const receiverCpu = of((r) => r.receiverCpu);
  const each = (pick: (r: Ratios) => number) => (ratios.length > 1 ? ` (rounds: ${ratios.map((r) => times(pick(r))).join(', ')})` : '');
  console.log(`target: delivered/s at least 0.6× the floor's: ${times(rate)}${each((r) => r.rate)}, ${verdict(rate >= 0.6)}`);
  console.log(`target: CPU per message at most 2× the floor's on each side: sender ${times(senderCpu)}${each((r) => r.senderCpu)}, receiver ${times(receiverCpu)}${each((r) => r.receiverCpu)}, ${verdict(senderCpu <= 2 && receiverCpu <= 2)}`);
  if (ratios.length > 1) console.log('  (medians of the rounds\' ratios, each node run against the floor run just before it)');
}

interface Ratios {
  rate: number;
  senderCpu: number;
  receiverCpu: number;
  p50: number;
  p99: number;
}

const ratiosOf = (floor: SideFigures, node: SideFigures): Ratios => ({
  rate: node.max.perSecond / floor.max.perSecond,
  senderCpu: node.max.senderCpuMs / floor.max.senderCpuMs,
  receiverCpu: node.max.receiverCpuMs / floor.max.receiverCpuMs,
  p50: node.paced.p50 / floor.paced.p50,
  p99: node.paced.p99 / floor.paced.p99,
});

function printBacklog(backlog: BacklogFigures, steadyPerSecond: number | undefined): void {
  const seconds = (n: number) => `${(n / 1_000).toFixed(1)} s`;
  console.log(`\nbacklog: ${backlog.count} referrals queued while the receiver was down, then it came back`);
  console.log(`  after its return: first receipt ${seconds(backlog.firstAfterMs)} (the breaker's next probe), last ${seconds(backlog.lastAfterMs)}; last of those never tried while it was down ${seconds(backlog.lastUntriedAfterMs)}`);
  console.log(`  ${backlog.triedWhileDown} envelopes were tried while it was down: each waits out its own backoff after the peer answers again`);
  console.log(`  drain: ${backlog.drainPerSecond.toFixed(0)} delivered/s from the first receipt to the last; ${backlog.untriedPerSecond.toFixed(0)}/s for those never tried; ${backlog.overallPerSecond.toFixed(0)}/s counting from the return`);
  if (backlog.tenthsPerSecond.length > 0) console.log(`  by tenth of the drain, delivered/s: ${backlog.tenthsPerSecond.map((r) => r.toFixed(0)).join(', ')} (the receiver is a new process, warming up)`);
  console.log(`  CPU per message while draining: sender ${ms(backlog.senderCpuMs)} ms, receiver ${ms(backlog.receiverCpuMs)} ms`);
  if (steadyPerSecond !== undefined) {
    const ratio = backlog.drainPerSecond / steadyPerSecond;
    console.log(`target: the backlog drains at least as fast as the steady rate (${steadyPerSecond.toFixed(0)}/s): ${times(ratio)}, ${verdict(ratio >= 1)}`);
  }
}

function printDeadPeers(dead: DeadPeerFigures): void {
  const mean = (runs: DeadPeerFigures['noneDead']) => runs.reduce((sum, r) => sum + r.perSecond, 0) / runs.length;
  const rates = (runs: DeadPeerFigures['noneDead']) => runs.map((r) => r.perSecond.toFixed(0)).join(', ');
  const cpu = (runs: DeadPeerFigures['noneDead']) => runs.map((r) => ms(r.workerCpuMs)).join(', ');
  console.log(`\ndead peers: ${dead.live} live peers (real serve processes), ${dead.count} referrals to them queued in each run, then A's worker started`);
  console.log(`  none dead: ${rates(dead.noneDead)} delivered/s to the live peers (worker CPU ${cpu(dead.noneDead)} ms/msg)`);
  console.log(`  ${dead.dead} dead (accept, never answer; ${dead.deadCount} referrals to them too): ${rates(dead.withDead)} delivered/s (worker CPU ${cpu(dead.withDead)} ms/msg); ${dead.connectionsToDead} connections to the dead`);
  const ratio = mean(dead.withDead) / mean(dead.noneDead);
  console.log(`target: the rate to the others within 10% of the rate with none dead (means of ${dead.noneDead.length} runs): ${times(ratio)}, ${verdict(ratio >= 0.9)}`);
}

const root = mkdtempSync(join(tmpdir(), 'refnet-bench-two-'));
const loadBefore = loadavg();
try {
  let nodes: TwoNodes | undefined;
  if (PARTS.has('node') || PARTS.has('backlog')) nodes = await startTwoNodes(root);
  // Floor and node turn about, round after round: a machine that is busier for a while weighs on
  // both, and each round's ratios compare runs made minutes apart at most.
  const rounds: Round[] = [];
  const measuresNode = PARTS.has('node');
  if (PARTS.has('floor') || measuresNode) {
    for (let round = 0; round < ROUNDS; round++) {
      const floor = PARTS.has('floor') ? await measureFloor(root, round) : undefined;
      if (measuresNode && round > 0) await restartTwoNodes(nodes!);
      const node = measuresNode ? await measureNode(nodes!) : undefined;
      rounds.push({ floor, node });
    }
  }
  printComparison(rounds);
  const steadyPerSecond = rounds.length > 0 && measuresNode ? medianOf(rounds.map((r) => r.node!.max.perSecond)) : undefined;
  if (PARTS.has('backlog')) printBacklog(await measureBacklog(nodes!, envNumber('BENCH_BACKLOG_COUNT', 5_000), log), steadyPerSecond);
  if (nodes) for (const p of [nodes.aServe, nodes.bServe]) await p.stop('SIGTERM');
  if (PARTS.has('dead-peers')) printDeadPeers(await measureDeadPeers(join(root, 'dead-peers'), log));
  if (PARTS.has('startup')) await startupFigures();
  if (PARTS.has('sign-in')) printSignInLoad(await measureSignInLoad(root, log));
} finally {
  await cleanup.run();
  rmSync(root, { recursive: true, force: true });
}
const cpu = cpus();
console.log(
  `\nmachine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after; ${((Date.now() - began) / 60_000).toFixed(1)} min`,
);
