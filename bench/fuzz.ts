// `npm run fuzz` (issue 17 item 8): hostile requests against a REAL node process, with the
// generators of tests/security/hostile-input.test.ts. Two nodes are started as an operator would
// run them (raised request limits, as the tests' nodes), trust each other, and the peer sends a
// referral; the node under attack also holds a service, a consent and an invitation. Then
// FUZZ_REQUESTS requests (100,000 by default), drawn by fast-check from every operation of both
// specs, are sent one after another, each signed where it must be with the peer's key.
//
// Then the peer is stopped, and the node runs as a `serve --role web` process only: no delivery
// worker and no periodic job writes to its database while the requests go on, so whatever changes
// follows from a request.
//
// Counted: answers 5xx; refusals that are not a problem document of the spec; crashes (the process
// exited, or refused the connection: it is started again and the run goes on); and state changed
// by a refused request. For the last, a cheap probe tells whether anything at all was committed
// since the previous request (SQLite's data_version, PostgreSQL's next transaction id); only then
// is the whole database read (tests/_util/database-snapshot.ts) and compared with what it held
// after the previous change, and the difference, if the request was refused, counted and shown.
// Exits 1 if any count is not 0. FUZZ_SEED replays a run; REFNET_TEST_DATABASE=postgres runs
// it on PostgreSQL (a throwaway server, as the tests', unless REFNET_TEST_POSTGRES_URL names one).
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { resolveConfig } from '../node/config/config.js';
import { generateSigningKey } from '../node/identity/keys.js';
import { openNode } from '../node/node.js';
import { startPostgresCluster } from '../node/demo/postgres-cluster.js';
import { createLogger } from '../node/logging/logger.js';
import { diffSnapshots, REFUSED_REQUEST_MAY_CHANGE, snapshotDatabase, type DatabaseSnapshot } from '../tests/_util/database-snapshot.js';
import { buildRequest, judgeResponse, planArbitrary, specRoutes, type FuzzTarget } from '../tests/_util/hostile-input.js';
import { readStoredRows } from '../tests/_util/database.js';
import { cleanup, pollUntil, spawnServeProcess, startNode, trustEachOther, type ExtraProcess, type RunningNode } from '../tests/_util/processes.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 100_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const CHUNK = 1_000;
const REQUEST_TIMEOUT_MS = 30_000;


/** Something that moves whenever anything is committed to the node's database, read cheaply. */
async function commitProbe(dataDir: string): Promise<{ read(): Promise<string>; close(): Promise<void> }> {
  const urlFile = join(dataDir, 'database-url');
  if (!existsSync(urlFile)) {
    const db = new SQLite(join(dataDir, 'node.sqlite'), { readonly: true, fileMustExist: true, timeout: 5_000 });
    return {
      async read() {
        return String(db.pragma('data_version', { simple: true }));
      },
      async close() {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: readFileSync(urlFile, 'utf8').trim() });
  await client.connect();
  return {
    async read() {
      return String((await client.query<{ x: string }>('select pg_snapshot_xmax(pg_current_snapshot())::text as x')).rows[0]!.x);
    },
    async close() {
      await client.end();
    },
  };
}

async function seed(peer: RunningNode, node: RunningNode): Promise<void> {
  const json = (body: unknown, method = 'POST'): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const sent = await peer.api('/api/v1/referrals', json({
    to: node.url, needs: ['vocational-training'], urgency: 'routine', reason: 'She wants to train as a pastry cook.',
    client: { identity: { given_name: 'Amal', nationality: 'SY' }, situation: { summary: 'Lives in a shelter in Athens.', languages_spoken: ['ar'] } },
    consent: { categories: ['identity', 'situation'], purposes: ['referral'], method: 'written', language: 'ar', valid_until: inDays(90) },
  }));
  if (sent.status !== 201) throw new Error(`the peer's referral was refused: ${sent.status} ${await sent.text()}`);
  await pollUntil(async () => ((await readStoredRows(node.dataDir, 'select id from referrals')).length > 0 ? true : undefined), { timeoutMs: 60_000, what: 'the referral to arrive' });
  for (const [path, body] of [
    ['/api/v1/services', {
      name: { en: 'Vocational training' }, description: { en: 'Twelve months, German lessons included.' }, categories: ['vocational-training'], languages: ['de', 'en'],
      modes: ['in-person'], location: { country: 'AT', region: 'Wien', city: 'Wien' },
    }],
    ['/api/v1/consents', { categories: ['situation'], purposes: ['referral'], recipients: [peer.url], method: 'written', language: 'el', valid_until: inDays(90) }],
    ['/api/v1/invitations', {}],
  ] as const) {
    const response = await node.api(path, json(body));
    if (response.status !== 201) throw new Error(`${path} was refused: ${response.status} ${await response.text()}`);
  }
}

async function main(): Promise<void> {
  console.log(`fuzz: ${REQUESTS} requests, seed ${SEED} (FUZZ_SEED=${SEED} replays them)`);
  if (process.env.REFNET_TEST_DATABASE === 'postgres' && !process.env.REFNET_TEST_POSTGRES_URL) {
    const dir = mkdtempSync(join(tmpdir(), 'refnet-fuzz-postgres-'));
    const cluster = await startPostgresCluster(dir, { durable: false });
    process.env.REFNET_TEST_POSTGRES_URL = cluster.url('postgres');
    cleanup.add(async () => {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    });
  }
  console.log(`  on ${process.env.REFNET_TEST_DATABASE === 'postgres' ? 'PostgreSQL' : 'SQLite'}`);
  const env = { REFERRAL_NODE_LOG_LEVEL: 'warn' };
  const peer = await startNode({ name: 'Fuzz peer', country: 'GR', languages: ['el', 'en'], env });
  const node = await startNode({ name: 'Fuzz target', country: 'AT', languages: ['de', 'en'], env });
  await trustEachOther(peer, node);
  await seed(peer, node);

  // The peer's keys, read from its data folder (as a second process of the peer would).
  const urlFile = join(peer.dataDir, 'database-url');
  const peerConfig = resolveConfig({ data: peer.dataDir, databaseUrl: existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : undefined }, {});
  const peerNode = await openNode(peerConfig, { logger: createLogger('error') });
  const nodeIdentity = (await (await fetch(`${node.url}/.well-known/referral-node`)).text()).split('.')[1]!;
  const encryptionKey = (JSON.parse(Buffer.from(nodeIdentity, 'base64url').toString('utf8')) as { jwks: { keys: Array<{ use?: string; kid: string }> } }).jwks.keys.find((k) => k.use === 'enc');
  const ids = async (table: string) => (await readStoredRows(node.dataDir, `select id from ${table}`)).map((r) => String(r.id));
  const target: FuzzTarget = {
    nodeId: node.url,
    token: node.token,
    ids: { referrals: await ids('referrals'), consents: await ids('consents'), services: await ids('services'), invitations: await ids('invitations'), messages: await ids('envelopes') },
    peer: { nodeId: peer.url, signingKey: peerNode.ctx.self.signingKey, encryptionKey: peerNode.ctx.self.encryptionKey.publicJwk },
    stranger: (await generateSigningKey()).key,
    encryptionKey: encryptionKey as FuzzTarget['encryptionKey'],
    now: () => new Date(),
  };

  // From here on, only the requests write: the peer is stopped (its deliveries, directory syncs and
  // checkpoints to witness would be accepted requests of their own), and the node serves without
  // a delivery worker or periodic jobs.
  await peer.stop();
  await node.stop();
  const serveWeb = () => spawnServeProcess(node, ['--role', 'web', '--port', String(node.port), '--host', '127.0.0.1'], /node listening/);
  let web: ExtraProcess = await serveWeb();

  const routes = specRoutes();
  const arbitrary = planArbitrary(routes, { hugeMax: 1_200_000 });
  const probe = await commitProbe(node.dataDir);
  const counts = { requests: 0, refused: 0, accepted: 0, serverErrors: 0, badRefusals: 0, crashes: 0, stateChanges: 0, snapshots: 0 };
  const byStatus = new Map<number, number>();
  const samples: string[] = [];
  const note = (kind: string, text: string) => {
    if (samples.length < 20) samples.push(`[${kind}] ${text}`);
  };
  let baseline: DatabaseSnapshot = await snapshotDatabase(node.dataDir, REFUSED_REQUEST_MAY_CHANGE);
  let version = await probe.read();
  const started = Date.now();

  for (let chunk = 0; counts.requests < REQUESTS; chunk++) {
    const plans = fc.sample(arbitrary, { numRuns: Math.min(CHUNK, REQUESTS - counts.requests), seed: SEED + chunk });
    for (const plan of plans) {
      counts.requests++;
      const built = await buildRequest(plan, target);
      let response: Response;
      try {
        response = await fetch(`${node.url}${built.path}`, { ...built.init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      } catch (error) {
        counts.crashes++;
        note('crash', `${built.label}\n  ${String(error)}; process ${web.running() ? 'still running' : 'exited'}\n  ${web.logs().slice(-1_000)}`);
        if (!web.running()) web = await serveWeb();
        baseline = await snapshotDatabase(node.dataDir, REFUSED_REQUEST_MAY_CHANGE);
        version = await probe.read();
        continue;
      }
      const verdict = await judgeResponse(built.path, response);
      byStatus.set(verdict.status, (byStatus.get(verdict.status) ?? 0) + 1);
      if (verdict.refused) counts.refused++;
      else counts.accepted++;
      if (verdict.status >= 500) counts.serverErrors++;
      else if (verdict.faults.length > 0) counts.badRefusals++;
      if (verdict.faults.length > 0) note('answer', `${built.label}\n  ${verdict.faults.join('\n  ')}`);
      const now = await probe.read();
      if (now !== version) {
        version = now;
        counts.snapshots++;
        const after = await snapshotDatabase(node.dataDir, REFUSED_REQUEST_MAY_CHANGE);
        if (verdict.refused) {
          const diff = diffSnapshots(baseline, after);
          if (diff.length > 0) {
            counts.stateChanges++;
            note('state', `${built.label}\n  refused with ${verdict.status}, and the database changed:\n  ${diff.join('\n  ')}`);
          }
        }
        baseline = after;
      }
      if (counts.requests % 10_000 === 0) {
        const seconds = (Date.now() - started) / 1000;
        console.log(`  ${counts.requests} requests in ${seconds.toFixed(0)} s; 5xx ${counts.serverErrors}, bad refusals ${counts.badRefusals}, crashes ${counts.crashes}, state changes ${counts.stateChanges}`);
      }
    }
  }

  const seconds = (Date.now() - started) / 1000;
  await probe.close();
  await peerNode.close();
  console.log(`\nfuzz: ${counts.requests} requests in ${seconds.toFixed(0)} s (${(counts.requests / seconds).toFixed(0)} a second), seed ${SEED}, ${routes.length} operations`);
  console.log(`  refused ${counts.refused}, accepted ${counts.accepted}; whole-database comparisons ${counts.snapshots}`);
  console.log(`  statuses: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  console.log(`  5xx: ${counts.serverErrors}`);
  console.log(`  refusals not a problem of the spec: ${counts.badRefusals}`);
  console.log(`  crashes: ${counts.crashes}`);
  console.log(`  state changes by refused requests: ${counts.stateChanges}`);
  for (const sample of samples) console.log(`\n${sample}`);
  const failed = counts.serverErrors + counts.badRefusals + counts.crashes + counts.stateChanges > 0;
  await web.stop();
  await cleanup.run();
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (error: unknown) => {
  console.error(error);
  await cleanup.run();
  process.exitCode = 2;
});
