// Whom the sender calls (issue 18 item 3): the receiver's responsible caseworker (her name and work
// contact, nothing about the woman) and its own case reference travel back with referral.accept and
// with each later hand-over (referral.handover), only to a peer whose identity document lists
// referral.handover; the sender keeps the name and contact encrypted and shows the latest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSeconds } from '../../node/context.js';
import { acceptedMessageTypes } from '../../node/envelope/message-types.js';
import { signIdentityDocument } from '../../node/identity/document.js';
import { createUser, setDisplayName, setWorkContact } from '../../node/users/service.js';
import { api, adminIdOf, createTestNetwork, sentReferral, snapshot, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf } from '../_util/ui-browser.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it2: TestNode;
let adminAt: string;
let lena: { id: string; password: string };

const CLI = { kind: 'system', id: 'command-line' } as const;
const CONTACT = '+43 1 555 0107 (Mon-Thu)';

const detail = async (node: TestNode, id: string): Promise<Json> => (await api(node, 'GET', `/api/v1/referrals/${id}`)).body;
const assign = (node: TestNode, id: string, userId: string | null, note?: string) =>
  api(node, 'POST', `/api/v1/referrals/${id}/assign`, { user_id: userId, ...(note ? { note } : {}) });

/** An accepted referral from GR to `receiver`, taken at the receiver by its admin before the acceptance. */
async function accepted(receiver: TestNode, options: { take?: boolean } = {}): Promise<string> {
  const { referralId } = await sentReferral(net, gr, receiver);
  if (options.take ?? true) expect((await assign(receiver, referralId, await adminIdOf(receiver))).status).toBe(200);
  expect((await api(receiver, 'POST', `/api/v1/referrals/${referralId}/accept`, { note: 'We have a place from Monday.' })).status).toBe(200);
  await net.settle();
  return referralId;
}

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it2] = net.nodes as [TestNode, TestNode, TestNode];
  adminAt = await adminIdOf(at);
  await setDisplayName(at.ctx.database, adminAt, 'Maria Gruber', net.clock.now(), CLI);
  await setWorkContact(at.ctx.database, adminAt, CONTACT, net.clock.now(), CLI);
  const made = await createUser(at.ctx.database, { username: 'lena', role: 'caseworker', displayName: 'Lena Huber' }, net.clock.now());
  lena = { id: made.user.id, password: made.password };
  // IT's node has the version before this addition: GR's document, as IT holds it, does not list
  // referral.handover (IT's own does; what counts is what the receiver knows of the sender).
  const older = await signIdentityDocument(
    {
      nodeId: gr.ctx.self.nodeId, name: gr.ctx.self.name, country: gr.ctx.self.country, languages: gr.ctx.self.languages, contact: gr.ctx.self.contact,
      messageTypes: acceptedMessageTypes().filter((type) => type !== 'referral.handover'),
      signingKey: gr.ctx.self.signingKey, encryptionKeys: [gr.ctx.self.encryptionKey.publicJwk], continuity: gr.ctx.self.continuity, keyRevocations: gr.ctx.self.keyRevocations,
    },
    nowSeconds(net.clock),
  );
  await it2.ctx.database.db.updateTable('peers').set({ identity_jws: older }).where('id', '=', gr.id).execute();
});
afterAll(() => net.close());

describe('the receiver names its caseworker and its case reference', () => {
  it('with the acceptance: the sender sees her name, work contact and the receiver\'s case reference', async () => {
    const id = await accepted(at);
    const atSide = await detail(at, id);
    const grSide = await detail(gr, id);
    expect(grSide.state).toBe('accepted');
    expect(grSide.partner_case_reference).toBe(atSide.case_reference);
    expect(grSide.partner_case_reference).not.toBe(grSide.case_reference);
    expect(grSide.partner_caseworker).toEqual({ name: 'Maria Gruber', contact: CONTACT, since: expect.any(String) });
    const acceptance = grSide.timeline.find((e: Json) => e.action === 'referral.accept');
    expect(acceptance.caseworker).toEqual({ name: 'Maria Gruber', contact: CONTACT });
    // The summaries carry the partner's reference too (lists, search); the receiver's own page names no partner caseworker.
    const listed = (await api(gr, 'GET', '/api/v1/referrals?direction=outgoing')).body.items.find((r: Json) => r.id === id);
    expect(listed.partner_case_reference).toBe(atSide.case_reference);
    expect(atSide.partner_caseworker).toBeUndefined();
  });

  it('keeps the name and contact encrypted at the sender: neither is in any of its tables in the clear, nor in its logs or audit log', async () => {
    await accepted(at);
    const stored = JSON.stringify(await snapshot(gr), (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
    for (const value of ['Maria Gruber', '555 0107']) {
      expect(stored).not.toContain(value);
      expect(gr.logs()).not.toContain(value);
      expect(at.logs()).not.toContain(value);
    }
  });

  it('without anyone responsible at the acceptance, names nobody, and still sends its case reference', async () => {
    const id = await accepted(at, { take: false });
    const grSide = await detail(gr, id);
    expect(grSide.partner_case_reference).toBe((await detail(at, id)).case_reference);
    expect(grSide.partner_caseworker).toBeUndefined();
  });

  it('with a later hand-over: the sender sees the new caseworker, then nobody when the receiver leaves it to nobody', async () => {
    const id = await accepted(at);
    const handed = await assign(at, id, lena.id, 'She calls on Tuesdays.');
    expect(handed.status).toBe(200);
    expect(handed.body.assignee_id).toBe(lena.id);
    await net.settle();
    const grSide = await detail(gr, id);
    expect(grSide.partner_caseworker).toEqual({ name: 'Lena Huber', since: expect.any(String) });
    const handover = grSide.timeline.filter((e: Json) => e.action === 'referral.handover');
    expect(handover).toHaveLength(1);
    expect(handover[0].by).toEqual({ kind: 'peer', id: at.id });
    // The hand-over note is for the colleague at the receiver only.
    expect(JSON.stringify(grSide)).not.toContain('Tuesdays');
    // The state stays; both sides agree on the sequence of messages.
    expect(grSide.state).toBe('accepted');
    expect((await detail(at, id)).timeline.map((e: Json) => e.action)).toEqual(expect.arrayContaining(['assigned', 'referral.handover']));

    expect((await assign(at, id, null)).status).toBe(200);
    await net.settle();
    const after = await detail(gr, id);
    expect(after.partner_caseworker).toBeUndefined();
    expect(after.timeline.filter((e: Json) => e.action === 'referral.handover')).toHaveLength(2);
    // And the progress goes on in order after the hand-overs.
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/update`, { status: 'service-started' })).status).toBe(200);
    await net.settle();
    expect((await detail(gr, id)).state).toBe('in-progress');
  });

  it('sends no hand-over before the acceptance (the acceptance names whoever is responsible then) nor after the referral closed', async () => {
    const { referralId } = await sentReferral(net, gr, at);
    expect((await assign(at, referralId, lena.id)).status).toBe(200);
    await net.settle();
    expect((await detail(gr, referralId)).timeline.some((e: Json) => e.action === 'referral.handover')).toBe(false);
    expect((await api(at, 'POST', `/api/v1/referrals/${referralId}/accept`, {})).status).toBe(200);
    await net.settle();
    expect((await detail(gr, referralId)).partner_caseworker).toEqual({ name: 'Lena Huber', since: expect.any(String) });
    expect((await api(at, 'POST', `/api/v1/referrals/${referralId}/complete`, { outcome: 'service-completed' })).status).toBe(200);
    await net.settle();
    expect((await assign(at, referralId, adminAt)).status).toBe(200);
    await net.settle();
    const grSide = await detail(gr, referralId);
    expect(grSide.timeline.some((e: Json) => e.action === 'referral.handover')).toBe(false);
    expect(grSide.partner_caseworker.name).toBe('Lena Huber');
  });

  it('sends neither to a sender whose identity document does not list referral.handover, and the referral goes on', async () => {
    const id = await accepted(it2);
    const grSide = await detail(gr, id);
    expect(grSide.state).toBe('accepted');
    expect(grSide.partner_case_reference).toBeUndefined();
    expect(grSide.partner_caseworker).toBeUndefined();
    expect((await assign(it2, id, null)).status).toBe(200);
    const queued = await it2.ctx.database.db.selectFrom('envelopes').select('type').where('referral_id', '=', id).where('direction', '=', 'outgoing').execute();
    expect(queued.map((e) => e.type)).toEqual(['referral.accept']);
    await net.settle();
    expect((await detail(gr, id)).timeline.some((e: Json) => e.action === 'referral.handover')).toBe(false);
  });

  it('the sender\'s page shows the partner\'s caseworker and case reference; the list shows the reference beside ours', async () => {
    const id = await accepted(at);
    const browser = await signedInAs(gr, 'caseworker', net.clock.now());
    const page = textOf(await browser.html(`/ui/referrals/${id}`));
    const reference = (await detail(at, id)).case_reference as string;
    expect(page).toContain(`Their reference ${reference}`);
    expect(page).toContain(`Responsible at ${at.ctx.self.name} Maria Gruber · ${CONTACT}`);
    expect(page).toContain(`Responsible there: Maria Gruber · ${CONTACT}`);
    const list = textOf(await browser.html('/ui/referrals?direction=outgoing'));
    expect(list).toContain(`Their reference: ${reference}`);
  });

  it('a search by the partner\'s reference finds the referral, in capitals or as typed', async () => {
    const id = await accepted(at);
    const reference = (await detail(at, id)).case_reference as string;
    for (const query of [reference, reference.toLowerCase()]) {
      const found = await api(gr, 'POST', '/api/v1/search', { query });
      expect(found.status).toBe(200);
      expect(found.body.items.map((h: Json) => h.referral.id)).toEqual([id]);
    }
  });
});

describe('whom the receiver names, and what it tells its own people', () => {
  it('names nobody for a caseworker without a display name: her user name is never sent', async () => {
    const plain = await createUser(at.ctx.database, { username: 'k.wagner', role: 'caseworker' }, net.clock.now());
    await setWorkContact(at.ctx.database, plain.user.id, '+43 1 555 0199', net.clock.now(), CLI);
    const { referralId } = await sentReferral(net, gr, at);
    expect((await assign(at, referralId, plain.user.id)).status).toBe(200);
    expect((await api(at, 'POST', `/api/v1/referrals/${referralId}/accept`, {})).status).toBe(200);
    await net.settle();
    const grSide = await detail(gr, referralId);
    expect(grSide.partner_caseworker).toBeUndefined();
    expect(grSide.partner_case_reference).toBe((await detail(at, referralId)).case_reference);
    expect(JSON.stringify(grSide)).not.toContain('k.wagner');
  });

  it('a hand-over passes what the one responsible before had not read to the one responsible now', async () => {
    const id = await accepted(at);
    expect((await api(gr, 'POST', `/api/v1/referrals/${id}/withdraw`, { reason: 'client-request' })).status).toBe(200);
    await net.settle();
    const told = async () => at.ctx.database.db.selectFrom('notifications').select(['kind', 'user_id']).where('referral_id', '=', id).execute();
    expect(await told()).toContainEqual({ kind: 'withdrawn', user_id: adminAt });
    expect((await assign(at, id, lena.id)).status).toBe(200);
    expect(await told()).toContainEqual({ kind: 'withdrawn', user_id: lena.id });
    expect((await told()).some((n) => n.user_id === adminAt)).toBe(false);
  });
});

describe('the assign endpoint', () => {
  it('refuses a user who is no active colleague and an unknown referral, changing nothing', async () => {
    const { referralId } = await sentReferral(net, gr, at);
    const auditor = await createUser(at.ctx.database, { username: 'audrey', role: 'auditor' }, net.clock.now());
    const refused = await assign(at, referralId, auditor.user.id);
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('urn:refnet:problem:invalid-request');
    expect((await detail(at, referralId)).assignee_id).toBeUndefined();
    expect((await assign(at, '0190b0c0-0000-7000-8000-000000000000', adminAt)).status).toBe(404);
    expect((await api(at, 'POST', `/api/v1/referrals/${referralId}/assign`, { user_id: 'someone' })).status).toBe(422);
  });
});
