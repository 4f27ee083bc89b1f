// Withdrawal of consent across three organisations: the sender withdraws, the receiver erases,
// passes the withdrawal on to the organisation it referred the case to, and signed erasure
// statements come back (the onward one relayed). Then the retention policy, with the same receipts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseAfterRetention } from '../../node/consents/retention.js';
import { signErasureStatement } from '../../node/consents/statement.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { onPostgres, readStoredRows, storedBytes } from '../_util/database.js';
import { cli } from '../_util/cli.js';
import { validatorFor } from '../../node/schema/validators.js';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode; // obtained the consent, sends
let at: TestNode; // receives, refers on to it3
let it3: TestNode; // receives from both

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());

const inDays = (days: number) => new Date(net.clock.now().getTime() + days * 86_400_000).toISOString();
const get = async (node: TestNode, id: string) => (await api(node, 'GET', `/api/v1/referrals/${id}`)).body;

const readRows = async (node: TestNode, sql: string, ...params: unknown[]): Promise<Json[]> => (await readStoredRows(node.dataDir, sql, ...params)) as Json[];

/** Every file of the node's data folder, and its database wherever it is, holds none of these strings. */
async function expectGoneFromDisk(node: TestNode, secrets: readonly string[]): Promise<void> {
  const stores: Array<{ name: string; bytes: Buffer }> = readdirSync(node.dataDir).map((file) => ({ name: file, bytes: readFileSync(join(node.dataDir, file)) }));
  if (onPostgres) stores.push({ name: 'the database', bytes: await storedBytes(node.dataDir) });
  for (const { name, bytes } of stores) {
    for (const secret of secrets) expect(bytes.includes(secret), `${name} still holds erased data`).toBe(false);
  }
}

/** What would open the referral's data on `node`: its data keys (wrapped), and its payloads and envelope copies (sealed). */
async function keysAndCiphertexts(node: TestNode, referralId: string): Promise<string[]> {
  const payloads = await readRows(node, 'select id, ciphertext from payloads where referral_id = ?', referralId);
  const envelopes = await readRows(node, "select id, payload from envelopes where referral_id = ? and payload != ''", referralId);
  const names = [...payloads.map((p) => `payload:${String(p.id)}`), ...envelopes.map((e) => `envelope:${String(e.id)}`)];
  const wrappedKeys: string[] = [];
  for (const name of names) wrappedKeys.push(...(await readRows(node, 'select wrapped from data_keys where id = ?', name)).map((k) => k.wrapped as string));
  expect(wrappedKeys).toHaveLength(names.length);
  const secrets = [...wrappedKeys, ...payloads.map((p) => (p.ciphertext as string).slice(0, 40)), ...envelopes.map((e) => (e.payload as string).slice(-60))];
  expect(secrets.every((s) => s.length >= 40)).toBe(true);
  return secrets;
}

/** An envelope made by hand (for messages a node would never send) posted to `to`. */
async function postEnvelope(from: TestNode, to: TestNode, type: string, referralId: string, seq: number, body: unknown): Promise<Response> {
  const sealed = await sealEnvelope({
    type, from: from.id, to: to.id, referralId, seq, createdAt: net.clock.now(), body,
    recipientKey: to.ctx.self.encryptionKey.publicJwk, senderKey: from.ctx.self.encryptionKey.publicJwk,
  });
  const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: from.id, signingKey: from.ctx.self.signingKey }, net.clock.now());
  return to.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
}

describe('withdrawal of consent for one recipient', () => {
  let consentId: string;
  let toAt: string; // gr → at
  let onward: string; // at → it3
  let toIt: string; // gr → it3, under the same consent
  let draft: string; // gr → at, never sent
  let secretsAt: string[];
  let secretsIt: string[];

  beforeAll(async () => {
    const consent = await api(gr, 'POST', '/api/v1/consents', {
      categories: ['identity', 'situation'], purposes: ['referral', 'service-provision'], recipients: [at.id, it3.id],
      method: 'verbal-with-interpreter', language: 'ar', valid_until: inDays(180), onward_referral: { allowed: true },
    });
    consentId = consent.body.id;
    const { consent: _inline, ...request } = referralRequest(at.id);
    toAt = (await api(gr, 'POST', '/api/v1/referrals', { ...request, consent_id: consentId })).body.id;
    toIt = (await api(gr, 'POST', '/api/v1/referrals', { ...request, to: it3.id, consent_id: consentId })).body.id;
    draft = (await api(gr, 'POST', '/api/v1/referrals', { ...request, consent_id: consentId, draft: true })).body.id;
    await net.settle();
    expect((await api(at, 'POST', `/api/v1/referrals/${toAt}/accept`, {})).status).toBe(200);
    const referred = await api(at, 'POST', `/api/v1/referrals/${toAt}/refer-onward`, { to: it3.id, reason: 'She moved to Rome.', note: 'CANARY-onward-note' });
    expect(referred.status).toBe(201);
    onward = referred.body.id;
    await net.settle();
    expect((await get(it3, onward)).state).toBe('delivered');
    secretsAt = [...(await keysAndCiphertexts(at, toAt)), ...(await keysAndCiphertexts(at, onward))];
    secretsIt = await keysAndCiphertexts(it3, onward);
    expect(secretsAt.length).toBeGreaterThan(4);
    // The check below can fail: before the withdrawal the data is on disk.
    await expect(expectGoneFromDisk(at, secretsAt)).rejects.toThrow();
    await expect(expectGoneFromDisk(it3, secretsIt)).rejects.toThrow();
  });

  it('moves the referral and the draft to consent-withdrawn at once, with the erasures owed listed', async () => {
    const { status, body } = await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, { recipients: [at.id] });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'partly-withdrawn', withdrawn_for: [at.id] });
    expect((await get(gr, toAt)).state).toBe('consent-withdrawn');
    expect((await get(gr, draft)).state).toBe('consent-withdrawn');
    expect((await get(gr, toIt)).state).toBe('delivered');
    // The receiver, and the organisation it told us it referred the case to.
    expect(body.erasures.map((e: Json) => [e.referral_id, e.node_id, e.status])).toEqual([
      [toAt, at.id, 'outstanding'],
      [toAt, it3.id, 'outstanding'],
    ]);
    expect(body.erasures[1].onward_referral_id).toBe(onward);
    // The draft never left: nothing to erase anywhere, nothing sent.
    expect((await get(gr, draft)).messages).toEqual([]);
    const refused = await api(gr, 'POST', `/api/v1/referrals/${draft}/send`);
    expect(refused.status).toBe(409);
  });

  it('the receiver and the onward recipient erase the personal data and keep the metadata', async () => {
    await net.settle();
    for (const [node, id] of [[at, toAt], [at, onward], [it3, onward]] as const) {
      const detail = await get(node, id);
      expect(detail.state, `${node.id} ${id}`).toBe('consent-withdrawn');
      expect(detail.erased_at).toBe(net.clock.now().toISOString());
      expect(detail.erasure_reason).toBe('consent-withdrawn');
      expect(detail.content).toBeUndefined();
      expect(detail.timeline.every((e: Json) => e.note === undefined)).toBe(true);
      expect(await readRows(node, 'select id from payloads where referral_id = ?', id)).toEqual([]);
    }
    expect(JSON.stringify(await get(at, toAt))).not.toContain('CANARY');
    await expectGoneFromDisk(at, secretsAt);
    await expectGoneFromDisk(it3, secretsIt);
    // The direct referral to the third organisation is another recipient's: untouched.
    expect((await get(it3, toIt)).content.client).toEqual(referralRequest(at.id).client);
    // The receiver can do nothing more with it.
    expect((await api(at, 'POST', `/api/v1/referrals/${toAt}/update`, { status: 'on-hold' })).status).toBe(409);
  });

  it('the sender holds signed erasure statements from both, the onward one relayed', async () => {
    const detail = await get(gr, toAt);
    expect(detail.erasures).toEqual([
      expect.objectContaining({ node_id: at.id, status: 'confirmed', statement_verified: true, reason: 'consent-withdrawn' }),
      expect.objectContaining({ node_id: it3.id, status: 'confirmed', statement_verified: true, relayed_by: at.id, onward_referral_id: onward }),
    ]);
    const claims = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Json;
    expect(claims(detail.erasures[0].statement)).toMatchObject({ iss: at.id, aud: gr.id, referral_id: toAt, reason: 'consent-withdrawn' });
    expect(claims(detail.erasures[1].statement)).toMatchObject({ iss: it3.id, aud: at.id, referral_id: onward });
    expect(detail.timeline.map((e: Json) => e.action).slice(-3)).toEqual(['consent.withdraw', 'erasure.receipt', 'erasure.receipt']);
    const consent = (await api(gr, 'GET', `/api/v1/consents/${consentId}`)).body;
    expect(consent.erasures.every((e: Json) => e.status === 'confirmed')).toBe(true);
    expect(await cli('referral', 'show', toAt, '--data', gr.dataDir)).toMatch(new RegExp(`Erasure: +${at.id}: confirmed[^\n]*\nErasure: +${it3.id} \\(onward\\): confirmed`));
    expect(await cli('referral', 'show', toAt, '--data', at.dataDir)).toMatch(/Erased: .*\(consent-withdrawn\)/);
  });

  it('withdrawing again for the same recipient changes nothing; for all reaches the other recipient', async () => {
    const again = await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, { recipients: [at.id] });
    expect(again.body.erasures).toHaveLength(2);
    const unknown = await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, { recipients: ['https://elsewhere.example.org'] });
    expect(unknown.status).toBe(422);
    const whole = await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, {});
    expect(whole.body.status).toBe('withdrawn');
    await net.settle();
    expect((await get(it3, toIt))).toMatchObject({ state: 'consent-withdrawn', erasure_reason: 'consent-withdrawn' });
    expect((await get(gr, toIt)).erasures).toEqual([expect.objectContaining({ node_id: it3.id, status: 'confirmed' })]);
  });

  it('a relayed statement about another referral than the onward one is refused', async () => {
    const other = '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09';
    const own = await signErasureStatement(
      { iss: at.id, aud: gr.id, referral_id: toAt, reason: 'consent-withdrawn', erased_at: net.clock.now().toISOString(), iat: 1 }, at.ctx.self.signingKey,
    );
    const relayed = await signErasureStatement(
      { iss: it3.id, aud: at.id, referral_id: other, reason: 'retention', erased_at: net.clock.now().toISOString(), iat: 1 }, it3.ctx.self.signingKey,
    );
    const before = await snapshot(gr);
    const response = await postEnvelope(at, gr, 'erasure.receipt', toAt, 90, {
      referral_id: toAt, reason: 'consent-withdrawn', statement: own, relayed: [{ node_id: it3.id, referral_id: other, statement: relayed }],
    });
    expect(response.status).toBe(422);
    expect(await snapshot(gr)).toEqual(before);
  });

  it('cannot be recorded on the receiving side: the withdrawal comes from the organisation that obtained the consent', async () => {
    const receivedConsent = (await get(it3, toIt)).consent_id as string;
    expect((await api(it3, 'POST', `/api/v1/consents/${receivedConsent}/withdraw`, {})).status).toBe(409);
  });
});

describe('the retention period', () => {
  it('erases closed referrals on both sides, and the receiver tells the sender with a signed statement', async () => {
    const id = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id as string;
    await net.settle();
    await api(at, 'POST', `/api/v1/referrals/${id}/accept`, {});
    await api(at, 'POST', `/api/v1/referrals/${id}/complete`, { outcome: 'service-completed', note: 'CANARY-outcome' });
    await net.settle();
    const open = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id as string;
    await net.settle();

    expect(await eraseAfterRetention(at.ctx, 365)).toBe(0);
    net.clock.advance(366 * 86_400_000);
    expect(await eraseAfterRetention(at.ctx, 365)).toBeGreaterThanOrEqual(1);
    expect(await eraseAfterRetention(gr.ctx, 365)).toBeGreaterThanOrEqual(1);
    await net.settle();

    expect(await get(at, id)).toMatchObject({ state: 'completed', erasure_reason: 'retention' });
    expect((await get(at, id)).content).toBeUndefined();
    const onSender = await get(gr, id);
    expect(onSender).toMatchObject({ state: 'completed', erasure_reason: 'retention' });
    expect(onSender.erasures).toEqual([expect.objectContaining({ node_id: at.id, reason: 'retention', status: 'confirmed', statement_verified: true })]);
    // A referral still open is kept however old it is.
    expect((await get(at, open)).content).toBeDefined();
  });
});

describe('consent and erasure messages that are refused', () => {
  const post = postEnvelope;

  // The clock has moved past the retention period above: consents are given from its time.
  const request = () => (({ consent, ...rest }) => ({ ...rest, consent: { ...consent, valid_until: inDays(180) } }))(referralRequest(at.id));
  let id: string;
  beforeAll(async () => {
    id = (await api(gr, 'POST', '/api/v1/referrals', request())).body.id;
    await net.settle();
  });

  it('a withdrawal sent by the receiver, or naming another consent, changes nothing', async () => {
    const consentId = (await get(gr, id)).consent_id as string;
    const before = [await snapshot(gr), await snapshot(at)];
    const fromReceiver = await post(at, gr, 'consent.withdraw', id, 1, { referral_id: id, consent_id: consentId });
    expect(fromReceiver.status, await fromReceiver.clone().text()).toBe(409);
    expect(((await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', fromReceiver)) as Json).type).toBe('urn:refnet:problem:illegal-transition');
    const otherConsent = await post(gr, at, 'consent.withdraw', id, 5, { referral_id: id, consent_id: '2b0c8f7e-5d8a-4c1b-9e2f-3a4b5c6d7e8f' });
    expect(otherConsent.status).toBe(422);
    expect([await snapshot(gr), await snapshot(at)]).toEqual(before);
  });

  it('an erasure receipt with a statement the receiver did not sign, or before anything closed, changes nothing', async () => {
    await api(at, 'POST', `/api/v1/referrals/${id}/decline`, { reason: 'no-capacity' });
    await net.settle();
    const before = await snapshot(gr);
    const forged = await signErasureStatement(
      { iss: at.id, aud: gr.id, referral_id: id, reason: 'retention', erased_at: net.clock.now().toISOString(), iat: 1 },
      it3.ctx.self.signingKey,
    );
    const response = await post(at, gr, 'erasure.receipt', id, 9, { referral_id: id, reason: 'retention', statement: forged });
    expect(response.status).toBe(422);
    expect(((await response.json()) as Json).type).toBe('urn:refnet:problem:invalid-body');
    expect(await snapshot(gr)).toEqual(before);

    const openId = (await api(gr, 'POST', '/api/v1/referrals', request())).body.id as string;
    await net.settle();
    const genuine = await signErasureStatement(
      { iss: at.id, aud: gr.id, referral_id: openId, reason: 'retention', erased_at: net.clock.now().toISOString(), iat: 1 },
      at.ctx.self.signingKey,
    );
    const beforeOpen = await snapshot(gr);
    const early = await post(at, gr, 'erasure.receipt', openId, 1, { referral_id: openId, reason: 'retention', statement: genuine });
    expect(early.status).toBe(409);
    expect(await snapshot(gr)).toEqual(beforeOpen);
  });
});

describe('an onward referral that never left', () => {
  it('is covered by the receiver\'s statement, so the sender waits for nobody', async () => {
    const request = (({ consent, ...rest }) => ({ ...rest, consent: { ...consent, valid_until: inDays(180), onward_referral: { allowed: true } } }))(referralRequest(at.id));
    const id = (await api(gr, 'POST', '/api/v1/referrals', request)).body.id as string;
    await net.settle();
    await api(at, 'POST', `/api/v1/referrals/${id}/accept`, {});
    net.unreachable.add(it3.id);
    const onward = (await api(at, 'POST', `/api/v1/referrals/${id}/refer-onward`, { to: it3.id, reason: 'She moved to Rome.' })).body.id as string;
    await net.settle();
    // As if the worker had never got to it (the attempt above failed on the network).
    await at.ctx.database.db.updateTable('envelopes').set({ attempts: 0, last_error: null, lease_until: null }).where('referral_id', '=', onward).execute();
    const consentId = (await get(gr, id)).consent_id as string;
    await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, {});
    await net.settle();
    const erasures = (await get(gr, id)).erasures as Json[];
    expect(erasures).toEqual([
      expect.objectContaining({ node_id: at.id, status: 'confirmed' }),
      expect.objectContaining({ node_id: it3.id, status: 'confirmed', relayed_by: at.id, onward_referral_id: onward }),
    ]);
    expect(await readRows(at, "select type from audit_log where type = 'disclosure.cancelled'")).not.toEqual([]);
    net.unreachable.delete(it3.id);
  });
});

describe('the retention period, later', () => {
  it('waits for a closed referral\'s last message to leave, and erases a consent form once its consent has ended', async () => {
    const consent = (await api(gr, 'POST', '/api/v1/consents', {
      categories: ['identity', 'situation'], purposes: ['referral'], recipients: [at.id], method: 'written', language: 'el', valid_until: inDays(40),
    })).body;
    const form = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(64, 3)]);
    const put = await gr.request(`/api/v1/consents/${consent.id}/form`, {
      method: 'PUT', headers: { authorization: `Bearer ${gr.token}`, 'content-type': 'application/pdf' }, body: form,
    });
    expect(put.status).toBe(200);
    const { consent: _inline, ...request } = referralRequest(at.id);
    const id = (await api(gr, 'POST', '/api/v1/referrals', { ...request, consent_id: consent.id })).body.id as string;
    await net.settle();
    await api(at, 'POST', `/api/v1/referrals/${id}/accept`, {});
    await net.settle();
    net.unreachable.add(gr.id);
    await api(at, 'POST', `/api/v1/referrals/${id}/complete`, { outcome: 'service-completed' });
    await net.settle();
    net.clock.advance(31 * 86_400_000);
    // The completion has not reached the sender: the receiver keeps the data until it has.
    await eraseAfterRetention(at.ctx, 30);
    expect((await get(at, id)).erased_at).toBeUndefined();
    net.unreachable.delete(gr.id);
    await net.settle();
    await eraseAfterRetention(at.ctx, 30);
    await eraseAfterRetention(gr.ctx, 30);
    await net.settle();
    expect((await get(at, id)).erasure_reason).toBe('retention');
    expect((await get(gr, id)).erasures).toEqual([expect.objectContaining({ node_id: at.id, reason: 'retention', status: 'confirmed' })]);
    // The form stays while its consent is in force, and 30 days after it ended, it goes.
    expect((await api(gr, 'GET', `/api/v1/consents/${consent.id}`)).body.form).toBeDefined();
    net.clock.advance(40 * 86_400_000);
    await eraseAfterRetention(gr.ctx, 30);
    expect((await api(gr, 'GET', `/api/v1/consents/${consent.id}`)).body.form).toBeUndefined();
    expect((await readRows(gr, "select entry from audit_log where type = 'consent.form-erased'")).map((r) => JSON.parse(r.entry as string).consent_id)).toEqual([consent.id]);
  });
});

describe('the audit log of every node', () => {
  it('records consents, disclosures, withdrawals and erasures, with no personal data in any entry', async () => {
    const personal = ['CANARY', 'Amal', 'pastry', 'shelter in Athens', referralRequest(at.id).reason];
    for (const node of [gr, at, it3]) {
      const entries = (await readRows(node, 'select entry from audit_log order by idx')).map((r) => r.entry as string);
      const types = new Set(entries.map((e) => (JSON.parse(e) as Json).type as string));
      const valid = validatorFor('federation', 'LogEntry');
      for (const text of entries) {
        for (const value of personal) expect(text.includes(value), `${node.id}: ${text}`).toBe(false);
        expect(valid(JSON.parse(text)), `${text}: ${JSON.stringify(valid.errors)}`).toBe(true);
      }
      expect(types.has('consent.recorded') && types.has('referral.event'), node.id).toBe(true);
      expect(entries.map((e) => (JSON.parse(e) as Json).index)).toEqual(entries.map((_, i) => i));
    }
    const typesOn = async (node: TestNode) => new Set((await readRows(node, 'select type from audit_log')).map((r) => r.type as string));
    expect([...(await typesOn(gr))]).toEqual(expect.arrayContaining(['data.disclosed', 'consent.withdrawn', 'erasure.requested', 'erasure.confirmed', 'referral.opened']));
    expect([...(await typesOn(at))]).toEqual(expect.arrayContaining(['erasure.performed', 'consent.withdrawn', 'erasure.requested', 'erasure.confirmed']));
    expect([...(await typesOn(it3))]).toEqual(expect.arrayContaining(['erasure.performed']));
  });
});

describe('no existence oracle (issue 17 item 3)', () => {
  /** What a refusal says, without what differs per request (the envelope's id, if named). */
  const answerOf = async (response: Response) => ({ status: response.status, body: (await response.json()) as Json });

  it('a message for a referral whose data was erased here is answered exactly like one for a referral never held', async () => {
    const request = (({ consent, ...rest }) => ({ ...rest, consent: { ...consent, valid_until: inDays(180) } }))(referralRequest(at.id));
    const id = (await api(gr, 'POST', '/api/v1/referrals', request)).body.id as string;
    await net.settle();
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/accept`, {})).status).toBe(200);
    const consentId = (await get(gr, id)).consent_id as string;
    expect((await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, {})).status).toBe(200);
    await net.settle();
    expect(await get(at, id)).toMatchObject({ state: 'consent-withdrawn', erasure_reason: 'consent-withdrawn' });

    const { uuidv7 } = await import('../../node/util/uuidv7.js');
    const never = uuidv7();
    const before = await snapshot(at);
    const answers = [];
    // The erased referral's next sequence number, an old one, and message 1: each answered alike.
    for (const [referralId, seq] of [[id, 5], [id, 1], [never, 5], [never, 1]] as const) {
      const response = await postEnvelope(gr, at, 'referral.withdraw', referralId, seq, { referral_id: referralId, reason: 'client-request' });
      answers.push(await answerOf(response));
    }
    expect(answers[0]).toMatchObject({ status: 422, body: { type: 'urn:refnet:problem:unknown-referral' } });
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    expect(await snapshot(at)).toEqual(before);
  });

  it('withdrawals for made-up referral ids leave bare records without personal data, held to the peer\'s quota', async () => {
    const { uuidv7 } = await import('../../node/util/uuidv7.js');
    const quotas = at.ctx.limits.peerQuotas;
    const { DEFAULT_PEER_QUOTAS } = await import('../../node/referrals/quotas.js');
    // Usage is read afresh at most every 30 s: move past it, so that the count starts from the table.
    net.clock.advance(60_000);
    const recentFromGr = async () =>
      (await at.ctx.database.db.selectFrom('referrals').select('id').where('peer_id', '=', gr.id).where('created_at', '>', new Date(net.clock.now().getTime() - 3_600_000).toISOString()).execute()).length;
    const allowed = (await recentFromGr()) + 2;
    at.ctx.limits.peerQuotas = { ...DEFAULT_PEER_QUOTAS, referralsPerHour: allowed };
    try {
      const ids = [uuidv7(), uuidv7(), uuidv7()];
      const statuses = [];
      for (const id of ids) {
        const response = await postEnvelope(gr, at, 'consent.withdraw', id, 1, { referral_id: id, consent_id: '2b0c8f7e-5d8a-4c1b-9e2f-3a4b5c6d7e8f' });
        statuses.push(response.status);
        if (response.status === 403) expect(((await response.json()) as Json).type).toBe('urn:refnet:problem:quota-exceeded');
      }
      expect(statuses).toEqual([200, 200, 403]);
      const held = await at.ctx.database.db.selectFrom('referrals').selectAll().where('id', 'in', ids).execute();
      expect(held.map((r) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
      for (const record of held) expect(record).toMatchObject({ peer_id: gr.id, direction: 'incoming', state: 'consent-withdrawn', consent_id: null, created_by: null });
      expect(await at.ctx.database.db.selectFrom('payloads').select('id').where('referral_id', 'in', ids).execute()).toEqual([]);
    } finally {
      at.ctx.limits.peerQuotas = quotas;
    }
  });
});
