// Migration 028 numbers the referrals held before it, year by year in the order they were made,
// and sets each year's counter so that the next referral continues the numbering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { numberHeldReferrals } from '../../node/db/migrations/028-case-references.js';
import { createTestNetwork, sentReferral, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

const references = async () =>
  (await gr.ctx.database.db.selectFrom('referrals').select(['id', 'case_ref', 'created_at']).orderBy('created_at').orderBy('id').execute()).map((r) => r.case_ref);

describe('migration 028', () => {
  it('numbers the referrals held, year by year, and the next one follows on', async () => {
    const first = net.clock.now().getUTCFullYear();
    for (let i = 0; i < 3; i++) await sentReferral(net, gr, at);
    const span = Date.UTC(first + 1, 0, 2) - net.clock.now().getTime();
    net.clock.advance(span);
    for (let i = 0; i < 2; i++) await sentReferral(net, gr, at);
    const given = await references();
    // As a node before the migration: no references, no counters.
    const { db } = gr.ctx.database;
    await db.updateTable('referrals').set({ case_ref: null as unknown as string }).execute();
    await db.deleteFrom('case_counters').execute();
    await numberHeldReferrals(db as unknown as Kysely<unknown>);
    expect(await references()).toEqual(given);
    expect(given).toEqual([`GR-${first}-0001`, `GR-${first}-0002`, `GR-${first}-0003`, `GR-${first + 1}-0001`, `GR-${first + 1}-0002`]);
    await sentReferral(net, gr, at);
    expect((await references()).at(-1)).toBe(`GR-${first + 1}-0003`);
    net.clock.advance(-span);
  });
});
