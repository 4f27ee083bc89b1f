// In-process test nodes on temporary SQLite files. A TestNetwork routes each node's fetch to the
// other nodes' Hono apps in memory, so protocol tests need no sockets; the clock is shared and
// can be moved.
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MAX_API_TOKEN_DAYS, resolveConfig } from '../../node/config/config.js';
import type { Clock, Fetch } from '../../node/context.js';
import { initNode, openNode, type OpenNode } from '../../node/node.js';
import { createLogger } from '../../node/logging/logger.js';
import { addPeer, fetchPeerIdentity, trustPeer } from '../../node/peers/service.js';
import { createApiToken } from '../../node/users/service.js';
import { createServerApp } from '../../server/app.js';
import type { components } from '../../spec/generated/local.js';
import { expectMatchesSpec } from './spec-check.js';
import { freshDatabaseUrl } from './database.js';
import type { ExecutedQuery } from '../../node/db/database.js';
import type { RequestLimits } from '../../node/net/rate-limits.js';

/**
 * A clock the test moves. It starts at the top of the current hour, not at a fixed date: the CLI
 * and the node processes a test starts use the real clock, and what a test node signs (directories,
 * checkpoints, consents) must still be valid by theirs on any day the suite runs.
 */
export class TestClock implements Clock {
  constructor(private current = Math.floor(Date.now() / 3_600_000) * 3_600_000) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export interface TestNode extends OpenNode {
  id: string;
  dataDir: string;
  token: string;
  /** Everything this node logged. */
  logs(): string;
  request(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestNetwork {
  nodes: TestNode[];
  clock: TestClock;
  /** Cut a node off: requests to it fail as if the network were down. */
  unreachable: Set<string>;
  /** Answer requests in place of the nodes while set (e.g. to play a misbehaving peer). */
  intercept: ((url: URL) => Response | undefined) | undefined;
  /** While set, a request goes to the URL it returns instead (a peer serving an endpoint at a path of its own). */
  rewrite: ((url: URL) => URL | undefined) | undefined;
  /** Awaited before a request reaches its node while set (a slow or silent peer); the request's signal may end the wait. */
  gate: ((url: URL, init: RequestInit | undefined) => Promise<void>) | undefined;
  /**
   * The CLI, run in-process on a test node's data folder, uses the real clock and network: its
   * timestamps are real time and its first delivery attempt fails. This moves the test clock up
   * to real time (if behind) and makes every queued envelope due.
   */
  catchUpWithCli(): Promise<void>;
  /** Runs delivery rounds on every node until nothing is left to deliver. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const COUNTRIES = ['GR', 'AT', 'IT', 'RO', 'BG'];
/** The tests send more per minute with one token, and more from one peer, than anyone should: the request limits and the quotas are out of their way (tests/security and tests/federation/quotas.test.ts test them). */
const UNLIMITED = { tokenPerMinute: 10_000_000, peerPerMinute: 10_000_000, addressPerMinute: 10_000_000 };

export async function createTestNetwork(
  size: number,
  options: { trust?: boolean; onQuery?: (node: number, query: ExecutedQuery) => void; requireTotpForAdmins?: boolean; requestLimits?: Partial<RequestLimits> } = {},
): Promise<TestNetwork> {
  const clock = new TestClock();
  const nodes: TestNode[] = [];
  const unreachable = new Set<string>();
  const network = { intercept: undefined as TestNetwork['intercept'], gate: undefined as TestNetwork['gate'], rewrite: undefined as TestNetwork['rewrite'] };
  const root = mkdtempSync(join(tmpdir(), 'refnet-test-'));
  const fetchVia: Fetch = async (input, init) => {
    const asked = new URL(input instanceof Request ? input.url : String(input));
    const url = network.rewrite?.(asked) ?? asked;
    const target = nodes.find((n) => url.href.startsWith(`${n.id}/`));
    if (!target || unreachable.has(target.id)) throw new TypeError('fetch failed');
    await network.gate?.(url, init);
    const intercepted = network.intercept?.(url);
    if (intercepted) return intercepted;
    return target.app.fetch(new Request(url, init));
  };
  for (let i = 0; i < size; i++) {
    const country = COUNTRIES[i % COUNTRIES.length]!;
    const id = `http://node-${country.toLowerCase()}-${i}.test`;
    const dataDir = join(root, `node-${i}`);
    const resolved = resolveConfig({ data: dataDir, databaseUrl: await freshDatabaseUrl() }, {});
    const config = {
      ...resolved,
      kekFromEnv: undefined,
      privateNetwork: true,
      requestLimits: { ...UNLIMITED, ...options.requestLimits },
      limits: { ...resolved.limits, peerQuotas: { ...resolved.limits.peerQuotas, openReferrals: 10_000_000, referralsPerHour: 10_000_000 } },
      requireTotpForAdmins: options.requireTotpForAdmins ?? false,
    };
    await initNode(config, { nodeId: id, name: `Test organisation ${country}`, country, languages: ['en'] }, { username: 'admin' }, clock);
    let logged = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString('utf8');
        done();
      },
    });
    const onQuery = options.onQuery;
    const node = await openNode(config, {
      clock, fetch: fetchVia, logger: createLogger('debug', sink), deliveryPollMs: 60_000, httpApp: createServerApp,
      ...(onQuery ? { onQuery: (query: ExecutedQuery) => onQuery(i, query) } : {}),
    });
    // Tests move the clock by a year and more (retention): the admin's token outlives them.
    const token = await createApiToken(node.ctx.database, 'admin', { label: 'test', days: MAX_API_TOKEN_DAYS }, clock.now());
    nodes.push({
      ...node,
      id,
      dataDir,
      token,
      logs: () => logged,
      request: async (path, init) => node.app.fetch(new Request(`${id}${path}`, init)),
    });
  }
  if (options.trust ?? true) {
    for (const a of nodes) for (const b of nodes) if (a !== b) await trust(a, b);
  }
  return Object.assign(network, {
    nodes,
    clock,
    unreachable,
    async catchUpWithCli() {
      const behind = Date.now() + 60_000 - clock.now().getTime();
      if (behind > 0) clock.advance(behind);
      for (const node of nodes) {
        await node.ctx.database.db
          .updateTable('envelopes')
          .set({ next_attempt_at: clock.now().toISOString(), lease_until: null })
          .where('delivery_state', '=', 'queued')
          .execute();
      }
    },
    async settle() {
      for (let round = 0; round < 50; round++) {
        let moved = 0;
        for (const node of nodes) moved += await node.delivery.deliverDueEnvelopes();
        if (moved === 0) return;
      }
      throw new Error('Deliveries did not settle after 50 rounds.');
    },
    async close() {
      for (const node of nodes) await node.close();
      rmSync(root, { recursive: true, force: true });
    },
  });
}

/** a adds b by URL and trusts it. */
export async function trust(a: TestNode, b: TestNode): Promise<void> {
  const { identity, jws } = await fetchPeerIdentity(a.ctx.fetch, a.ctx.clock, b.id);
  await addPeer(a.ctx.database, identity, jws, a.ctx.clock.now());
  await trustPeer(a.ctx.database, b.id, a.ctx.clock.now());
}

/** a adds b by URL but leaves it pending. */
export async function addPending(a: TestNode, b: TestNode): Promise<void> {
  const { identity, jws } = await fetchPeerIdentity(a.ctx.fetch, a.ctx.clock, b.id);
  await addPeer(a.ctx.database, identity, jws, a.ctx.clock.now());
}

/** Every row of every table: to prove that a refused request changed nothing. */
export async function snapshot(node: OpenNode): Promise<Record<string, unknown[]>> {
  const { db } = node.ctx.database;
  // Every table the migrations made, so a table added later is covered without anyone remembering to.
  const postgres = node.ctx.database.dialect === 'postgres';
  const tables = postgres
    ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db);
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) {
    if (!postgres) {
      out[name] = (await sql`select * from ${sql.table(name)} order by rowid`.execute(db)).rows;
      continue;
    }
    // PostgreSQL has no stable row order (an update that changes nothing still moves the row):
    // rows in the order of their contents.
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db)).rows;
    out[name] = rows.map((row) => [JSON.stringify(row), row] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  }
  return out;
}

export type CreateReferralRequest = components['schemas']['CreateReferralRequest'];

export const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

/** A valid referral request to `to`, with consent in force for the data it carries. */
export type InlineConsentRequest = CreateReferralRequest & { consent: NonNullable<CreateReferralRequest['consent']> };

export function referralRequest(to: string, overrides: Partial<InlineConsentRequest> = {}): InlineConsentRequest {
  return {
    to,
    needs: ['vocational-training', 'language-courses'],
    urgency: 'routine',
    reason: 'She wants to train as a pastry cook and needs German at A2 first.',
    client: {
      identity: { given_name: 'Amal', nationality: 'SY' },
      situation: { summary: 'Lives in a shelter in Athens; ready to move in spring.', languages_spoken: ['ar', 'en'] },
    },
    consent: {
      categories: ['identity', 'situation'],
      purposes: ['referral', 'service-provision'],
      method: 'verbal-with-interpreter',
      language: 'ar',
      valid_until: inDays(180),
    },
    ...overrides,
  };
}

/** A referral sent from `from` to `to` through the local API and delivered: its id and that of the consent it carries. */
export async function sentReferral(net: TestNetwork, from: TestNode, to: TestNode, overrides: Partial<InlineConsentRequest> = {}): Promise<{ referralId: string; consentId: string }> {
  const { status, body } = await api(from, 'POST', '/api/v1/referrals', referralRequest(to.id, overrides));
  if (status !== 201) throw new Error(`the referral was refused with ${status}: ${JSON.stringify(body)}`);
  await net.settle();
  const referralId = body.id as string;
  return { referralId, consentId: (await api(from, 'GET', `/api/v1/referrals/${referralId}`)).body.consent_id as string };
}

export function jsonRequest(token: string, body: unknown, method = 'POST'): RequestInit {
  return {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** A response body as tests read it: already checked against the spec, then read field by field. */
export type Json = Record<string, any>; // any: tests read arbitrary response fields

/** A local API call with the node's admin token; the response is checked against spec/local.yaml. */
export async function api(node: TestNode, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const init = body === undefined ? { method, headers: { authorization: `Bearer ${node.token}` } } : jsonRequest(node.token, body, method);
  const response = await node.request(path, init);
  const status = response.status;
  return { status, body: (await expectMatchesSpec('local', method, path.split('?')[0]!, response)) as Json };
}

/** The id of a test node's `admin` user (the user initNode made). */
export async function adminIdOf(node: TestNode): Promise<string> {
  return (await node.ctx.database.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id;
}
