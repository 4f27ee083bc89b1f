// A peer that was away and answers again (node/delivery/worker.ts, outbox.ts dueAgainFor): the
// envelopes that backed off while it was away, some of them for up to an hour, go at once, not
// when their backoff runs out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('a peer back after an outage', () => {
  it('gets the messages that backed off while it was away as soon as it answers one', async () => {
    const admin = await adminIdOf(gr);
    net.unreachable.add(at.id);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createReferral(gr.ctx, { userId: admin }, referralRequest(at.id))).id);
    // The first probe fails: the peer is away, its breaker open.
    await gr.delivery.deliverDueEnvelopes();
    const { db } = gr.ctx.database;
    const tried = await db.selectFrom('envelopes').select(['referral_id', 'attempts']).where('attempts', '>', 0).execute();
    expect(tried).toHaveLength(1);
    // Two of them have been tried many times during a long outage: their next attempts are an hour away.
    const now = gr.ctx.clock.now();
    const inAnHour = new Date(now.getTime() + 3_600_000).toISOString();
    await db.updateTable('envelopes').set({ attempts: 9, next_attempt_at: inAnHour, last_error: 'network: TypeError' }).where('referral_id', 'in', ids.slice(0, 2)).execute();
    await db.updateTable('envelopes').set({ attempts: 0, next_attempt_at: now.toISOString() }).where('referral_id', '=', ids[2]!).execute();

    // The peer is back; the breaker's time is up; the third message is the probe, and is answered.
    net.unreachable.delete(at.id);
    net.clock.advance(31_000);
    await gr.delivery.deliverDueEnvelopes();

    const states = await db.selectFrom('envelopes').select(['referral_id', 'delivery_state']).where('referral_id', 'in', ids).orderBy('referral_id').execute();
    expect(states.map((s) => s.delivery_state)).toEqual(['delivered', 'delivered', 'delivered']);
    // Well before the hour was up.
    expect(gr.ctx.clock.now().getTime() - now.getTime()).toBeLessThan(60_000);
  });
});
