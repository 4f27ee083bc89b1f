// `npm run bench` (second part): delivered messages per second from one node to another, real
// processes on loopback: the sender's worker posting one envelope at a time to the peer (the
// baseline: how the outbox worked before it was concurrent), then with the default concurrency,
// on SQLite and on PostgreSQL with one and with two worker processes. The sender's web process queues
// BENCH_DELIVERY_COUNT referrals (default 1,000) first; then its workers start, and the rate is
// counted from the first delivery to the last. Figures are ratios to the baseline of the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgresCluster, type PostgresCluster } from '../node/demo/postgres-cluster.js';
import { readStoredRows } from '../tests/_util/database.js';
import { cleanup, pollUntil, runCliOk, spawnServeProcess, type ExtraProcess, type RunningNode } from '../tests/_util/processes.js';
import { createNode, serveAll, serveWeb } from './nodes.js';
import { referralRequest } from '../tests/_util/test-node.js';

const COUNT = Number(process.env.BENCH_DELIVERY_COUNT ?? 1_000);
const CLIENTS = 8;

interface Setup {
  name: string;
  store: 'sqlite' | 'postgres';
  workers: number;
  /** REFERRAL_NODE_DELIVERY_CONCURRENCY of the sender's workers; the default when absent. */
  concurrency?: number;
}

const setups: Setup[] = [
  { name: 'SQLite, 1 worker, 1 in flight (baseline)', store: 'sqlite', workers: 1, concurrency: 1 },
  { name: 'SQLite, 1 worker', store: 'sqlite', workers: 1 },
  { name: 'PostgreSQL, 1 worker', store: 'postgres', workers: 1 },
  { name: 'PostgreSQL, 2 workers', store: 'postgres', workers: 2 },
];

async function queueReferrals(a: RunningNode, to: string): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < COUNT) {
      next += 1;
      const response = await fetch(`${a.url}/api/v1/referrals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(referralRequest(to)),
      });
      if (response.status !== 201) throw new Error(`create answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
}

const deliveredCount = async (a: RunningNode) =>
  Number((await readStoredRows(a.dataDir, "select count(*) as n from envelopes where direction = 'outgoing' and delivery_state = 'delivered'"))[0]!.n);

async function run(setup: Setup, cluster: PostgresCluster | undefined, index: number): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'refnet-bench-'));
  const processes: ExtraProcess[] = [];
  try {
    const databaseUrl = setup.store === 'postgres' ? await cluster!.createDatabase(`bench_${index}_${Date.now()}`) : undefined;
    const a = await createNode(root, 'athens', 'GR', databaseUrl);
    const b = await createNode(root, 'vienna', 'AT', undefined);
    const [aAll, bAll] = await Promise.all([serveAll(a), serveAll(b)]);
    processes.push(bAll);
    for (const [self, other] of [[a, b], [b, a]] as const) {
      await runCliOk(['peer', 'add', other.url, '--data', self.dataDir]);
      await runCliOk(['peer', 'trust', other.url, '--data', self.dataDir]);
    }
    await aAll.stop('SIGTERM');
    processes.push(await serveWeb(a));
    await queueReferrals(a, b.url);
    process.stderr.write(`${setup.name}: ${COUNT} referrals queued\n`);
    const env = setup.concurrency ? { REFERRAL_NODE_DELIVERY_CONCURRENCY: String(setup.concurrency) } : {};
    for (let w = 0; w < setup.workers; w++) processes.push(await spawnServeProcess(a, ['--role', 'worker'], /node working/, env));
    const first = await pollUntil(async () => ((await deliveredCount(a)) > 0 ? performance.now() : undefined), { timeoutMs: 120_000, intervalMs: 20, what: 'the first delivery' });
    const last = await pollUntil(async () => ((await deliveredCount(a)) >= COUNT ? performance.now() : undefined), { timeoutMs: 1_200_000, intervalMs: 50, what: 'every delivery' });
    return ((COUNT - 1) / (last - first)) * 1_000;
  } finally {
    for (const p of processes) await p.stop('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}

const clusterDir = mkdtempSync(join(tmpdir(), 'refnet-bench-postgres-'));
// Durable, as a real node's server would be.
const cluster = await startPostgresCluster(clusterDir);
try {
  const rates: number[] = [];
  for (const [i, setup] of setups.entries()) {
    rates.push(await run(setup, cluster, i));
    process.stderr.write(`measured: ${setup.name}\n`);
  }
  const baseline = rates[0]!;
  console.log(`\ndelivered messages per second, ${COUNT} referrals queued, 1 receiver process (SQLite)`.padEnd(75));
  console.log('setup'.padEnd(45), 'messages/s'.padStart(12), 'vs baseline'.padStart(14));
  for (const [i, setup] of setups.entries()) console.log(setup.name.padEnd(45), rates[i]!.toFixed(0).padStart(12), `${(rates[i]! / baseline).toFixed(2)}×`.padStart(14));
} finally {
  await cleanup.run();
  await cluster.stop();
  rmSync(clusterDir, { recursive: true, force: true });
}
