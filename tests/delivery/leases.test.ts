// The outbox's leases (node/delivery/outbox.ts): the envelopes a search starts are leased in one
// statement, and of those only the ones no other process holds, still queued and to a peer still
// trusted are leased.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeLeases } from '../../node/delivery/outbox.js';
import { createReferral } from '../../node/referrals/service.js';
import { adminIdOf, createTestNetwork, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

describe('leases on outgoing envelopes', () => {
  it('leases in one go those no other process holds, and a lease that ran out to whoever asks', async () => {
    const admin = await adminIdOf(gr);
    for (let i = 0; i < 4; i++) await createReferral(gr.ctx, { userId: admin }, referralRequest(at.id));
    const { db } = gr.ctx.database;
    const ids = (await db.selectFrom('envelopes').select('id').where('direction', '=', 'outgoing').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toHaveLength(4);
    const [first, second, third, fourth] = ids as [string, string, string, string];
    await db.updateTable('envelopes').set({ delivery_state: 'delivered' }).where('id', '=', fourth).execute();
    const now = new Date();

    expect(await takeLeases(db, [first], now, 30_000, 'process-1')).toEqual(new Set([first]));
    // The first is held by process 1 and the fourth was delivered: process 2 gets the other two.
    expect(await takeLeases(db, ids, now, 30_000, 'process-2')).toEqual(new Set([second, third]));
    // A process may take its own lease again (its attempt ended on its side and it tries anew).
    expect(await takeLeases(db, [first, second], now, 30_000, 'process-1')).toEqual(new Set([first]));
    // Once process 1's lease has run out, process 2 may take it.
    expect(await takeLeases(db, [first], new Date(now.getTime() + 31_000), 30_000, 'process-2')).toEqual(new Set([first]));
    const owners = await db.selectFrom('envelopes').select(['id', 'lease_owner']).where('id', 'in', [first, second, third]).orderBy('id').execute();
    expect(owners.map((r) => r.lease_owner)).toEqual(['process-2', 'process-2', 'process-2']);
    expect(await takeLeases(db, [], now, 30_000, 'process-1')).toEqual(new Set());
  });

  it('leases nothing to a peer suspended since the search found its envelopes', async () => {
    await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(at.id));
    const { db } = gr.ctx.database;
    const [newest] = (await db.selectFrom('envelopes').select('id').where('direction', '=', 'outgoing').where('lease_owner', 'is', null).where('delivery_state', '=', 'queued').execute()).map((r) => r.id);
    const now = new Date();
    await db.updateTable('peers').set({ state: 'suspended' }).where('id', '=', at.id).execute();
    try {
      expect(await takeLeases(db, [newest!], now, 30_000, 'process-1')).toEqual(new Set());
    } finally {
      await db.updateTable('peers').set({ state: 'trusted' }).where('id', '=', at.id).execute();
    }
    expect(await takeLeases(db, [newest!], now, 30_000, 'process-1')).toEqual(new Set([newest]));
  });
});
