// Consent coverage on both sides (issue 19 item 2): an offer is covered by her consent only when
// the consent is in force and not dated ahead, names the receiver, names referral among its
// purposes, and covers every group of data sent. The sender refuses to seal one that is not
// (consent-violation on its local API, saying which rule), and the receiver refuses one that
// reaches it anyway, keeping nothing, with a problem type of its own for each rule
// (spec/federation.yaml, ConsentRecord), which the sender takes as final.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { uuidv7 } from '../../node/util/uuidv7.js';
import { CONSENT_PROBLEMS } from '../../node/referrals/consent.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { expectUnchanged, snapshotDatabase } from '../_util/database-snapshot.js';
import { adminIdOf, api, createTestNetwork, type Json, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());

const inDays = (days: number) => new Date(net.clock.now().getTime() + days * 86_400_000).toISOString();

/** Each rule, broken on its own: what the consent (or the data) looks like then. */
const BROKEN: Record<(typeof CONSENT_PROBLEMS)[number], (consent: Json) => { consent: Json; client?: Json }> = {
  'consent-expired': (c) => ({ consent: { ...c, valid_until: inDays(-1) } }),
  'consent-dated-ahead': (c) => ({ consent: { ...c, obtained_at: new Date(net.clock.now().getTime() + 3_600_000).toISOString() } }),
  'consent-recipient-not-named': (c) => ({ consent: { ...c, recipients: [it3.id] } }),
  'consent-purpose-not-covered': (c) => ({ consent: { ...c, purposes: ['service-provision', 'follow-up'] } }),
  'consent-category-not-covered': (c) => ({ consent: c, client: { situation: { summary: 'In a shelter.' }, health: { note: 'Needs regular medication.' } } }),
};

/** An offer from GR to AT, made by hand as a peer that skips its own checks would make it, posted to AT. */
async function offerToAt(consent: Json, client: Json = { situation: { summary: 'In a shelter.' } }): Promise<Response> {
  const referralId = randomUUID();
  const body = { referral_id: referralId, needs: ['legal-aid'], urgency: 'routine', reason: 'She asks for a lawyer.', client, consent };
  const sealed = await sealEnvelope({
    type: 'referral.offer', from: gr.id, to: at.id, referralId, seq: 1, createdAt: net.clock.now(), body,
    recipientKey: at.ctx.self.encryptionKey.publicJwk, senderKey: gr.ctx.self.encryptionKey.publicJwk,
  });
  const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: gr.id, signingKey: gr.ctx.self.signingKey }, net.clock.now());
  return at.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
}

const covering = async (): Promise<Json> => ({
  id: randomUUID(), categories: ['situation'], purposes: ['referral'], recipients: [at.id], method: 'written', language: 'ro',
  obtained_by: await adminIdOf(gr), obtained_at: net.clock.now().toISOString(), valid_until: inDays(90),
});

describe('the receiver', () => {
  it.each(Object.keys(BROKEN) as Array<keyof typeof BROKEN>)('refuses an offer whose consent breaks one rule with its own problem type (%s), keeping nothing', async (problem) => {
    const { consent, client } = BROKEN[problem](await covering());
    const before = await snapshotDatabase(at);
    const response = await offerToAt(consent, client);
    expect(response.status).toBe(422);
    const body = (await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as Json;
    expect(body.type).toBe(`urn:refnet:problem:${problem}`);
    expectUnchanged(before, await snapshotDatabase(at));
  });

  it('receipts the same offer once its consent covers it', async () => {
    expect((await offerToAt(await covering())).status).toBe(200);
  });
});

describe('the sender', () => {
  it.each(Object.keys(BROKEN) as Array<keyof typeof BROKEN>)('refuses to send an offer whose consent breaks one rule (%s), saying which, and sends nothing', async (problem) => {
    const request = referralRequest(at.id);
    const { consent, client } = BROKEN[problem]({ ...request.consent, recipients: undefined });
    const given: Json = { ...consent };
    delete given.recipients;
    // The inline consent is always for the referral's recipient: the recipient rule is broken by sending to another.
    const to = problem === 'consent-recipient-not-named' ? it3.id : at.id;
    // A consent cannot be recorded already ended: one recorded here that has ended since.
    const stored = async (change: Json = {}) => {
      const id = (await api(gr, 'POST', '/api/v1/consents', { ...request.consent, recipients: [at.id] })).body.id as string;
      if (Object.keys(change).length > 0) await gr.ctx.database.db.updateTable('consents').set(change).where('id', '=', id).execute();
      return { consent_id: id };
    };
    const withConsent =
      problem === 'consent-recipient-not-named' ? await stored() : problem === 'consent-expired' ? await stored({ valid_until: inDays(-1) }) : { consent: given };
    const { consent: _inline, ...rest } = request;
    const before = await snapshotDatabase(gr);
    const refused = await api(gr, 'POST', '/api/v1/referrals', { ...rest, to, ...withConsent, ...(client ? { client } : {}) });
    expect(refused.status, problem).toBe(422);
    expect(refused.body.type).toBe('urn:refnet:problem:consent-violation');
    expect(refused.body.detail).toMatch(
      { 'consent-expired': /no longer in force/, 'consent-dated-ahead': /future/, 'consent-recipient-not-named': /does not name this recipient/, 'consent-purpose-not-covered': /referral among its purposes/, 'consent-category-not-covered': /categories the consent does not cover: health/ }[problem],
    );
    if (problem !== 'consent-recipient-not-named') expectUnchanged(before, await snapshotDatabase(gr));
  });

  it('takes each consent refusal from a receiver as final: the message is failed, not tried again', async () => {
    net.intercept = (url) =>
      url.pathname === '/federation/v1/envelopes' && url.href.startsWith(at.id)
        ? new Response(JSON.stringify({ type: 'urn:refnet:problem:consent-purpose-not-covered', title: 'Purpose not covered by the consent', status: 422 }), { status: 422, headers: { 'content-type': 'application/problem+json' } })
        : undefined;
    try {
      const sent = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
      expect(sent.status).toBe(201);
      await net.settle();
      const envelope = await gr.ctx.database.db.selectFrom('envelopes').select(['delivery_state', 'last_error']).where('referral_id', '=', sent.body.id).executeTakeFirstOrThrow();
      expect(envelope.delivery_state).toBe('failed');
      expect(envelope.last_error).toContain('consent-purpose-not-covered');
    } finally {
      net.intercept = undefined;
    }
  });
});

describe('onward permission, at the original sender', () => {
  /** A referral GR sent AT and AT received, with the onward permission given (none when undefined). */
  async function delivered(onward?: Json): Promise<string> {
    const request = referralRequest(at.id);
    const { body } = await api(gr, 'POST', '/api/v1/referrals', { ...request, consent: { ...request.consent, ...(onward ? { onward_referral: onward } : {}) } });
    await net.settle();
    return body.id as string;
  }

  /** AT's notice to GR that it referred the case on to `to`, made by hand as a node that skips its own check would. */
  async function noticeFromAt(referralId: string, to: string): Promise<Response> {
    const sealed = await sealEnvelope({
      type: 'referral.onward', from: at.id, to: gr.id, referralId, seq: 1, createdAt: net.clock.now(),
      body: { referral_id: referralId, to, onward_referral_id: uuidv7() },
      recipientKey: gr.ctx.self.encryptionKey.publicJwk, senderKey: at.ctx.self.encryptionKey.publicJwk,
    });
    const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: at.id, signingKey: at.ctx.self.signingKey }, net.clock.now());
    return gr.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
  }

  it('refuses a referral.onward the consent does not allow, at all or to that organisation, with consent-onward-not-allowed, keeping nothing', async () => {
    for (const [onward, to] of [[undefined, it3.id], [{ allowed: false }, it3.id], [{ allowed: true, recipients: ['https://elsewhere.example.org'] }, it3.id]] as const) {
      const id = await delivered(onward);
      const before = await snapshotDatabase(gr);
      const response = await noticeFromAt(id, to);
      expect(response.status, JSON.stringify(onward)).toBe(422);
      expect(((await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as Json).type).toBe('urn:refnet:problem:consent-onward-not-allowed');
      expectUnchanged(before, await snapshotDatabase(gr));
    }
  });

  it('applies one the consent allows', async () => {
    const id = await delivered({ allowed: true, recipients: [it3.id] });
    expect((await noticeFromAt(id, it3.id)).status).toBe(200);
    const timeline = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.timeline as Json[];
    expect(timeline.some((event) => event.action === 'referral.onward')).toBe(true);
  });
});
