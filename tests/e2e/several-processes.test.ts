// Several processes serving one node's data: two web and two worker processes of the sender (on
// PostgreSQL, or on one SQLite file), referrals created through both web processes, one worker
// killed with SIGKILL while it delivers. Every message reaches the receiver exactly once, the
// sender's audit log verifies, no lease is left held, and each periodic job ran in one process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, readStoredRows } from '../_util/database.js';
import { cleanup, freePort, pollUntil, runCli, spawnServeProcess, startNode, trustEachOther, type ExtraProcess, type RunningNode } from '../_util/processes.js';
import { referralRequest } from '../_util/test-node.js';

/**
 * How many referrals: 2,000 in `npm run test:processes` (CI runs it on PostgreSQL, as the storage
 * issue asks); fewer inside the two whole-suite runs, which must each stay under ten minutes.
 */
const COUNT = Number(process.env.REFNET_SEVERAL_PROCESSES_COUNT ?? (onPostgres ? 500 : 300));
const CLIENTS = 8;
const TIMEOUT = 900_000;

let a: RunningNode;
let b: RunningNode;
let web: ExtraProcess[];
let workers: ExtraProcess[];
let second: string;

const env = { REFERRAL_NODE_CHECKPOINT_SECONDS: '5' };

beforeAll(async () => {
  [a, b] = await Promise.all([
    startNode({ name: 'Athens Women Support', country: 'GR', languages: ['el', 'en'], env }),
    startNode({ name: 'Wien Frauenberatung', country: 'AT', languages: ['de', 'en'], env }),
  ]);
  await trustEachOther(a, b);
  // The sender's single process gives way to four: two web (one on the node's own URL), two workers.
  expect(await a.stop('SIGTERM')).toBe(0);
  const port = await freePort();
  second = `http://127.0.0.1:${port}`;
  web = await Promise.all([
    spawnServeProcess(a, ['--role', 'web', '--port', String(a.port), '--host', '127.0.0.1'], /node listening/, env),
    spawnServeProcess(a, ['--role', 'web', '--port', String(port), '--host', '127.0.0.1'], /node listening/, env),
  ]);
  workers = await Promise.all([
    spawnServeProcess(a, ['--role', 'worker'], /node working/, env),
    spawnServeProcess(a, ['--role', 'worker'], /node working/, env),
  ]);
}, 180_000);

afterAll(() => cleanup.run(), 60_000);

const outgoing = async () =>
  (await readStoredRows(a.dataDir, "select id, delivery_state, lease_until, lease_owner from envelopes where direction = 'outgoing'")) as Array<{
    id: string;
    delivery_state: string;
    lease_until: string | null;
    lease_owner: string | null;
  }>;

async function createReferrals(): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const client = async (n: number) => {
    const base = n % 2 === 0 ? a.url : second;
    while (next < COUNT) {
      next += 1;
      const response = await fetch(`${base}/api/v1/referrals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(referralRequest(b.url)),
      });
      const body = (await response.json()) as { id?: string; detail?: string };
      if (response.status !== 201 || !body.id) {
        throw new Error(`POST ${base}/api/v1/referrals: ${response.status} ${JSON.stringify(body)}\n${web.map((w) => w.logs().slice(-3_000)).join('\n')}`);
      }
      ids.push(body.id);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  return ids;
}

describe('two web and two worker processes on one database', () => {
  let ids: string[];
  let killedWith: number;

  it(`create ${COUNT} referrals through both web processes, and deliver them while one worker is killed`, async () => {
    // Kill a worker once part, not all, of the backlog has left: the workers deliver while the
    // referrals are still being created (the outbox is concurrent), so the kill comes at the first
    // deliveries, while the web processes are still queueing.
    const creating = createReferrals();
    killedWith = await pollUntil(
      async () => {
        const delivered = (await outgoing()).filter((e) => e.delivery_state === 'delivered').length;
        return delivered > 0 ? delivered : undefined;
      },
      { timeoutMs: Number(process.env.FIRST_MS ?? 300_000), intervalMs: 100, what: `the first deliveries; workers said:\n${workers.map((w) => w.logs()).join('\n')}\n${JSON.stringify((await readStoredRows(a.dataDir, 'select * from envelopes')).slice(0, 3).map((r) => ({ ...r, payload: undefined })))}` },
    );
    await workers[0]!.stop('SIGKILL');
    ids = await creating;
    expect(new Set(ids).size).toBe(COUNT);
    const rows = await pollUntil(
      async () => {
        const now = await outgoing();
        return now.length === COUNT && now.every((e) => e.delivery_state === 'delivered') ? now : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 1_000, what: `all ${COUNT} offers delivered` },
    );
    expect(killedWith).toBeLessThan(COUNT);
    expect(rows.filter((e) => e.lease_until !== null || e.lease_owner !== null)).toEqual([]);
  }, TIMEOUT);

  it('the receiver holds every message exactly once', async () => {
    const received = await readStoredRows(b.dataDir, "select id, referral_id from envelopes where direction = 'incoming'");
    expect(received).toHaveLength(COUNT);
    expect(new Set(received.map((r) => r.id)).size).toBe(COUNT);
    expect(new Set(received.map((r) => r.referral_id))).toEqual(new Set(ids));
    const referrals = await readStoredRows(b.dataDir, "select id from referrals where direction = 'incoming'");
    expect(referrals).toHaveLength(COUNT);
  });

  it("the sender's audit log is gap-free and verifies", async () => {
    const indexes = (await readStoredRows(a.dataDir, 'select idx from audit_log order by idx')).map((r) => Number(r.idx));
    expect(indexes).toEqual(indexes.map((_, i) => i));
    const disclosures = await readStoredRows(a.dataDir, "select idx from audit_log where type = 'data.disclosed'");
    expect(disclosures).toHaveLength(COUNT);
    // The checkpoint job signs every 5 s here and the witness cosigns just after: a verification in
    // between finds the newest checkpoint not cosigned yet. It is run again until it passes, or
    // the deadline shows the last report.
    let last = '';
    await pollUntil(
      async () => {
        const verify = await runCli(['audit', 'verify', '--data', a.dataDir, '--json']);
        last = verify.stdout;
        const report = JSON.parse(verify.stdout) as { integrity?: { ok?: boolean }; consent?: { ok?: boolean } };
        return report.integrity?.ok === true && report.consent?.ok === true ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, what: 'the audit log to verify' },
    ).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : 'error'}\n${last.slice(0, 2_000)}`);
    });
  }, 180_000);

  it("the killed worker is forgotten, and the surviving one takes over its periodic jobs", async () => {
    // The checkpoint job ticks every 5 s here: the survivor claims it once the dead worker is forgotten.
    const processes = await pollUntil(
      async () => {
        const registered = await readStoredRows(a.dataDir, 'select id, role from node_processes');
        const checkpoints = await readStoredRows(a.dataDir, "select owner from job_leases where name = 'checkpoint round'");
        return registered.length === 1 && checkpoints[0]?.owner === registered[0]!.id ? registered : undefined;
      },
      { timeoutMs: 60_000, what: 'the surviving worker to hold the checkpoint job' },
    );
    expect(processes.map((p) => p.role)).toEqual(['worker']);
    // Every job is held by the one live process (none by the dead one, none twice: the name is the key).
    const jobs = await readStoredRows(a.dataDir, 'select name, owner from job_leases');
    expect(jobs.filter((job) => job.owner !== processes[0]!.id)).toEqual([]);
  }, 90_000);

  it('the processes stop cleanly and leave nothing held', async () => {
    for (const p of [...web, workers[1]!]) expect(await p.stop('SIGTERM')).toBe(0);
    expect(await readStoredRows(a.dataDir, 'select id from node_processes')).toEqual([]);
    expect(await readStoredRows(a.dataDir, 'select name from job_leases')).toEqual([]);
  }, 60_000);
});
