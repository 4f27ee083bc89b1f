// What one trusted peer may leave on this node (issue 17 item 3): its open referrals, the
// referrals it starts in an hour and the bytes of its messages kept here are held to quotas.
// Beyond one, a new referral is refused with `quota-exceeded` naming the quota (the sender keeps
// the message and retries), nothing is stored, and this node's administrators get one alert a day
// per quota; beyond the bytes, so are the messages a peer may repeat on a referral under way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestNetwork, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { DEFAULT_PEER_QUOTAS, type PeerQuotas } from '../../node/referrals/quotas.js';
import { peerAlerts } from '../../node/peers/alerts.js';
import { storedBytesFromPeer } from '../../node/referrals/state.js';

let net: TestNetwork;
let a: TestNode;
let b: TestNode;

const setQuotas = (quotas: Partial<PeerQuotas>) => {
  b.ctx.limits.peerQuotas = { ...DEFAULT_PEER_QUOTAS, ...quotas };
};

async function send(): Promise<string> {
  const { status, body } = await api(a, 'POST', '/api/v1/referrals', referralRequest(b.id));
  expect(status).toBe(201);
  await net.settle();
  return body.id as string;
}
const deliveryOf = async (id: string) => (await api(a, 'GET', `/api/v1/referrals/${id}`)).body.delivery as { state: string; last_error?: string };
const heldByB = async (id: string) => (await b.ctx.database.db.selectFrom('referrals').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [a, b] = net.nodes as [TestNode, TestNode];
  // Alerts are once a UTC day, and the tests move the clock by hours: start at 06:00 of the next
  // day, so that no run between 23:00 and midnight crosses into another day halfway.
  const now = net.clock.now().getTime();
  net.clock.advance(Math.ceil(now / 86_400_000) * 86_400_000 + 6 * 3_600_000 - now);
});
afterAll(() => net.close());

describe('a trusted peer\'s quotas', () => {
  it('refuses a referral beyond the open referrals allowed, names the quota, stores nothing and alerts the administrators once', async () => {
    setQuotas({ openReferrals: 2 });
    const first = await send();
    await send();
    const before = await snapshot(b);
    const third = await send();
    expect(await heldByB(third)).toBe(false);
    const delivery = await deliveryOf(third);
    // Refused, not failed: the sender keeps it and tries again later.
    expect(delivery.state).toBe('queued');
    expect(delivery.last_error).toMatch(/^403 urn:refnet:problem:quota-exceeded/);
    const alerts = await peerAlerts(b.ctx.database.db, { openOnly: true });
    expect(alerts).toEqual([expect.objectContaining({ peerId: a.id, kind: 'quota-exceeded' })]);
    expect(alerts[0]!.detail).toMatch(/at most 2 open referrals/);
    // A second refusal the same day raises no second alert.
    net.clock.advance(60 * 60_000);
    await net.catchUpWithCli();
    await net.settle();
    expect(await peerAlerts(b.ctx.database.db, { openOnly: true })).toHaveLength(1);
    const after = await snapshot(b);
    // Only the alert and its audit entry were added.
    expect(after.referrals).toEqual(before.referrals);
    expect(after.payloads).toEqual(before.payloads);
    expect(after.consents).toEqual(before.consents);
    // Once one closes, the waiting referral goes through.
    expect((await api(b, 'POST', `/api/v1/referrals/${first}/decline`, { reason: 'no-capacity' })).status).toBe(200);
    await net.settle();
    net.clock.advance(2 * 60 * 60_000);
    await net.catchUpWithCli();
    await net.settle();
    expect(await heldByB(third)).toBe(true);
  });

  it('refuses a referral beyond those allowed in an hour, and beyond the bytes stored', async () => {
    setQuotas({ referralsPerHour: 1 });
    net.clock.advance(2 * 60 * 60_000);
    await send();
    const refused = await send();
    expect((await deliveryOf(refused)).last_error).toMatch(/quota-exceeded/);
    expect(await heldByB(refused)).toBe(false);

    // A quota of a few bytes: what is stored already is more.
    setQuotas({ storedMegabytes: 1 / (1024 * 1024) });
    net.clock.advance(2 * 60 * 60_000);
    const tooMuch = await send();
    expect(await heldByB(tooMuch)).toBe(false);
    const kinds = (await peerAlerts(b.ctx.database.db)).map((alert) => alert.detail);
    expect(kinds.some((d) => /new referrals in an hour/.test(d))).toBe(true);
    expect(kinds.some((d) => /megabytes of stored messages/.test(d))).toBe(true);
    setQuotas({});
  });

  it('counts what a peer sends on referrals under way, both ways: beyond the bytes its repeated messages wait, its one-time messages go through', async () => {
    setQuotas({});
    net.clock.advance(2 * 60 * 60_000);
    const asked = await send();
    const other = await send();
    const before = await storedBytesFromPeer(b.ctx.database.db, a.id);
    expect(before).toBeGreaterThan(0);
    // B asks A (a message of B's on a referral A sent): counted at A, against B.
    const atA = await storedBytesFromPeer(a.ctx.database.db, b.id);
    expect((await api(b, 'POST', `/api/v1/referrals/${asked}/info-request`, { questions: 'Which town would she prefer?' })).status).toBe(200);
    await net.settle();
    expect(await storedBytesFromPeer(a.ctx.database.db, b.id)).toBeGreaterThan(atA);

    // B's quota is what A has sent already; B reads A's usage again (it does every 30 s).
    setQuotas({ storedMegabytes: before / (1024 * 1024) });
    net.clock.advance(60_000);
    const snapshotBefore = await snapshot(b);
    expect((await api(a, 'POST', `/api/v1/referrals/${asked}/info-response`, { answer: 'Vienna or Graz.' })).status).toBe(200);
    await net.settle();
    const waiting = await a.ctx.database.db.selectFrom('envelopes').select(['delivery_state', 'last_error']).where('referral_id', '=', asked).where('type', '=', 'referral.info-response').executeTakeFirstOrThrow();
    expect(waiting).toMatchObject({ delivery_state: 'queued', last_error: expect.stringMatching(/^403 urn:refnet:problem:quota-exceeded/) });
    expect((await api(b, 'GET', `/api/v1/referrals/${asked}`)).body.state).toBe('info-requested');
    const snapshotAfter = await snapshot(b);
    expect(snapshotAfter.referrals).toEqual(snapshotBefore.referrals);
    expect(snapshotAfter.payloads).toEqual(snapshotBefore.payloads);
    expect(snapshotAfter.envelopes).toEqual(snapshotBefore.envelopes);
    const alerts = (await peerAlerts(b.ctx.database.db)).map((alert) => alert.detail);
    expect(alerts.some((d) => /megabytes of stored messages/.test(d))).toBe(true);

    // A message that moves a referral once is not held back: A withdraws the other referral.
    expect((await api(a, 'POST', `/api/v1/referrals/${other}/withdraw`, { reason: 'need-met-elsewhere' })).status).toBe(200);
    await net.settle();
    expect((await api(b, 'GET', `/api/v1/referrals/${other}`)).body.state).toBe('withdrawn');

    // With room again, the answer that waited arrives.
    setQuotas({});
    net.clock.advance(60_000);
    await net.catchUpWithCli();
    await net.settle();
    expect((await api(b, 'GET', `/api/v1/referrals/${asked}`)).body.state).toBe('delivered');
    expect(await storedBytesFromPeer(b.ctx.database.db, a.id)).toBeGreaterThan(before);
  });

  it('keeps none of a peer\'s bytes for a referral whose data was erased, whatever arrives after', async () => {
    setQuotas({});
    const { status, body } = await api(a, 'POST', '/api/v1/referrals', referralRequest(b.id));
    expect(status).toBe(201);
    await net.settle();
    const id = body.id as string;
    const bytesOf = async () => Number((await b.ctx.database.db.selectFrom('referrals').select('peer_bytes').where('id', '=', id).executeTakeFirstOrThrow()).peer_bytes);
    expect(await bytesOf()).toBeGreaterThan(0);
    const consentId = (await api(a, 'GET', `/api/v1/referrals/${id}`)).body.consent_id as string;
    expect((await api(a, 'POST', `/api/v1/consents/${consentId}/withdraw`, {})).status).toBe(200);
    await net.settle();
    // Erased at B by A's consent.withdraw, which arrived after the erasure began: 0, not its own size.
    expect((await api(b, 'GET', `/api/v1/referrals/${id}`)).body.erased_at).toBeDefined();
    expect(await bytesOf()).toBe(0);
  });
});
