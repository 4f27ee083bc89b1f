// The outbox and the delivery worker: nothing is lost while a peer is away, definitive
// refusals stop the retries, and only a receipt that verifies counts as delivery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { cli } from '../_util/cli.js';
import { sql } from 'kysely';
import { defaultRetryPolicy, retryAfterMs, retryDelayMs } from '../../node/delivery/retry-policy.js';
import { createReferral, getReferralSummary } from '../../node/referrals/service.js';
import { adminIdOf, api, createTestNetwork, type Json, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { insertionOrder } from '../../node/db/dialect.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());


async function send(to: TestNode = at) {
  return createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(to.id));
}

describe('the retry policy', () => {
  it('doubles the delay up to the cap, with jitter between half and all of it', () => {
    expect(retryDelayMs(defaultRetryPolicy, 1, () => 1)).toBe(2_000);
    expect(retryDelayMs(defaultRetryPolicy, 3, () => 1)).toBe(8_000);
    expect(retryDelayMs(defaultRetryPolicy, 3, () => 0)).toBe(4_000);
    expect(retryDelayMs(defaultRetryPolicy, 40, () => 1)).toBe(defaultRetryPolicy.maxMs);
  });

  it('reads Retry-After as seconds or as a date', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 23 Nov 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('delivery', () => {
  it('keeps an envelope queued while the peer is unreachable and delivers it when it returns', async () => {
    net.unreachable.add(at.id);
    const referral = await send();
    await gr.delivery.deliverDueEnvelopes();
    let summary = await getReferralSummary(gr.ctx, referral.id);
    expect(summary).toMatchObject({ state: 'sent', delivery: { state: 'queued', attempts: 1, last_error: 'network: TypeError' } });
    expect(Date.parse(summary!.delivery!.next_attempt_at!)).toBeGreaterThan(net.clock.now().getTime());

    await gr.delivery.deliverDueEnvelopes();
    expect((await getReferralSummary(gr.ctx, referral.id))!.delivery!.attempts).toBe(1);

    net.unreachable.delete(at.id);
    net.clock.advance(defaultRetryPolicy.baseMs);
    await gr.delivery.deliverDueEnvelopes();
    summary = await getReferralSummary(gr.ctx, referral.id);
    expect(summary).toMatchObject({ state: 'delivered', delivery: { state: 'delivered', attempts: 2 } });
    expect(await getReferralSummary(at.ctx, referral.id)).toMatchObject({ direction: 'incoming', state: 'delivered' });
  });

  it('keeps retrying while the peer has suspended this node, and delivers once it restores it', async () => {
    await at.ctx.database.db.updateTable('peers').set({ state: 'suspended' }).where('id', '=', gr.id).execute();
    let referral;
    try {
      referral = await send();
      await gr.delivery.deliverDueEnvelopes();
      expect(await getReferralSummary(gr.ctx, referral.id)).toMatchObject({
        state: 'sent',
        delivery: { state: 'queued', attempts: 1, last_error: '403 urn:refnet:problem:sender-suspended' },
      });
    } finally {
      await at.ctx.database.db.updateTable('peers').set({ state: 'trusted' }).where('id', '=', gr.id).execute();
    }
    net.clock.advance(defaultRetryPolicy.baseMs);
    await gr.delivery.deliverDueEnvelopes();
    expect(await getReferralSummary(gr.ctx, referral.id)).toMatchObject({ state: 'delivered', delivery: { attempts: 2 } });
  });

  it('marks an envelope failed, with the peer problem type, when no retry can help', async () => {
    net.intercept = () =>
      new Response(JSON.stringify({ type: 'urn:refnet:problem:invalid-body', title: 'Invalid message body', status: 422 }), {
        status: 422,
        headers: { 'content-type': 'application/problem+json' },
      });
    try {
      const referral = await send();
      await gr.delivery.deliverDueEnvelopes();
      expect(await getReferralSummary(gr.ctx, referral.id)).toMatchObject({
        state: 'sent',
        delivery: { state: 'failed', attempts: 1, last_error: '422 urn:refnet:problem:invalid-body' },
      });
    } finally {
      net.intercept = undefined;
    }
    net.clock.advance(3_600_000);
    expect(await gr.delivery.deliverDueEnvelopes()).toBe(0);
  });

  it('sends a refused message once more when a user asks, once the cause is dealt with', async () => {
    net.intercept = () =>
      new Response(JSON.stringify({ type: 'urn:refnet:problem:illegal-transition', title: 'Illegal transition', status: 409 }), {
        status: 409,
        headers: { 'content-type': 'application/problem+json' },
      });
    const referral = await send();
    await gr.delivery.deliverDueEnvelopes();
    net.intercept = undefined;
    const [message] = (await api(gr, 'GET', `/api/v1/referrals/${referral.id}`)).body.messages as Json[];
    expect(message!.delivery.state).toBe('failed');

    const retried = await api(gr, 'POST', `/api/v1/referrals/${referral.id}/messages/${message!.envelope_id}/retry`);
    expect(retried.status).toBe(200);
    await gr.delivery.deliverDueEnvelopes();
    expect(await getReferralSummary(gr.ctx, referral.id)).toMatchObject({ state: 'delivered', delivery: { state: 'delivered', attempts: 2 } });

    // Only a refused message, of this referral, can go again.
    expect((await api(gr, 'POST', `/api/v1/referrals/${referral.id}/messages/${message!.envelope_id}/retry`)).status).toBe(409);
    expect((await api(gr, 'POST', `/api/v1/referrals/${referral.id}/messages/${randomUUID()}/retry`)).status).toBe(404);
    expect((await api(gr, 'POST', `/api/v1/referrals/${referral.id}/messages/not-a-uuid/retry`)).status).toBe(400);
    await expect(cli('referral', 'retry', referral.id, message!.envelope_id, '--data', gr.dataDir)).rejects.toThrow(/Only a refused message/);
  });

  it('retries a 4xx without a problem type, such as a proxy in front of the peer answering 404', async () => {
    net.intercept = () => new Response('Not Found', { status: 404 });
    try {
      const referral = await send();
      await gr.delivery.deliverDueEnvelopes();
      expect((await getReferralSummary(gr.ctx, referral.id))!.delivery).toMatchObject({ state: 'queued', last_error: '404' });
    } finally {
      net.intercept = undefined;
    }
    net.clock.advance(defaultRetryPolicy.baseMs);
    await gr.delivery.deliverDueEnvelopes();
  });

  it('does not let an unreachable peer hold up another, and delivers a backlog oldest first', async () => {
    net.unreachable.add(it3.id);
    const toItaly = [];
    for (let i = 0; i < 3; i++) {
      toItaly.push(await send(it3));
      net.clock.advance(1);
    }
    const toAustria = await send(at);
    expect(await gr.delivery.deliverDueEnvelopes()).toBe(2);
    expect((await getReferralSummary(gr.ctx, toAustria.id))!.state).toBe('delivered');
    expect((await getReferralSummary(gr.ctx, toItaly[0]!.id))!.delivery!.attempts).toBe(1);
    expect((await getReferralSummary(gr.ctx, toItaly[1]!.id))!.delivery!.attempts).toBe(0);

    net.unreachable.delete(it3.id);
    net.clock.advance(defaultRetryPolicy.maxMs);
    await gr.delivery.deliverDueEnvelopes();
    const received = await it3.ctx.database.db
      .selectFrom('envelopes')
      .select('referral_id')
      .where('direction', '=', 'incoming')
      .orderBy(insertionOrder(it3.ctx.database.db))
      .execute();
    // The oldest goes first, alone (the probe of a peer that failed); the others then leave
    // together, and arrive in whichever order the peer finishes them: different referrals.
    expect(received[0]!.referral_id).toBe(toItaly[0]!.id);
    expect(received.map((r) => r.referral_id).sort()).toEqual(toItaly.map((r) => r.id).sort());
  });

  it('honours Retry-After on 503', async () => {
    net.intercept = () => new Response('busy', { status: 503, headers: { 'retry-after': '600' } });
    try {
      const referral = await send();
      await gr.delivery.deliverDueEnvelopes();
      const summary = await getReferralSummary(gr.ctx, referral.id);
      expect(summary!.delivery).toMatchObject({ state: 'queued', last_error: '503' });
      expect(Date.parse(summary!.delivery!.next_attempt_at!) - net.clock.now().getTime()).toBe(600_000);
    } finally {
      net.intercept = undefined;
    }
    net.clock.advance(600_000);
    await gr.delivery.deliverDueEnvelopes();
  });

  it('does not count a receipt that does not verify as delivery', async () => {
    net.intercept = () => Response.json({ receipt: 'eyJhbGciOiJFZERTQSJ9.e30.AAAA' });
    try {
      const referral = await send();
      await gr.delivery.deliverDueEnvelopes();
      expect((await getReferralSummary(gr.ctx, referral.id))!.delivery).toMatchObject({ state: 'queued', last_error: 'invalid receipt' });
    } finally {
      net.intercept = undefined;
    }
  });

  it('does not post to a peer that is no longer trusted, and keeps the envelope queued', async () => {
    await gr.ctx.database.db.updateTable('peers').set({ state: 'suspended' }).where('id', '=', at.id).execute();
    try {
      const referral = await send().catch((e: Error) => e);
      expect(referral).toBeInstanceOf(Error);
      net.clock.advance(3_600_000);
      const queued = await gr.ctx.database.db.selectFrom('envelopes').select('id').where('delivery_state', '=', 'queued').execute();
      expect(queued.length).toBeGreaterThan(0);
      expect(await gr.delivery.deliverDueEnvelopes()).toBe(0);
    } finally {
      await gr.ctx.database.db.updateTable('peers').set({ state: 'trusted' }).where('id', '=', at.id).execute();
    }
    expect(await gr.delivery.deliverDueEnvelopes()).toBeGreaterThan(0);
  });
});
