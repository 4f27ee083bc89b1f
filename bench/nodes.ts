// Real `referral-node` processes for the benches: a node created with the CLI, its `serve`
// processes, trust through the local API, referrals created through it (a burst, or paced), and
// what its database says of their delivery.
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { readStoredRows } from '../tests/_util/database.js';
import { freePort, pollUntil, runCliOk, spawnServeProcess, type ExtraProcess, type RunningNode } from '../tests/_util/processes.js';
import { referralRequest } from '../tests/_util/test-node.js';

/** A node created with the CLI, not yet running: what spawnServeProcess needs to run it. */
export async function createNode(root: string, name: string, country: string, databaseUrl?: string): Promise<RunningNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = join(root, name);
  await runCliOk(['init', '--data', dataDir, '--url', url, '--name', name, '--country', country, ...(databaseUrl ? ['--database-url', databaseUrl] : [])]);
  const token = (await runCliOk(['token', 'create', '--data', dataDir, '--user', 'admin'])).stdout.trim();
  const unused = async () => {
    throw new Error('not used by the bench');
  };
  return { name, url, port, dataDir, baseDir: root, logFile: '', token, password: '', logs: () => '', running: () => false, stop: unused, kill: unused, restart: unused, api: unused };
}

type Env = Record<string, string | undefined>;
const listen = (node: RunningNode) => ['--port', String(node.port), '--host', '127.0.0.1'];

/** `serve` with every role: the web interface, the APIs and the delivery worker. */
export const serveAll = (node: RunningNode, env: Env = {}): Promise<ExtraProcess> => spawnServeProcess(node, listen(node), /node listening/, env);
/** `serve --role web`: the APIs only; envelopes stay queued until a worker runs. */
export const serveWeb = (node: RunningNode, env: Env = {}): Promise<ExtraProcess> => spawnServeProcess(node, ['--role', 'web', ...listen(node)], /node listening/, env);
/** `serve --role worker`: the delivery worker only. */
export const serveWorker = (node: RunningNode, env: Env = {}): Promise<ExtraProcess> => spawnServeProcess(node, ['--role', 'worker'], /node working/, env);

/**
 * The API clients' connections: kept alive, as a caseworker's browser or a case-management system
 * would. Node's http client rather than fetch: the clients share the machine's two cores with the
 * nodes they measure, and fetch spent about twice the CPU per call (1.8 against 1.0 ms per
 * referral created), which the nodes then lacked.
 */
const clientAgent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Closes the API clients' idle connections: after a node's process was restarted, a connection
 * kept from the old one would be reset on its next request (ECONNRESET).
 */
export function dropConnections(): void {
  clientAgent.destroy();
}

async function call(node: RunningNode, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers = { authorization: `Bearer ${node.token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) };
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${node.url}${path}`, { method, agent: clientAgent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
  if (status >= 300) throw new Error(`${node.name}: ${method} ${path} answered ${status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** `self` (running) adds `other` by its URL (`other` must answer then) and trusts it, through the local API. */
export async function addAndTrust(self: RunningNode, other: { url: string }): Promise<void> {
  const peer = await call(self, 'POST', '/api/v1/peers', { url: other.url });
  await call(self, 'POST', '/api/v1/peers/trust', { id: peer.id, fingerprint: peer.fingerprint });
}

/** `self` suspends a trusted peer (its envelopes stay queued, and wait) or restores a suspended one. */
export async function changePeerState(self: RunningNode, action: 'suspend' | 'restore', peerUrl: string): Promise<void> {
  await call(self, 'POST', `/api/v1/peers/${action}`, { id: peerUrl });
}

/** One referral created through the local API: its id, and when the call started and ended (ms since the epoch). */
export interface Created {
  referralId: string;
  /** The peer it is addressed to. */
  to: string;
  startedAt: number;
  answeredAt: number;
}

async function createReferral(node: RunningNode, to: string): Promise<Created> {
  const startedAt = Date.now();
  const summary = await call(node, 'POST', '/api/v1/referrals', referralRequest(to));
  return { referralId: String(summary.id), to, startedAt, answeredAt: Date.now() };
}

/** `count` referrals created by `clients` API clients as fast as the node answers, to `targets` in turn. */
export async function createBurst(node: RunningNode, targets: readonly string[], count: number, clients = 8): Promise<Created[]> {
  const created: Created[] = [];
  let next = 0;
  const client = async () => {
    while (next < count) {
      const to = targets[next % targets.length]!;
      next += 1;
      created.push(await createReferral(node, to));
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return created;
}

/** `count` referrals started on a schedule, `ratePerSecond`, whether or not the earlier ones were answered. */
export async function createPaced(node: RunningNode, targets: readonly string[], count: number, ratePerSecond: number): Promise<Created[]> {
  const start = Date.now();
  const calls: Promise<Created>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1_000) / ratePerSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    calls.push(createReferral(node, targets[i % targets.length]!));
  }
  return Promise.all(calls);
}

/** The outgoing envelopes of these referrals, with when they were delivered (ms since the epoch; undefined while not). */
export async function deliveriesOf(node: RunningNode, referralIds: readonly string[]): Promise<Map<string, number | undefined>> {
  const wanted = new Set(referralIds);
  const rows = await readStoredRows(node.dataDir, "select referral_id, delivered_at from envelopes where direction = 'outgoing'");
  const deliveries = new Map<string, number | undefined>();
  for (const row of rows) {
    const id = String(row.referral_id);
    if (wanted.has(id)) deliveries.set(id, row.delivered_at ? Date.parse(String(row.delivered_at)) : undefined);
  }
  return deliveries;
}

/** Waits until every one of `created` is delivered by `node`; when each was (ms since the epoch). */
export async function waitForDeliveries(node: RunningNode, created: readonly Created[], timeoutMs = 1_200_000): Promise<Map<string, number>> {
  const ids = created.map((c) => c.referralId);
  return pollUntil(
    async () => {
      const deliveries = await deliveriesOf(node, ids);
      return ids.some((id) => deliveries.get(id) === undefined) ? undefined : (deliveries as Map<string, number>);
    },
    { timeoutMs, intervalMs: 250, what: `${created.length} deliveries` },
  );
}

/** How many outgoing envelopes the node has delivered, to `peers` (every peer when absent). */
export async function deliveredCount(node: RunningNode, peers?: readonly string[]): Promise<number> {
  const where = peers ? ` and peer_id in (${peers.map(() => '?').join(', ')})` : '';
  const rows = await readStoredRows(node.dataDir, `select count(*) as n from envelopes where direction = 'outgoing' and delivery_state = 'delivered'${where}`, ...(peers ?? []));
  return Number(rows[0]!.n);
}

/** Runs `fn` over `items`, `parallel` at a time (the machine's cores, when it is the CLI that runs). */
export async function inParallel<T, R>(items: readonly T[], parallel: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, lane));
  return results;
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
