// Inquiries: asking whether an organisation can help before any personal data leaves, then the
// offer on the same referral, with the same rules on both sides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../_util/cli.js';
import { expireOverdueReferrals } from '../../node/referrals/expiry.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { LIFECYCLE_ACTIONS, TRANSITIONS } from '../../node/referrals/lifecycle.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());



const settle = () => net.settle();

const inquiryRequest = (overrides: Json = {}) => ({
  to: at.id,
  needs: ['vocational-training', 'childcare'],
  urgency: 'routine',
  profile: { age_group: 'adult', legal_status: 'asylum-seeker', languages: ['ar', 'en'], children: 1, region: 'Vienna' },
  ...overrides,
});

async function inquire(overrides: Json = {}): Promise<string> {
  const { status, body } = await api(gr, 'POST', '/api/v1/inquiries', inquiryRequest(overrides));
  expect(status).toBe(201);
  expect(body.state).toBe('inquiry');
  await settle();
  return body.id;
}

const { to: _to, draft: _draft, ...offer } = { ...referralRequest('unused'), draft: undefined };

describe('an inquiry', () => {
  it('is answered, then the offer follows on the same referral and both sides keep step', async () => {
    const id = await inquire();
    const received = (await api(at, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(received).toMatchObject({ state: 'inquiry', direction: 'incoming', inquiry: { needs: ['vocational-training', 'childcare'], profile: { region: 'Vienna' } } });
    expect(received.content).toBeUndefined();
    // Waiting for the receiver: an inquiry to answer (issue 18 item 1).
    const waiting = (await api(at, 'GET', '/api/v1/referrals?needs_action=true&limit=200')).body.items.find((r: Json) => r.id === id);
    expect(waiting?.attention).toMatchObject({ reason: 'answer-inquiry', overdue: false });

    const answered = await api(at, 'POST', `/api/v1/referrals/${id}/inquiry-answer`, { capacity: 'waiting-list', available_from: '2027-01-15', note: 'A place opens mid-January.' });
    expect(answered.body.state).toBe('inquiry-answered');
    await settle();
    const onSender = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(onSender.state).toBe('inquiry-answered');
    expect(onSender.inquiry.answer).toEqual({ capacity: 'waiting-list', available_from: '2027-01-15', note: 'A place opens mid-January.' });

    const offered = await api(gr, 'POST', `/api/v1/referrals/${id}/offer`, offer);
    // The worker posts a committed envelope at once, so it may be delivered before the answer is read.
    expect(offered.body.state).toBe('sent');
    expect(['queued', 'delivered']).toContain(offered.body.delivery.state);
    await settle();
    for (const node of [gr, at]) {
      const detail = (await api(node, 'GET', `/api/v1/referrals/${id}`)).body;
      expect(detail.state).toBe('delivered');
      expect(detail.content.client).toEqual(offer.client);
    }
    const timeline = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.timeline.map((e: Json) => [e.action, e.from_state ?? null, e.to_state, e.code ?? null]);
    expect(timeline).toEqual([
      ['referral.inquiry', null, 'inquiry', null],
      ['referral.inquiry-answer', 'inquiry', 'inquiry-answered', 'waiting-list'],
      ['referral.offer', 'inquiry-answered', 'sent', null],
      ['receipt', 'sent', 'delivered', null],
    ]);
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/accept`, {})).status).toBe(200);
  });

  it('carries no personal data: a request with client data is refused', async () => {
    const refused = await api(gr, 'POST', '/api/v1/inquiries', { ...inquiryRequest(), client: offer.client });
    expect(refused.status).toBe(422);
    const named = await api(gr, 'POST', '/api/v1/inquiries', inquiryRequest({ profile: { region: 'Vienna', name: 'Amal' } }));
    expect(named.status).toBe(422);
  });

  it('that cannot be helped with ends when the sender withdraws', async () => {
    const id = await inquire();
    await api(at, 'POST', `/api/v1/referrals/${id}/inquiry-answer`, { capacity: 'cannot-help', reason: 'out-of-area' });
    await settle();
    expect((await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.inquiry.answer).toEqual({ capacity: 'cannot-help', reason: 'out-of-area' });
    await api(gr, 'POST', `/api/v1/referrals/${id}/withdraw`, { reason: 'need-met-elsewhere' });
    await settle();
    expect((await api(at, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('withdrawn');
  });

  it('expires on both sides when unanswered by its reply-by date', async () => {
    const id = await inquire({ reply_by: new Date(net.clock.now().getTime() + 3_600_000).toISOString() });
    net.clock.advance(2 * 3_600_000);
    await expireOverdueReferrals(gr.ctx);
    await expireOverdueReferrals(at.ctx);
    expect((await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('expired');
    expect((await api(at, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('expired');
  });
});

describe('illegal steps around an inquiry', () => {
  it.each(['inquiry', 'inquiry-answered'])('are refused from %s on both sides, and change nothing', async (state) => {
    const id = await inquire();
    if (state === 'inquiry-answered') {
      await api(at, 'POST', `/api/v1/referrals/${id}/inquiry-answer`, { capacity: 'can-help' });
      await settle();
    }
    const bodies: Record<string, Json> = {
      'referral.inquiry-answer': { capacity: 'can-help' }, 'referral.info-request': { questions: 'q' }, 'referral.info-response': { answer: 'a' },
      'referral.accept': {}, 'referral.decline': { reason: 'other' }, 'referral.update': { status: 'other' }, 'referral.complete': { outcome: 'other' },
      'referral.withdraw': { reason: 'other' },
      'referral.onward': { to: 'https://third.example.org', reason: 'r' },
    };
    for (const message of LIFECYCLE_ACTIONS) {
      for (const [node, party] of [[gr, 'sender'], [at, 'receiver']] as const) {
        const t = TRANSITIONS[message];
        if (t.by === party && (t.from as readonly string[]).includes(state)) continue;
        const before = await snapshot(node);
        const path = message === 'referral.onward' ? 'refer-onward' : message.slice('referral.'.length);
        const { status } = await api(node, 'POST', `/api/v1/referrals/${id}/${path}`, bodies[message]);
        expect(status, `${party} ${message} from ${state}`).toBe(409);
        expect(await snapshot(node)).toEqual(before);
      }
    }
    if (state === 'inquiry') {
      expect((await api(gr, 'POST', `/api/v1/referrals/${id}/offer`, offer)).status).toBe(409);
    }
  });

  it('an offer arriving before the inquiry was answered is refused by the receiver', async () => {
    const id = await inquire();
    const sealed = await sealEnvelope({
      type: 'referral.offer', from: gr.id, to: at.id, referralId: id, seq: 2, createdAt: net.clock.now(),
      body: {
        referral_id: id, needs: ['childcare'], urgency: 'routine', reason: 'r', client: {},
        consent: { id: randomUUID(), categories: [], purposes: ['referral'], recipients: [at.id], method: 'written', language: 'en', obtained_by: randomUUID(), obtained_at: net.clock.now().toISOString(), valid_until: '2030-01-01T00:00:00Z' },
      },
      recipientKey: at.ctx.self.encryptionKey.publicJwk, senderKey: gr.ctx.self.encryptionKey.publicJwk,
    });
    const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: gr.id, signingKey: gr.ctx.self.signingKey }, net.clock.now());
    const before = await snapshot(at);
    const response = await at.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    expect(response.status).toBe(409);
    expect(((await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as Json).type).toBe('urn:refnet:problem:illegal-transition');
    expect(await snapshot(at)).toEqual(before);
  });
});

describe('the CLI', () => {
  it('inquires, answers and offers', async () => {
    const inquiryFile = join(gr.dataDir, '..', 'inquiry.json');
    const offerFile = join(gr.dataDir, '..', 'offer.json');
    writeFileSync(inquiryFile, JSON.stringify(inquiryRequest()));
    writeFileSync(offerFile, JSON.stringify(offer));
    const { id } = JSON.parse(await cli('referral', 'inquire', '--file', inquiryFile, '--json', '--user', 'admin', '--data', gr.dataDir)) as Json;
    await net.catchUpWithCli();
    await settle();
    expect(await cli('referral', 'show', id, '--data', at.dataDir)).toMatch(/Next: +referral inquiry-answer/);
    expect(await cli('referral', 'inquiry-answer', id, '--capacity', 'can-help', '--available-from', '2027-02-01', '--user', 'admin', '--data', at.dataDir)).toMatch(/inquiry-answered/);
    await net.catchUpWithCli();
    await settle();
    expect(await cli('referral', 'show', id, '--data', gr.dataDir)).toMatch(/Answer: +can-help from 2027-02-01[\s\S]*Next: +referral offer, referral withdraw/);
    expect(await cli('referral', 'offer', id, '--file', offerFile, '--user', 'admin', '--data', gr.dataDir)).toMatch(/: (sent|delivered)\./);
    await net.catchUpWithCli();
    await settle();
    expect((await api(at, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('delivered');
  });
});
