// The referral lifecycle between two nodes in step: every path of the table, every illegal
// transition refused on both sides (made locally or arriving over the network) without any
// change, messages applied in order, and a timeline that says who did what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { uuidv7 } from '../../node/util/uuidv7.js';
import { readFileSync } from 'node:fs';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { ERASURE_TRANSITIONS, LIFECYCLE_ACTIONS, TRANSITIONS, type LifecycleAction, type LifecycleMessage } from '../../node/referrals/lifecycle.js';
import { specPath } from '../../node/schema/validators.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode; // the sender in these tests
let at: TestNode; // the receiver

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());



const settle = () => net.settle();

async function newReferral(): Promise<string> {
  const { status, body } = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
  expect(status).toBe(201);
  await settle();
  return body.id as string;
}

const act = (node: TestNode, id: string, action: string, body: unknown = {}) => api(node, 'POST', `/api/v1/referrals/${id}/${action}`, body);
const stateOn = async (node: TestNode, id: string) => (await api(node, 'GET', `/api/v1/referrals/${id}`)).body.state as string;

// The actions of the local API (the node sends a hand-over itself when someone else becomes responsible: tests/lifecycle/handover.test.ts).
const ACTION_BODIES: Record<LifecycleAction, Json> = {
  'referral.inquiry-answer': { capacity: 'can-help' },
  'referral.info-request': { questions: 'Does she need childcare during the course?' },
  'referral.info-response': { answer: 'Yes, for her daughter (4).' },
  'referral.accept': { note: 'We have a place from 1 March.' },
  'referral.decline': { reason: 'no-capacity', note: 'Full until summer.' },
  'referral.update': { status: 'service-started' },
  'referral.complete': { outcome: 'service-completed', note: 'Finished the course with a certificate.' },
  'referral.withdraw': { reason: 'client-request' },
  'referral.onward': { to: 'https://third.example.org', reason: 'She moved to another city.' },
};
/** The local API path segment of each action (onward referral is `refer-onward`: it creates a referral too). */
const nameOf = (message: LifecycleMessage) => (message === 'referral.onward' ? 'refer-onward' : message.slice('referral.'.length));

describe('the lifecycle table', () => {
  it('in the code is exactly the table in spec/federation.yaml', () => {
    const text = readFileSync(specPath('federation'), 'utf8');
    const rows = [...text.matchAll(/^\s*\| `((?:referral|consent|erasure)\.[a-z-]+)` \| (sender|receiver) \| (.+?) \| (?:`([a-z-]+)`|\(unchanged\)) \|$/gm)];
    const fromSpec = Object.fromEntries(
      rows
        // The two messages that start a referral are not in TRANSITIONS: service.ts and inquiry.ts apply them.
        .filter((r) => r[1] !== 'referral.offer' && r[1] !== 'referral.inquiry')
        .map((r) => [r[1], { by: r[2], from: [...r[3]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]), to: r[4] ?? null }]),
    );
    expect(fromSpec).toEqual(JSON.parse(JSON.stringify({ ...TRANSITIONS, ...ERASURE_TRANSITIONS })));
  });
});

describe('a referral that is accepted and completed', () => {
  it('moves both sides in step, with the information exchanged and a timeline of who did what', async () => {
    const id = await newReferral();
    expect(await stateOn(gr, id)).toBe('delivered');

    expect((await act(at, id, 'info-request', ACTION_BODIES['referral.info-request'])).body.state).toBe('info-requested');
    await settle();
    expect(await stateOn(gr, id)).toBe('info-requested');

    const extra = { situation: { summary: 'Has a daughter of 4 who needs childcare during the course.' } };
    const answered = await act(gr, id, 'info-response', { answer: 'Yes, for her daughter (4).', client: extra });
    expect(answered.status).toBe(200);
    await settle();
    const afterAnswer = (await api(at, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(afterAnswer.state).toBe('delivered');
    expect(afterAnswer.information.map((i: Json) => [i.action, i.text])).toEqual([
      ['referral.info-request', 'Does she need childcare during the course?'],
      ['referral.info-response', 'Yes, for her daughter (4).'],
    ]);
    expect(afterAnswer.information[1].client).toEqual(extra);

    await act(at, id, 'accept', ACTION_BODIES['referral.accept']);
    await act(at, id, 'update', { status: 'first-contact-made' });
    await act(at, id, 'update', { status: 'service-started', note: 'Started the A2 course.' });
    await act(at, id, 'complete', ACTION_BODIES['referral.complete']);
    await settle();

    const sender = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body;
    const receiver = (await api(at, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(sender.state).toBe('completed');
    expect(receiver.state).toBe('completed');
    const steps = (t: Json[]) => t.map((e) => [e.action, e.from_state ?? null, e.to_state, e.by.kind, e.code ?? null]);
    expect(steps(sender.timeline)).toEqual([
      ['referral.offer', null, 'sent', 'user', null],
      ['receipt', 'sent', 'delivered', 'peer', null],
      ['referral.info-request', 'delivered', 'info-requested', 'peer', null],
      ['referral.info-response', 'info-requested', 'delivered', 'user', null],
      ['referral.accept', 'delivered', 'accepted', 'peer', null],
      ['referral.update', 'accepted', 'in-progress', 'peer', 'first-contact-made'],
      ['referral.update', 'in-progress', 'in-progress', 'peer', 'service-started'],
      ['referral.complete', 'in-progress', 'completed', 'peer', 'service-completed'],
    ]);
    expect(sender.timeline.at(-1).note).toBe('Finished the course with a certificate.');
    expect(sender.timeline.every((e: Json) => e.by.kind === 'user' || e.by.id === at.id)).toBe(true);
    expect(steps(receiver.timeline).map((s) => s[0])).toEqual([
      'referral.offer', 'referral.info-request', 'referral.info-response', 'referral.accept', 'referral.update', 'referral.update', 'referral.complete',
    ]);
  });
});

describe('other endings', () => {
  it('a decline reaches the sender with its reason', async () => {
    const id = await newReferral();
    await act(at, id, 'decline', ACTION_BODIES['referral.decline']);
    await settle();
    const sender = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(sender.state).toBe('declined');
    expect(sender.timeline.at(-1)).toMatchObject({ action: 'referral.decline', code: 'no-capacity', note: 'Full until summer.', by: { kind: 'peer', id: at.id } });
  });

  it('a withdrawal by the sender reaches the receiver, even after acceptance', async () => {
    const id = await newReferral();
    await act(at, id, 'accept');
    await settle();
    await act(gr, id, 'withdraw', { reason: 'need-met-elsewhere' });
    await settle();
    expect(await stateOn(at, id)).toBe('withdrawn');
    expect(await stateOn(gr, id)).toBe('withdrawn');
  });

  it('crossing messages (accept and withdraw at once) end withdrawn on both sides', async () => {
    const id = await newReferral();
    // The accept is held on its way until GR has withdrawn: a commit starts its delivery at once,
    // and it must not reach GR first.
    let release!: () => void;
    const withdrawn = new Promise<void>((resolve) => (release = resolve));
    net.gate = (url) => (url.href.startsWith(`${gr.id}/`) ? withdrawn : Promise.resolve());
    try {
      await act(at, id, 'accept');
      await act(gr, id, 'withdraw', { reason: 'client-request' });
    } finally {
      release();
      net.gate = undefined;
    }
    await settle();
    expect(await stateOn(gr, id)).toBe('withdrawn');
    expect(await stateOn(at, id)).toBe('withdrawn');
    const refusedAccept = await at.ctx.database.db.selectFrom('envelopes').select(['delivery_state', 'last_error']).where('referral_id', '=', id).where('type', '=', 'referral.accept').executeTakeFirstOrThrow();
    expect(refusedAccept).toEqual({ delivery_state: 'failed', last_error: '409 urn:refnet:problem:illegal-transition' });
  });
});

describe('illegal transitions made locally', () => {
  /** Brings a fresh referral to `state` through legal steps. */
  async function referralIn(state: string): Promise<string> {
    const id = await newReferral();
    const paths: Record<string, Array<[TestNode, string, Json]>> = {
      delivered: [],
      'info-requested': [[at, 'info-request', ACTION_BODIES['referral.info-request']]],
      accepted: [[at, 'accept', {}]],
      'in-progress': [[at, 'accept', {}], [at, 'update', { status: 'service-started' }]],
      completed: [[at, 'accept', {}], [at, 'complete', { outcome: 'service-completed' }]],
      declined: [[at, 'decline', { reason: 'not-eligible' }]],
      withdrawn: [[gr, 'withdraw', { reason: 'sent-in-error' }]],
    };
    for (const [node, action, body] of paths[state]!) {
      expect((await act(node, id, action, body)).status).toBe(200);
      await settle();
    }
    expect(await stateOn(gr, id)).toBe(state);
    expect(await stateOn(at, id)).toBe(state);
    return id;
  }

  it.each(['delivered', 'info-requested', 'accepted', 'in-progress', 'completed', 'declined', 'withdrawn'])(
    'are refused from %s on both sides, and change nothing',
    async (state) => {
      const id = await referralIn(state);
      for (const message of LIFECYCLE_ACTIONS) {
        const transition = TRANSITIONS[message];
        for (const [node, party] of [[gr, 'sender'], [at, 'receiver']] as const) {
          if (transition.by === party && (transition.from as readonly string[]).includes(state)) continue;
          const before = await snapshot(node);
          const { status, body } = await act(node, id, nameOf(message), ACTION_BODIES[message]);
          expect(status, `${party} ${message} from ${state}`).toBe(409);
          expect(body.type).toBe('urn:refnet:problem:illegal-transition');
          expect(await snapshot(node)).toEqual(before);
        }
      }
    },
  );

  it('an unknown referral is 404, and a bad body 422', async () => {
    expect((await act(at, randomUUID(), 'accept')).status).toBe(404);
    const id = await newReferral();
    const { status, body } = await act(at, id, 'decline', { reason: 'bored' });
    expect(status).toBe(422);
    expect(body.type).toBe('urn:refnet:problem:invalid-request');
  });

  it('further client data outside the consent is refused', async () => {
    const id = await newReferral();
    await act(at, id, 'info-request', ACTION_BODIES['referral.info-request']);
    await settle();
    const { status, body } = await act(gr, id, 'info-response', { answer: 'See health note.', client: { health: { note: 'x' } } });
    expect(status).toBe(422);
    expect(body.type).toBe('urn:refnet:problem:consent-violation');
  });
});

describe('messages arriving over the network', () => {
  /** A message from gr (the sender) to at about referral `id`, signed now. */
  async function fromSender(id: string, type: string, seq: number, body: Json, envelopeId = uuidv7()): Promise<string> {
    const sealed = await sealEnvelope(
      {
        type, from: gr.id, to: at.id, referralId: id, seq, createdAt: net.clock.now(), body: { referral_id: id, ...body },
        recipientKey: at.ctx.self.encryptionKey.publicJwk, senderKey: gr.ctx.self.encryptionKey.publicJwk,
      },
      () => envelopeId,
    );
    return signEnvelopeAttempt(sealed.payload, { nodeId: gr.id, signingKey: gr.ctx.self.signingKey }, net.clock.now());
  }

  async function expectRefusedAt(jws: string, status: number, problem: string) {
    const before = await snapshot(at);
    const response = await at.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    expect(response.status).toBe(status);
    expect(((await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as Json).type).toBe(`urn:refnet:problem:${problem}`);
    expect(await snapshot(at)).toEqual(before);
  }

  it('a message only the receiver may send, sent by the sender, is refused', async () => {
    const id = await newReferral();
    await expectRefusedAt(await fromSender(id, 'referral.accept', 2, {}), 409, 'illegal-transition');
  });

  it('a message from a state the table does not allow is refused', async () => {
    const id = await newReferral();
    await expectRefusedAt(await fromSender(id, 'referral.info-response', 2, { answer: 'unasked' }), 409, 'illegal-transition');
  });

  it('a message that arrives early is refused as out of order, and accepted once its turn comes', async () => {
    const id = await newReferral();
    await act(at, id, 'accept');
    await settle();
    await expectRefusedAt(await fromSender(id, 'referral.withdraw', 3, { reason: 'client-request' }), 409, 'out-of-order');
    const inTurn = await fromSender(id, 'referral.withdraw', 2, { reason: 'client-request' });
    const response = await at.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: inTurn });
    expect(response.status).toBe(200);
    expect(await stateOn(at, id)).toBe('withdrawn');
  });

  it('a message about a referral the node does not have is refused', async () => {
    await expectRefusedAt(await fromSender(randomUUID(), 'referral.withdraw', 2, { reason: 'client-request' }), 422, 'unknown-referral');
  });

  it('further client data outside the consent is refused', async () => {
    const id = await newReferral();
    await act(at, id, 'info-request', ACTION_BODIES['referral.info-request']);
    await settle();
    await expectRefusedAt(await fromSender(id, 'referral.info-response', 2, { answer: 'a', client: { health: { note: 'x' } } }), 422, 'invalid-body');
  });
});

describe('order of delivery', () => {
  it('a peer that was away receives a referral\'s messages in order', async () => {
    const id = await newReferral();
    net.unreachable.add(gr.id);
    await act(at, id, 'accept');
    await act(at, id, 'update', { status: 'first-contact-made' });
    await act(at, id, 'complete', { outcome: 'goals-partly-met' });
    await at.delivery.deliverDueEnvelopes();
    net.unreachable.delete(gr.id);
    net.clock.advance(60 * 60_000);
    await settle();
    expect(await stateOn(gr, id)).toBe('completed');
    const applied = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.timeline.map((e: Json) => e.action);
    expect(applied.slice(-3)).toEqual(['referral.accept', 'referral.update', 'referral.complete']);
  });
});
