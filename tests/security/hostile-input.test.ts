// Hostile input at every edge (issue 17 item 8): for every route of spec/local.yaml and
// spec/federation.yaml (read from the specs, so a new route is covered without anyone remembering
// to), fast-check draws hostile requests (wrong types, huge and unicode strings, deep nesting,
// missing and extra fields, bad path parameters and queries, bad JSON, wrong content types, garbage,
// forged, expired and misdirected service tokens, envelopes and statements signed by a trusted peer
// around hostile bodies) and sends them through the app in-process to a node holding a referral, a
// consent, a service and an invitation. None may answer 5xx; every refusal is a problem document
// with a type the spec lists; a refused request changes nothing in the database (the whole-database
// snapshot, tests/_util/database-snapshot.ts). `npm run fuzz` sends many more to a real process.
// A failure prints fast-check's seed and path; REFNET_FUZZ_SEED=<seed> replays it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../node/identity/keys.js';
import { loadSpec } from '../../node/schema/validators.js';
import { diffSnapshots, snapshotDatabase, type DatabaseSnapshot } from '../_util/database-snapshot.js';
import { buildRequest, judgeResponse, planArbitrary, specRoutes, type FuzzTarget } from '../_util/hostile-input.js';
import { trainingService } from '../_util/services.js';
import { api, createTestNetwork, sentReferral, type TestNetwork, type TestNode } from '../_util/test-node.js';

/** Requests per route in `npm test`: the whole run stays well under a minute. */
const RUNS_PER_ROUTE = Number(process.env.REFNET_FUZZ_RUNS_PER_ROUTE ?? 6);
const seed = process.env.REFNET_FUZZ_SEED ? Number(process.env.REFNET_FUZZ_SEED) : undefined;

let net: TestNetwork;
let a: TestNode; // a trusted peer, whose key signs
let b: TestNode; // the node under attack
let target: FuzzTarget;
let baseline: DatabaseSnapshot;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [a, b] = net.nodes as [TestNode, TestNode];
  await sentReferral(net, a, b);
  await api(b, 'POST', '/api/v1/services', trainingService());
  await api(b, 'POST', '/api/v1/consents', {
    categories: ['situation'], purposes: ['referral'], recipients: [a.id], method: 'written', language: 'el',
    valid_until: new Date(net.clock.now().getTime() + 90 * 86_400_000).toISOString(),
  });
  await api(b, 'POST', '/api/v1/invitations', {});
  const { db } = b.ctx.database;
  const ids = async (table: 'referrals' | 'consents' | 'services' | 'invitations' | 'envelopes') => (await db.selectFrom(table).select('id').execute()).map((r) => r.id);
  target = {
    nodeId: b.id,
    token: b.token,
    ids: { referrals: await ids('referrals'), consents: await ids('consents'), services: await ids('services'), invitations: await ids('invitations'), messages: await ids('envelopes') },
    peer: { nodeId: a.id, signingKey: a.ctx.self.signingKey, encryptionKey: a.ctx.self.encryptionKey.publicJwk },
    stranger: (await generateSigningKey()).key,
    encryptionKey: b.ctx.self.encryptionKey.publicJwk,
    now: () => net.clock.now(),
  };
  // From here on, only the requests write: no delivery of what an accepted request queued runs
  // beside the next one (as in a web process; npm run fuzz serves the node so).
  await b.delivery.stop();
  baseline = await snapshotDatabase(b);
});
afterAll(() => net.close());

const routes = specRoutes();

describe('hostile input', () => {
  it('covers every operation of both specs', () => {
    const operations = (['local', 'federation'] as const).flatMap((spec) =>
      Object.values(loadSpec(spec).paths as Record<string, Record<string, { operationId?: string }>>).flatMap((ops) => Object.values(ops).map((op) => op.operationId).filter(Boolean)),
    );
    expect(routes.map((r) => r.operationId).sort()).toEqual(operations.sort());
    expect(routes.length).toBeGreaterThan(60);
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))('%s: no 5xx, refusals are problems of the spec, and change nothing', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(planArbitrary([route]), async (plan) => {
        const built = await buildRequest(plan, target);
        const response = await b.request(built.path, built.init);
        const verdict = await judgeResponse(built.path, response);
        const after = await snapshotDatabase(b);
        if (verdict.refused) {
          const diff = diffSnapshots(baseline, after);
          if (diff.length > 0) verdict.faults.push(`refused with ${verdict.status}, and the database changed:\n${diff.join('\n')}`);
        }
        baseline = after;
        if (verdict.faults.length > 0) throw new Error(`${built.label}\n${verdict.faults.join('\n')}`);
      }),
      { numRuns: RUNS_PER_ROUTE, ...(seed === undefined ? {} : { seed }) },
    );
  });
});
