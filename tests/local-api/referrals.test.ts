// The local API: authentication and roles, validation, consent and trust checks, listing with
// filters and pages, and reading a referral back. Every response is checked against the spec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser } from '../../node/users/service.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { addPending, createTestNetwork, jsonRequest, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode;
let auditorToken: string;

beforeAll(async () => {
  net = await createTestNetwork(3, { trust: false });
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
  const { trust } = await import('../_util/test-node.js');
  await trust(gr, at);
  await trust(at, gr);
  await addPending(gr, it3);
  await createUser(gr.ctx.database, { username: 'dpo', role: 'auditor' }, net.clock.now());
  auditorToken = await createApiToken(gr.ctx.database, 'dpo', { label: 'test', days: gr.ctx.limits.apiTokenDays }, net.clock.now());
});
afterAll(() => net.close());

async function call(node: TestNode, method: string, path: string, init: RequestInit = {}) {
  const response = await node.request(path, { method, ...init });
  const status = response.status;
  const body = await expectMatchesSpec('local', method, path.split('?')[0]!, response);
  return { status, body: body as Record<string, any>, headers: response.headers }; // any: test reads arbitrary response fields
}

describe('authentication', () => {
  it('refuses a request without a token, with WWW-Authenticate', async () => {
    const response = await gr.request('/api/v1/referrals');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await expectMatchesSpec('local', 'GET', '/api/v1/referrals', response)) as { type: string };
    expect(body.type).toBe('urn:refnet:problem:unauthorized');
  });

  it('refuses an unknown token', async () => {
    const { status } = await call(gr, 'GET', '/api/v1/referrals', { headers: { authorization: 'Bearer rn_nottherighttoken' } });
    expect(status).toBe(401);
  });

  it('lets an auditor see the node but not referrals', async () => {
    expect((await call(gr, 'GET', '/api/v1/node', { headers: { authorization: `Bearer ${auditorToken}` } })).status).toBe(200);
    const { status, body } = await call(gr, 'GET', '/api/v1/referrals', { headers: { authorization: `Bearer ${auditorToken}` } });
    expect(status).toBe(403);
    expect(body.type).toBe('urn:refnet:problem:forbidden');
    const created = await call(gr, 'POST', '/api/v1/referrals', jsonRequest(auditorToken, referralRequest(at.id)));
    expect(created.status).toBe(403);
  });
});

describe('creating a referral', () => {
  it('queues it, delivers it, and the receiver can read it', async () => {
    const { status, body, headers } = await call(gr, 'POST', '/api/v1/referrals', jsonRequest(gr.token, referralRequest(at.id)));
    expect(status).toBe(201);
    expect(headers.get('location')).toBe(`/api/v1/referrals/${body.id}`);
    expect(body).toMatchObject({ direction: 'outgoing', state: 'sent', delivery: { state: 'queued', attempts: 0 } });
    await gr.delivery.deliverDueEnvelopes();
    const sent = await call(gr, 'GET', `/api/v1/referrals/${body.id}`, { headers: { authorization: `Bearer ${gr.token}` } });
    expect(sent.body).toMatchObject({ state: 'delivered', delivery: { state: 'delivered', attempts: 1 } });
    expect(sent.body.messages[0].receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const received = await call(at, 'GET', `/api/v1/referrals/${body.id}`, { headers: { authorization: `Bearer ${at.token}` } });
    expect(received.body).toMatchObject({ direction: 'incoming', state: 'delivered', peer: { id: gr.id } });
    expect(received.body.content.client).toEqual(referralRequest(at.id).client);
    expect(received.body.content.consent.recipients).toEqual([at.id]);
  });

  it('accepts the peer id in another spelling of the same URL', async () => {
    const spelled = `${at.id.toUpperCase().replace('HTTP://', 'http://')}/`;
    const { status, body } = await call(gr, 'POST', '/api/v1/referrals', jsonRequest(gr.token, referralRequest(spelled)));
    expect(status).toBe(201);
    expect(body.peer.id).toBe(at.id);
  });

  it('refuses a body that fails the schema, saying where', async () => {
    const { status, body } = await call(gr, 'POST', '/api/v1/referrals', jsonRequest(gr.token, { ...referralRequest(at.id), needs: ['teleportation'] }));
    expect(status).toBe(422);
    expect(body.type).toBe('urn:refnet:problem:invalid-request');
    expect(body.errors[0].path).toMatch(/needs/);
  });

  it('refuses malformed JSON and other media types', async () => {
    const malformed = await call(gr, 'POST', '/api/v1/referrals', { headers: { authorization: `Bearer ${gr.token}`, 'content-type': 'application/json' }, body: '{"to":' });
    expect(malformed.status).toBe(400);
    const wrongType = await call(gr, 'POST', '/api/v1/referrals', { headers: { authorization: `Bearer ${gr.token}`, 'content-type': 'text/plain' }, body: '{}' });
    expect(wrongType.status).toBe(415);
  });

  it('refuses a peer that is pending or unknown', async () => {
    const pending = await call(gr, 'POST', '/api/v1/referrals', jsonRequest(gr.token, referralRequest(it3.id)));
    expect(pending.status).toBe(409);
    expect(pending.body.type).toBe('urn:refnet:problem:peer-not-trusted');
    const unknown = await call(gr, 'POST', '/api/v1/referrals', jsonRequest(gr.token, referralRequest('https://nowhere.example.org')));
    expect(unknown.status).toBe(409);
  });

  it('refuses data outside the consented categories, and expired consent', async () => {
    const outside = referralRequest(at.id, { client: { situation: { summary: 'x' }, health: { note: 'CANARY-health' } } });
    const refused = await call(gr, 'POST', '/api/v1/referrals', jsonRequest(gr.token, outside));
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('urn:refnet:problem:consent-violation');
    expect(JSON.stringify(refused.body)).not.toContain('CANARY');
    const expired = referralRequest(at.id, { consent: { ...referralRequest(at.id).consent, valid_until: '2020-01-01T00:00:00Z' } });
    expect((await call(gr, 'POST', '/api/v1/referrals', jsonRequest(gr.token, expired))).status).toBe(422);
  });
});

describe('listing referrals', () => {
  it('filters by direction and peer, and pages without overlap', async () => {
    for (let i = 0; i < 5; i++) {
      net.clock.advance(1_000);
      await call(gr, 'POST', '/api/v1/referrals', jsonRequest(gr.token, referralRequest(at.id)));
    }
    // A delivery finishing between two reads would move its referral up the list.
    await net.settle();
    const auth = { headers: { authorization: `Bearer ${gr.token}` } };
    const all = await call(gr, 'GET', '/api/v1/referrals?direction=outgoing', auth);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(gr, 'GET', `/api/v1/referrals?direction=outgoing&limit=2${cursor ? `&cursor=${cursor}` : ''}`, auth);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((r: { id: string }) => r.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await call(gr, 'GET', '/api/v1/referrals?direction=incoming', auth)).body.items).toEqual([]);
    expect((await call(gr, 'GET', `/api/v1/referrals?peer=${encodeURIComponent(it3.id)}`, auth)).body.items).toEqual([]);
  });

  it('refuses unknown parameters, bad limits and forged cursors', async () => {
    const auth = { headers: { authorization: `Bearer ${gr.token}` } };
    expect((await call(gr, 'GET', '/api/v1/referrals?limit=0', auth)).status).toBe(400);
    expect((await call(gr, 'GET', '/api/v1/referrals?colour=red', auth)).status).toBe(400);
    expect((await call(gr, 'GET', '/api/v1/referrals?cursor=%%%', auth)).status).toBe(400);
    expect((await call(gr, 'GET', '/api/v1/referrals?state=lost', auth)).status).toBe(400);
  });

  it('holds no personal data in the summaries', async () => {
    const { body } = await call(gr, 'GET', '/api/v1/referrals', { headers: { authorization: `Bearer ${gr.token}` } });
    expect(JSON.stringify(body)).not.toContain('Amal');
  });
});

describe('reading one referral', () => {
  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const auth = { headers: { authorization: `Bearer ${gr.token}` } };
    expect((await call(gr, 'GET', `/api/v1/referrals/${crypto.randomUUID()}`, auth)).status).toBe(404);
    expect((await call(gr, 'GET', '/api/v1/referrals/not-a-uuid', auth)).status).toBe(400);
  });
});

describe('the node and its peers', () => {
  it('describe themselves', async () => {
    const auth = { headers: { authorization: `Bearer ${gr.token}` } };
    const node = await call(gr, 'GET', '/api/v1/node', auth);
    expect(node.body.id).toBe(gr.id);
    const peers = await call(gr, 'GET', '/api/v1/peers', auth);
    expect(peers.body.items.map((p: { id: string; state: string }) => [p.id, p.state])).toEqual([
      [at.id, 'trusted'],
      [it3.id, 'pending'],
    ]);
  });

  it('answers unknown paths with a problem', async () => {
    const response = await gr.request('/api/v1/nothing-here', { headers: { authorization: `Bearer ${gr.token}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});
