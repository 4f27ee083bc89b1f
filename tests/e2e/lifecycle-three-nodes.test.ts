// Three organisations, each a real node process on loopback, all trusting each other, take
// referrals through the whole lifecycle: an offer and a draft sent later, an information
// exchange, acceptance with progress and completion, a decline, a withdrawal after acceptance,
// and illegal transitions refused without changing anything. Every API response is checked
// against spec/local.yaml; the two sides are checked to move in step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { cleanup, runCliOk, startNode, trustEachOther, type RunningNode } from '../_util/processes.js';
import { getReferral, referralRequest, sendReferral, type ReferralDetail, type ReferralSummary } from './referrals.js';

const TIMEOUT = 90_000;
const POLL_MS = 30_000;

type Problem = { type: string; title: string; status: number; detail?: string };
type ReferralState = ReferralSummary['state'];
type Action = 'send' | 'info-request' | 'info-response' | 'accept' | 'decline' | 'update' | 'complete' | 'withdraw';

const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

/** POSTs a lifecycle action through the local API; the response is checked against the spec. */
async function act(node: RunningNode, id: string, action: Action, body?: unknown): Promise<{ status: number; body: unknown }> {
  const path = `/api/v1/referrals/${id}/${action}`;
  const response = await node.api(path, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const parsed = await expectMatchesSpec('local', 'POST', `${node.url}${path}`, response);
  return { status: response.status, body: parsed };
}

/** An action that must succeed: 200 and the referral summary in its new state. */
async function actOk(node: RunningNode, id: string, action: Action, body?: unknown): Promise<ReferralSummary> {
  const result = await act(node, id, action, body);
  expect(result.status, `${node.name} ${action} ${id}: ${JSON.stringify(result.body)}`).toBe(200);
  return result.body as ReferralSummary;
}

/** GET /api/v1/referrals with the filters given; the response is checked against the spec. */
async function listReferrals(node: RunningNode, query: Record<string, string>): Promise<ReferralSummary[]> {
  const path = `/api/v1/referrals?${new URLSearchParams(query).toString()}`;
  const response = await node.api(path);
  const body = (await expectMatchesSpec('local', 'GET', `${node.url}${path}`, response)) as { items: ReferralSummary[] };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.items;
}

/**
 * Polls one referral on `node` (every answer checked against the spec, so a mismatch fails at
 * once instead of looking like a timeout) until `done` holds.
 */
async function waitFor(
  node: RunningNode,
  id: string,
  what: string,
  done: (detail: ReferralDetail) => boolean,
  timeoutMs = POLL_MS,
): Promise<ReferralDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await getReferral(node, id);
    if (done(detail)) return detail;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting on ${node.name} for ${what} (referral ${id}).\n` +
          `Last state: ${detail.state}, delivery: ${JSON.stringify(detail.delivery)}\n` +
          `Messages: ${JSON.stringify(detail.messages.map((m) => ({ type: m.type, seq: m.seq, direction: m.direction, delivery: m.delivery })))}\n` +
          `Timeline: ${JSON.stringify(detail.timeline.map((e) => [e.action, e.from_state, e.to_state, e.by.kind, e.code]))}\n` +
          `Logs of ${node.name}:\n${node.logs()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const waitForState = (node: RunningNode, id: string, state: ReferralState) => waitFor(node, id, `state ${state}`, (d) => d.state === state);

/** Asks the node for a referral it must not have; the 404 is checked against the spec. */
async function expectNotFound(node: RunningNode, id: string): Promise<void> {
  const path = `/api/v1/referrals/${id}`;
  const response = await node.api(path);
  const body = (await expectMatchesSpec('local', 'GET', `${node.url}${path}`, response)) as Problem;
  expect(response.status, JSON.stringify(body)).toBe(404);
  expect(body.type).toBe('urn:refnet:problem:not-found');
}

describe('the referral lifecycle across three organisations', () => {
  let a: RunningNode; // Greece
  let b: RunningNode; // Austria
  let c: RunningNode; // Italy

  let toB: ReferralSummary; // A → B: info exchange, accepted, completed
  let toC: ReferralSummary; // A → C: a draft sent later, then declined
  let fromC: ReferralSummary; // C → A: accepted, then withdrawn

  const questions = 'Does she have a residence permit for Austria yet, and does she need childcare during the course?';
  const answer = 'Her asylum interview is on 12 March; her daughter (4) needs a kindergarten place in the mornings.';
  const extraClient = {
    identity: { given_name: 'Amal', family_name: 'Haddad', date_of_birth: '1994-05-17', nationality: 'SY' },
    situation: {
      summary: 'Lives in a shelter in Athens with her daughter (4); ready to move in spring.',
      languages_spoken: ['ar', 'en', 'el'],
      household_note: 'One child, aged 4; no other family in Europe.',
    },
  };

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startNode({ name: 'Athens Women Support', country: 'GR', languages: ['el', 'en'] }),
      startNode({ name: 'Wien Frauenberatung', country: 'AT', languages: ['de', 'en'] }),
      startNode({ name: 'Casa delle Donne Milano', country: 'IT', languages: ['it', 'en'] }),
    ]);
    await trustEachOther(a, b);
    await trustEachOther(a, c);
    await trustEachOther(b, c);
  }, 180_000);

  afterAll(async () => {
    await cleanup.run();
  }, 60_000);

  it('A sends a referral to B and a draft to C that is sent later; both reach delivered on A', async () => {
    // Each node lists the other two as trusted.
    for (const [node, others] of [
      [a, [b, c]],
      [b, [a, c]],
      [c, [a, b]],
    ] as const) {
      const response = await node.api('/api/v1/peers');
      const peers = (await expectMatchesSpec('local', 'GET', `${node.url}/api/v1/peers`, response)) as { items: Array<{ id: string; state: string }> };
      expect(response.status).toBe(200);
      for (const other of others) expect(peers.items.find((p) => p.id === other.url)?.state, `${node.name} → ${other.name}`).toBe('trusted');
    }

    toB = await sendReferral(
      a,
      referralRequest(b.url, {
        needs: ['vocational-training', 'language-courses', 'childcare'],
        urgency: 'urgent',
        reply_by: inDays(7),
        reason: 'She wants to train as a pastry cook in Vienna and needs German at A2 first. She has a daughter of 4.',
      }),
    );
    expect(toB).toMatchObject({ direction: 'outgoing', peer: { id: b.url, name: b.name }, urgency: 'urgent' });
    expect(['sent', 'delivered']).toContain(toB.state);

    toC = await sendReferral(
      a,
      referralRequest(c.url, {
        draft: true,
        needs: ['safe-housing', 'psychological-support'],
        reply_by: inDays(7),
        reason: 'She needs a safe place in Milan, away from the people who brought her to Greece.',
      }),
    );
    expect(toC).toMatchObject({ direction: 'outgoing', peer: { id: c.url }, state: 'draft' });
    // A draft stays on A; nothing reaches C.
    await new Promise((r) => setTimeout(r, 500));
    expect((await getReferral(a, toC.id)).state).toBe('draft');
    await expectNotFound(c, toC.id);

    const sent = await actOk(a, toC.id, 'send');
    expect(sent.id).toBe(toC.id);
    expect(['sent', 'delivered']).toContain(sent.state);

    for (const [id, peer] of [
      [toB.id, b],
      [toC.id, c],
    ] as const) {
      const onA = await waitForState(a, id, 'delivered');
      expect(onA.delivery?.state).toBe('delivered');
      expect(onA.messages[0]).toMatchObject({ type: 'referral.offer', direction: 'outgoing', seq: 1, receipt: expect.any(String) });
      expect(onA.content?.reply_by).toEqual(expect.any(String));
      const onPeer = await getReferral(peer, id);
      expect(onPeer).toMatchObject({ direction: 'incoming', state: 'delivered', peer: { id: a.url } });
    }
  }, TIMEOUT);

  it('B asks for information, A sees the questions and answers with more client data, B sees the answer', async () => {
    const asked = await actOk(b, toB.id, 'info-request', { questions });
    expect(asked.state).toBe('info-requested');

    const onA = await waitForState(a, toB.id, 'info-requested');
    expect(onA.information).toEqual([{ at: expect.any(String), action: 'referral.info-request', text: questions }]);
    expect(onA.timeline.at(-1)).toMatchObject({ action: 'referral.info-request', from_state: 'delivered', to_state: 'info-requested', by: { kind: 'peer', id: b.url } });

    const waiting = await listReferrals(a, { needs_action: 'true' });
    expect(waiting.find((r) => r.id === toB.id), JSON.stringify(waiting)).toMatchObject({ direction: 'outgoing', state: 'info-requested' });
    const waitingOnB = await listReferrals(b, { needs_action: 'true' });
    expect(waitingOnB.find((r) => r.id === toB.id), 'B waits for the answer, it has nothing to do').toBeUndefined();
    expect((await listReferrals(a, { direction: 'outgoing', state: 'info-requested', peer: b.url })).map((r) => r.id)).toEqual([toB.id]);

    const answered = await actOk(a, toB.id, 'info-response', { answer, client: extraClient });
    expect(answered.state).toBe('delivered');

    const onB = await waitFor(b, toB.id, 'the answer', (d) => d.state === 'delivered' && (d.information?.length ?? 0) >= 2);
    expect(onB.information).toEqual([
      { at: expect.any(String), action: 'referral.info-request', text: questions },
      { at: expect.any(String), action: 'referral.info-response', text: answer, client: extraClient },
    ]);
    // The offer's own content is unchanged; the extra data sits with the answer.
    expect(onB.content?.client).toEqual(referralRequest(b.url).client);
    expect(onB.timeline.at(-1)).toMatchObject({ action: 'referral.info-response', from_state: 'info-requested', to_state: 'delivered', by: { kind: 'peer', id: a.url } });

    const onAAfter = await getReferral(a, toB.id);
    expect(onAAfter.state).toBe('delivered');
    expect(onAAfter.information?.map((i) => i.action)).toEqual(['referral.info-request', 'referral.info-response']);
    expect((await listReferrals(a, { needs_action: 'true' })).find((r) => r.id === toB.id)).toBeUndefined();
  }, TIMEOUT);

  it('B accepts, reports progress twice and completes; A follows every step, and B holds a receipt for every message', async () => {
    expect((await actOk(b, toB.id, 'accept', { note: 'We have a place in the A2 course from 3 March.' })).state).toBe('accepted');
    expect((await actOk(b, toB.id, 'update', { status: 'first-contact-made' })).state).toBe('in-progress');
    expect((await actOk(b, toB.id, 'update', { status: 'service-started', note: 'She started the A2 course on 3 March.' })).state).toBe('in-progress');
    expect((await actOk(b, toB.id, 'complete', { outcome: 'service-completed', note: 'She passed A2 and starts the pastry apprenticeship in June.' })).state).toBe(
      'completed',
    );

    const onA = await waitForState(a, toB.id, 'completed');
    const last4 = onA.timeline.slice(-4).map((e) => ({ action: e.action, from: e.from_state, to: e.to_state, by: e.by, code: e.code, note: e.note }));
    const byB = { kind: 'peer', id: b.url };
    expect(last4).toEqual([
      { action: 'referral.accept', from: 'delivered', to: 'accepted', by: byB, code: undefined, note: 'We have a place in the A2 course from 3 March.' },
      { action: 'referral.update', from: 'accepted', to: 'in-progress', by: byB, code: 'first-contact-made', note: undefined },
      { action: 'referral.update', from: 'in-progress', to: 'in-progress', by: byB, code: 'service-started', note: 'She started the A2 course on 3 March.' },
      {
        action: 'referral.complete',
        from: 'in-progress',
        to: 'completed',
        by: byB,
        code: 'service-completed',
        note: 'She passed A2 and starts the pastry apprenticeship in June.',
      },
    ]);
    expect(onA.timeline.map((e) => e.action)).toEqual([
      'referral.offer',
      'receipt',
      'referral.info-request',
      'referral.info-response',
      'referral.accept',
      'referral.update',
      'referral.update',
      'referral.complete',
    ]);
    // A received B's five messages in B's order.
    expect(onA.messages.filter((m) => m.direction === 'incoming').map((m) => [m.type, m.seq])).toEqual([
      ['referral.info-request', 1],
      ['referral.accept', 2],
      ['referral.update', 3],
      ['referral.update', 4],
      ['referral.complete', 5],
    ]);

    const onB = await waitFor(b, toB.id, 'every outgoing message delivered', (d) =>
      d.messages.filter((m) => m.direction === 'outgoing').every((m) => m.delivery?.state === 'delivered' && m.receipt !== undefined),
    );
    expect(onB.state).toBe('completed');
    const outgoing = onB.messages.filter((m) => m.direction === 'outgoing');
    expect(outgoing.map((m) => m.type)).toEqual(['referral.info-request', 'referral.accept', 'referral.update', 'referral.update', 'referral.complete']);
    for (const message of outgoing) {
      expect(message.delivery, message.type).toMatchObject({ state: 'delivered', delivered_at: expect.any(String) });
      expect(message.receipt, message.type).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    }
    // Both sides agree on the envelopes exchanged.
    expect(onB.messages.map((m) => m.envelope_id).sort()).toEqual(onA.messages.map((m) => m.envelope_id).sort());
  }, TIMEOUT);

  it('C declines with no-capacity; A sees it; a later accept on C is refused and changes nothing', async () => {
    const onC = await getReferral(c, toC.id);
    expect(onC.state).toBe('delivered');

    const declined = await actOk(c, toC.id, 'decline', { reason: 'no-capacity', note: 'Our safe house is full until September.' });
    expect(declined.state).toBe('declined');

    const onA = await waitForState(a, toC.id, 'declined');
    expect(onA.timeline.at(-1)).toMatchObject({
      action: 'referral.decline',
      from_state: 'delivered',
      to_state: 'declined',
      code: 'no-capacity',
      note: 'Our safe house is full until September.',
      by: { kind: 'peer', id: c.url },
    });

    const before = await getReferral(c, toC.id);
    const refused = await act(c, toC.id, 'accept', { note: 'A place came free after all.' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect((refused.body as Problem).type).toBe('urn:refnet:problem:illegal-transition');

    const after = await getReferral(c, toC.id);
    expect(after.state).toBe('declined');
    expect(after.timeline).toHaveLength(before.timeline.length);
    expect(after.messages).toHaveLength(before.messages.length);
    expect(after.updated_at).toBe(before.updated_at);
    // Nothing travelled to A either.
    await new Promise((r) => setTimeout(r, 500));
    const onAAfter = await getReferral(a, toC.id);
    expect(onAAfter.state).toBe('declined');
    expect(onAAfter.timeline).toHaveLength(onA.timeline.length);
  }, TIMEOUT);

  it('C sends a referral to A and withdraws it after A accepted; A ends withdrawn with the reason', async () => {
    fromC = await sendReferral(
      c,
      referralRequest(a.url, {
        needs: ['legal-aid-asylum', 'psychological-support'],
        reply_by: inDays(7),
        reason: 'She wants to return to Athens, where her sister lives, and needs help with her asylum case there.',
      }),
    );
    expect(fromC).toMatchObject({ direction: 'outgoing', peer: { id: a.url } });
    await waitForState(c, fromC.id, 'delivered');

    const onA = await getReferral(a, fromC.id);
    expect(onA).toMatchObject({ direction: 'incoming', state: 'delivered', peer: { id: c.url } });
    const incoming = await listReferrals(a, { direction: 'incoming', needs_action: 'true', peer: c.url });
    expect(incoming.map((r) => r.id)).toContain(fromC.id);

    expect((await actOk(a, fromC.id, 'accept', { note: 'Our lawyer can see her next week.' })).state).toBe('accepted');
    await waitForState(c, fromC.id, 'accepted');

    const withdrawn = await actOk(c, fromC.id, 'withdraw', { reason: 'need-met-elsewhere', note: 'She found help through her sister in Athens.' });
    expect(withdrawn.state).toBe('withdrawn');

    const onAEnd = await waitForState(a, fromC.id, 'withdrawn');
    expect(onAEnd.timeline.at(-1)).toMatchObject({
      action: 'referral.withdraw',
      from_state: 'accepted',
      to_state: 'withdrawn',
      code: 'need-met-elsewhere',
      note: 'She found help through her sister in Athens.',
      by: { kind: 'peer', id: c.url },
    });
    const onCEnd = await getReferral(c, fromC.id);
    expect(onCEnd.state).toBe('withdrawn');
    expect(onCEnd.timeline.map((e) => e.action)).toEqual(['referral.offer', 'receipt', 'referral.accept', 'referral.withdraw']);
  }, TIMEOUT);

  it('the CLI on B lists and shows the completed referral with its timeline', async () => {
    const list = JSON.parse((await runCliOk(['referral', 'list', '--json', '--data', b.dataDir])).stdout) as { items: ReferralSummary[] };
    const item = list.items.find((r) => r.id === toB.id);
    expect(item, JSON.stringify(list)).toMatchObject({ direction: 'incoming', state: 'completed', peer: { id: a.url } });

    const shown = JSON.parse((await runCliOk(['referral', 'show', toB.id, '--json', '--data', b.dataDir])).stdout) as ReferralDetail;
    expect(shown.id).toBe(toB.id);
    expect(shown.state).toBe('completed');
    expect(shown.timeline.map((e) => [e.action, e.to_state, e.code])).toEqual([
      ['referral.offer', 'delivered', undefined],
      ['referral.info-request', 'info-requested', undefined],
      ['referral.info-response', 'delivered', undefined],
      ['referral.accept', 'accepted', undefined],
      ['referral.update', 'in-progress', 'first-contact-made'],
      ['referral.update', 'in-progress', 'service-started'],
      ['referral.complete', 'completed', 'service-completed'],
    ]);
    // The CLI shows the same as the API.
    const viaApi = await getReferral(b, toB.id);
    expect(shown.timeline).toEqual(viaApi.timeline);
    expect(shown.information).toEqual(viaApi.information);
  }, TIMEOUT);

  it('a withdraw by the receiver is refused as an illegal transition, and A still shows completed', async () => {
    const beforeA = await getReferral(a, toB.id);
    const beforeB = await getReferral(b, toB.id);

    const refused = await act(b, toB.id, 'withdraw', { reason: 'sent-in-error' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect((refused.body as Problem).type).toBe('urn:refnet:problem:illegal-transition');

    const afterB = await getReferral(b, toB.id);
    expect(afterB.state).toBe('completed');
    expect(afterB.timeline).toEqual(beforeB.timeline);
    expect(afterB.messages).toHaveLength(beforeB.messages.length);

    await new Promise((r) => setTimeout(r, 500));
    const afterA = await getReferral(a, toB.id);
    expect(afterA.state).toBe('completed');
    expect(afterA.timeline).toEqual(beforeA.timeline);
    expect(afterA.messages).toHaveLength(beforeA.messages.length);
  }, TIMEOUT);
});
