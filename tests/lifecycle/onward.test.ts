// Onward referral across three organisations: only as far as the client's consent allows, with
// a narrowed consent for the third organisation, and the original sender told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode; // sends the original referral
let at: TestNode; // receives it and refers on
let it3: TestNode; // the third organisation

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());



const settle = () => net.settle();

async function received(onward?: Json): Promise<string> {
  const request = referralRequest(at.id);
  const { body } = await api(gr, 'POST', '/api/v1/referrals', { ...request, consent: { ...request.consent, ...(onward ? { onward_referral: onward } : {}) } });
  await settle();
  expect((await api(at, 'POST', `/api/v1/referrals/${body.id}/accept`, {})).status).toBe(200);
  await settle();
  return body.id;
}

describe('onward referral', () => {
  it('creates a referral to the third organisation with a narrowed consent, and tells the original sender', async () => {
    const id = await received({ allowed: true });
    const { status, body } = await api(at, 'POST', `/api/v1/referrals/${id}/refer-onward`, {
      to: it3.id, reason: 'She is moving to Rome; please take over the job search.', note: 'Passing the case to Rome as agreed with her.',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ direction: 'outgoing', state: 'sent', peer: { id: it3.id } });
    await settle();

    const onThird = (await api(it3, 'GET', `/api/v1/referrals/${body.id}`)).body;
    expect(onThird.state).toBe('delivered');
    expect(onThird.content.onward_of).toEqual({ referral_id: id, from: gr.id });
    expect(onThird.content.client).toEqual(referralRequest(at.id).client);
    expect(onThird.content.consent.recipients).toEqual([it3.id]);
    expect(onThird.content.consent.onward_referral).toBeUndefined();

    const onSender = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(onSender.state).toBe('accepted');
    expect(onSender.timeline.at(-1)).toMatchObject({
      action: 'referral.onward', from_state: 'accepted', to_state: 'accepted', by: { kind: 'peer', id: at.id },
      onward: { to: it3.id, referral_id: body.id }, note: 'Passing the case to Rome as agreed with her.',
    });
    expect((await api(at, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('accepted');
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/complete`, { outcome: 'referred-elsewhere' })).status).toBe(200);
    await settle();
    expect((await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('completed');
  });

  it.each([
    ['the consent does not allow it', undefined],
    ['the consent says no', { allowed: false }],
    ['the consent names other organisations', { allowed: true, recipients: ['https://elsewhere.example.org'] }],
  ])('is refused when %s, and changes nothing', async (_case, onward) => {
    const id = await received(onward);
    const before = await snapshot(at);
    const { status, body } = await api(at, 'POST', `/api/v1/referrals/${id}/refer-onward`, { to: it3.id, reason: 'r' });
    expect(status).toBe(422);
    expect(body.type).toBe('urn:refnet:problem:consent-violation');
    expect(await snapshot(at)).toEqual(before);
  });

  it('is allowed to an organisation the consent names', async () => {
    const id = await received({ allowed: true, recipients: [it3.id] });
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/refer-onward`, { to: it3.id, reason: 'r' })).status).toBe(201);
  });

  it('cannot carry data outside the original consent, go back to the sender, or start from the wrong side or state', async () => {
    const id = await received({ allowed: true });
    const outside = await api(at, 'POST', `/api/v1/referrals/${id}/refer-onward`, { to: it3.id, reason: 'r', client: { health: { note: 'x' } } });
    expect(outside).toMatchObject({ status: 422, body: { type: 'urn:refnet:problem:consent-violation' } });
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/refer-onward`, { to: gr.id, reason: 'r' })).status).toBe(422);
    expect((await api(gr, 'POST', `/api/v1/referrals/${id}/refer-onward`, { to: it3.id, reason: 'r' })).body.type).toBe('urn:refnet:problem:illegal-transition');
    await api(at, 'POST', `/api/v1/referrals/${id}/complete`, { outcome: 'service-completed' });
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/refer-onward`, { to: it3.id, reason: 'r' })).status).toBe(409);
  });
});
