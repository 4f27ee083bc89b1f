// Expiry by the reply-by date on both sides, the list filters that show a caseworker what waits
// for her, and the lifecycle commands of the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../_util/cli.js';
import { expireOverdueReferrals } from '../../node/referrals/expiry.js';
import { api, createTestNetwork, type Json, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());



const settle = () => net.settle();

async function offer(overrides: Json = {}): Promise<string> {
  const { status, body } = await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(at.id), ...overrides });
  expect(status).toBe(201);
  await settle();
  return body.id;
}

const inHours = (hours: number) => new Date(net.clock.now().getTime() + hours * 3_600_000).toISOString();

describe('expiry', () => {
  it('expires an unanswered referral on both sides when its reply-by date passes, and refuses a late answer', async () => {
    const unanswered = await offer({ reply_by: inHours(24) });
    const answered = await offer({ reply_by: inHours(24) });
    expect((await api(at, 'POST', `/api/v1/referrals/${answered}/accept`, {})).status).toBe(200);
    await settle();

    net.clock.advance(23 * 3_600_000);
    expect(await expireOverdueReferrals(gr.ctx)).toBe(0);
    net.clock.advance(2 * 3_600_000);
    expect(await expireOverdueReferrals(gr.ctx)).toBeGreaterThanOrEqual(1);
    expect(await expireOverdueReferrals(at.ctx)).toBeGreaterThanOrEqual(1);

    for (const node of [gr, at]) {
      const detail = (await api(node, 'GET', `/api/v1/referrals/${unanswered}`)).body;
      expect(detail.state).toBe('expired');
      expect(detail.timeline.at(-1)).toMatchObject({ action: 'expiry', from_state: 'delivered', to_state: 'expired', by: { kind: 'system', id: 'reply-by' } });
      expect((await api(node, 'GET', `/api/v1/referrals/${answered}`)).body.state).toBe('accepted');
    }
    const late = await api(at, 'POST', `/api/v1/referrals/${unanswered}/accept`, {});
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('urn:refnet:problem:illegal-transition');
    expect(await expireOverdueReferrals(gr.ctx)).toBe(0);
  });
});

describe('an answer made in time but delivered late', () => {
  it('is applied by the sender although the referral expired there meanwhile', async () => {
    const id = await offer({ reply_by: inHours(2) });
    net.unreachable.add(gr.id);
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/accept`, {})).status).toBe(200);
    await at.delivery.deliverDueEnvelopes();
    net.clock.advance(3 * 3_600_000);
    await expireOverdueReferrals(gr.ctx);
    expect((await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('expired');
    net.unreachable.delete(gr.id);
    await settle();
    const detail = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(detail.state).toBe('accepted');
    expect(detail.timeline.slice(-2).map((e: Json) => [e.action, e.from_state, e.to_state])).toEqual([
      ['expiry', 'delivered', 'expired'],
      ['referral.accept', 'expired', 'accepted'],
    ]);
  });
});

describe('listing what needs action', () => {
  it('shows the receiver what to answer and the sender what was asked, and filters by time and peer', async () => {
    net.clock.advance(1_000);
    const since = net.clock.now().toISOString();
    const id = await offer();
    const waiting = async (node: TestNode) =>
      (await api(node, 'GET', '/api/v1/referrals?needs_action=true&limit=200')).body.items.map((r: Json) => r.id) as string[];
    expect(await waiting(at)).toContain(id);
    expect(await waiting(gr)).not.toContain(id);

    await api(at, 'POST', `/api/v1/referrals/${id}/info-request`, { questions: 'Which town would she prefer?' });
    await settle();
    expect(await waiting(at)).not.toContain(id);
    expect(await waiting(gr)).toContain(id);

    const recent = (await api(gr, 'GET', `/api/v1/referrals?updated_since=${encodeURIComponent(since)}`)).body.items.map((r: Json) => r.id);
    expect(recent).toEqual([id]);
    const later = new Date(net.clock.now().getTime() + 1_000).toISOString();
    expect((await api(gr, 'GET', `/api/v1/referrals?updated_since=${encodeURIComponent(later)}`)).body.items).toEqual([]);
    expect((await api(gr, 'GET', '/api/v1/referrals?updated_since=yesterday')).status).toBe(400);
    expect((await api(gr, 'GET', '/api/v1/referrals?needs_action=maybe')).status).toBe(400);
  });
});

describe('drafts', () => {
  it('are stored without sending, listed as needing action, and sent later', async () => {
    const created = await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(at.id), draft: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'draft' });
    expect(created.body.delivery).toBeUndefined();
    const id = created.body.id;
    expect(await gr.delivery.deliverDueEnvelopes()).toBe(0);
    expect((await api(at, 'GET', `/api/v1/referrals/${id}`)).status).toBe(404);
    expect((await api(gr, 'GET', '/api/v1/referrals?needs_action=true&limit=200')).body.items.map((r: Json) => r.id)).toContain(id);

    const sent = await api(gr, 'POST', `/api/v1/referrals/${id}/send`);
    // The worker posts a committed envelope at once, so it may be delivered before the answer is read.
    expect(sent.body.state).toBe('sent');
    expect(['queued', 'delivered']).toContain(sent.body.delivery.state);
    await settle();
    const detail = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(detail.state).toBe('delivered');
    expect(detail.timeline.map((e: Json) => [e.action, e.from_state ?? null, e.to_state])).toEqual([
      ['draft', null, 'draft'],
      ['referral.offer', 'draft', 'sent'],
      ['receipt', 'sent', 'delivered'],
    ]);
    expect(detail.messages).toEqual([expect.objectContaining({ type: 'referral.offer', delivery: expect.objectContaining({ state: 'delivered', attempts: 1 }) })]);
    expect((await api(gr, 'POST', `/api/v1/referrals/${id}/send`)).body.type).toBe('urn:refnet:problem:illegal-transition');
  });

  it('are checked again when sent: a peer no longer trusted, or consent expired meanwhile, keep it a draft', async () => {
    const soon = new Date(net.clock.now().getTime() + 3_600_000).toISOString();
    const id = (await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(at.id), consent: { ...referralRequest(at.id).consent, valid_until: soon }, draft: true })).body.id;
    await gr.ctx.database.db.updateTable('peers').set({ state: 'suspended' }).where('id', '=', at.id).execute();
    const refused = await api(gr, 'POST', `/api/v1/referrals/${id}/send`);
    await gr.ctx.database.db.updateTable('peers').set({ state: 'trusted' }).where('id', '=', at.id).execute();
    expect(refused).toMatchObject({ status: 409, body: { type: 'urn:refnet:problem:peer-not-trusted' } });
    net.clock.advance(2 * 3_600_000);
    const expired = await api(gr, 'POST', `/api/v1/referrals/${id}/send`);
    expect(expired).toMatchObject({ status: 422, body: { type: 'urn:refnet:problem:consent-violation' } });
    expect((await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('draft');
  });
});

describe('the CLI', () => {
  it('saves a draft from a file and sends it later', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(gr.dataDir, '..', 'draft.json');
    writeFileSync(file, JSON.stringify(referralRequest(at.id)));
    const draft = JSON.parse(await cli('referral', 'send', '--file', file, '--draft', '--json', '--user', 'admin', '--data', gr.dataDir)) as Json;
    expect(draft.state).toBe('draft');
    expect(await cli('referral', 'send-draft', draft.id, '--user', 'admin', '--data', gr.dataDir)).toMatch(/: sent\.|: delivered\./);
    await net.catchUpWithCli();
    await settle();
    expect((await api(at, 'GET', `/api/v1/referrals/${draft.id}`)).body.state).toBe('delivered');
  });

  it('acts on a referral with the same rules as the API, and shows its timeline and next steps', async () => {
    const id = await offer();
    const listed = JSON.parse(await cli('referral', 'list', '--needs-action', '--json', '--data', at.dataDir)) as { items: Json[] };
    expect(listed.items.map((r) => r.id)).toContain(id);
    // The table says the case reference and what is owed, as the lists do.
    const caseRef = listed.items.find((r) => r.id === id)!.case_reference as string;
    expect(await cli('referral', 'list', '--needs-action', '--data', at.dataDir)).toMatch(new RegExp(`${caseRef}\\s+${id}\\s+incoming.*\\sdecide\\s`));

    const shown = await cli('referral', 'show', id, '--data', at.dataDir);
    expect(shown).toMatch(/Next: +referral info-request, referral accept, referral decline/);

    expect(await cli('referral', 'decline', id, '--reason', 'out-of-area', '--note', 'We only work in Vienna.', '--user', 'admin', '--data', at.dataDir)).toMatch(/declined/);
    await net.catchUpWithCli();
    await expect(cli('referral', 'accept', id, '--user', 'admin', '--data', at.dataDir)).rejects.toMatchObject({ problem: 'illegal-transition' });
    await expect(cli('referral', 'withdraw', id, '--reason', 'whatever', '--user', 'admin', '--data', gr.dataDir)).rejects.toThrow();

    await settle();
    const onSender = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(onSender.state).toBe('declined');
    expect(onSender.timeline.at(-1)).toMatchObject({ code: 'out-of-area', note: 'We only work in Vienna.' });
    expect(await cli('referral', 'show', id, '--data', gr.dataDir)).toMatch(/Next: +nothing/);
  });
});
