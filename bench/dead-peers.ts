// A sender with dead peers (issue 16 item 5): A trusts BENCH_LIVE_PEERS real nodes (each its own
// `serve` process, every role, trusting A back) and, in half the runs, BENCH_DEAD_PEERS more
// that accept connections and never answer (bench/blackhole.ts, on the port of a node A added
// while it was up; suspended by A in the runs without them, so their envelopes wait). Each run
// queues BENCH_DEAD_PEERS_COUNT referrals to the live peers through A's web process (and, with the
// dead, as many to each dead peer as to each live one), then starts A's worker and times the
// deliveries to the live peers, from the first receipt to the last. BENCH_DEAD_PEERS_ROUNDS pairs
// of runs (default 2), in alternating order: on a shared machine one pair says little.
import { mkdirSync } from 'node:fs';
import type { RunningNode } from '../tests/_util/processes.js';
import { startBlackhole, type Blackhole } from './blackhole.js';
import { addAndTrust, changePeerState, createBurst, createNode, inParallel, serveAll, serveWeb, serveWorker, waitForDeliveries } from './nodes.js';
import { cpuMeter, servePidsOf } from './proc-stats.js';

const envNumber = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const LIVE = envNumber('BENCH_LIVE_PEERS', 15);
const DEAD = envNumber('BENCH_DEAD_PEERS', 5);
const COUNT = envNumber('BENCH_DEAD_PEERS_COUNT', 1_000);
const ROUNDS = envNumber('BENCH_DEAD_PEERS_ROUNDS', 2);

export interface DrainFigures {
  /** Delivered per second to the live peers, from the first receipt to the last. */
  perSecond: number;
  /** CPU of A's worker process per message delivered, ms. */
  workerCpuMs: number;
}

export interface DeadPeerFigures {
  live: number;
  dead: number;
  /** Referrals to the live peers in each run, and to the dead ones in the second. */
  count: number;
  deadCount: number;
  /** One of each per round, in the order they ran. */
  noneDead: DrainFigures[];
  withDead: DrainFigures[];
  /** Connections the dead peers accepted (and never answered) over the runs with them. */
  connectionsToDead: number;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Queues `count` referrals to `targets` in turn through A's web process, then lets a worker deliver those to `live`. */
async function drain(a: RunningNode, targets: readonly string[], count: number, live: ReadonlySet<string>): Promise<DrainFigures> {
  const created = (await createBurst(a, targets, count)).filter((c) => live.has(c.to));
  const webPids = new Set(servePidsOf(a.dataDir));
  const worker = await serveWorker(a);
  try {
    const meter = cpuMeter(servePidsOf(a.dataDir).filter((pid) => !webPids.has(pid)));
    const delivered = [...(await waitForDeliveries(a, created)).values()];
    const workerCpu = meter.ms();
    const first = Math.min(...delivered);
    const last = Math.max(...delivered);
    return { perSecond: ((delivered.length - 1) / (last - first)) * 1_000, workerCpuMs: workerCpu / delivered.length };
  } finally {
    await worker.stop('SIGTERM');
  }
}

export async function measureDeadPeers(root: string, log: (line: string) => void): Promise<DeadPeerFigures> {
  mkdirSync(root, { recursive: true });
  const blackholes: Blackhole[] = [];
  try {
    log(`dead peers: creating A, ${LIVE} live and ${DEAD} dead-to-be nodes`);
    const a = await createNode(root, 'sender', 'GR');
    const live = await inParallel(range(LIVE), 2, (i) => createNode(root, `live-${i}`, 'AT'));
    const dead = await inParallel(range(DEAD), 2, (i) => createNode(root, `dead-${i}`, 'DE'));
    log('dead peers: nodes created');
    await serveWeb(a);
    await inParallel(live, 2, (peer) => serveAll(peer));
    log('dead peers: live peers serving');
    for (const peer of live) {
      await addAndTrust(a, peer);
      await addAndTrust(peer, a);
    }
    const liveUrls = new Set(live.map((p) => p.url));
    const targets = [...live, ...dead].map((p) => p.url);
    const total = Math.round((COUNT * targets.length) / LIVE);
    // Every live peer receives a few first: its first envelopes load and compile the receiving code.
    log('dead peers: warming up the live peers');
    await drain(a, [...liveUrls], LIVE * 5, liveUrls);
    // A adds each of the others while it answers; then it dies, and its port never answers again.
    for (const peer of dead) {
      const serving = await serveWeb(peer);
      await addAndTrust(a, peer);
      await serving.stop('SIGTERM');
      blackholes.push(await startBlackhole(peer.port));
    }
    // In the runs without them, A has suspended them: their envelopes wait.
    let deadTrusted = true;
    const setDead = async (trusted: boolean) => {
      if (trusted === deadTrusted) return;
      for (const peer of dead) await changePeerState(a, trusted ? 'restore' : 'suspend', peer.url);
      deadTrusted = trusted;
    };
    const noneDead: DrainFigures[] = [];
    const withDead: DrainFigures[] = [];
    // Rounds in the order none-dead, dead-none, none-dead, ...: A's database grows with every run,
    // and a drift over the runs weighs alike on both kinds (it fell on the runs with the dead when
    // they always came second).
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? (['none', 'dead'] as const) : (['dead', 'none'] as const);
      for (const kind of order) {
        await setDead(kind === 'dead');
        if (kind === 'none') {
          log(`dead peers, round ${round}: ${LIVE} live peers, none dead`);
          noneDead.push(await drain(a, [...liveUrls], COUNT, liveUrls));
        } else {
          log(`dead peers, round ${round}: ${LIVE} live peers, ${DEAD} dead`);
          withDead.push(await drain(a, targets, total, liveUrls));
        }
      }
    }
    return {
      live: LIVE,
      dead: DEAD,
      count: COUNT,
      deadCount: total - COUNT,
      noneDead,
      withDead,
      connectionsToDead: blackholes.reduce((sum, b) => sum + b.accepted(), 0),
    };
  } finally {
    for (const blackhole of blackholes) await blackhole.close();
  }
}

