// Who is responsible for a referral at a node (issue 18 item 3): the creator of a referral sent,
// nobody for one received; a caseworker takes it, hands it over to a colleague with a note; the
// timeline and the audit log say so, by name; the list filters by "mine" and "unassigned".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { assignCreators } from '../../node/db/migrations/030-assignment.js';
import { concernsPeer } from '../../node/audit-log/peer-view.js';
import { createUser, setDisplayName, setUserDisabled } from '../../node/users/service.js';
import { api, createTestNetwork, sentReferral, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, signIn, textOf, uiBrowser, type UiBrowser } from '../_util/ui-browser.js';
import { attribute, control, expectMarked } from '../_util/field-marks.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let anna: UiBrowser;
let referralId: string;
let annaId: string;
let lenaId: string;
let lenaPassword: string;

const CLI = { kind: 'system', id: 'command-line' } as const;
const NOTE = 'Handover-Canary-5517: she prefers calls after 4 pm';

const userId = async (node: TestNode, username: string) =>
  (await node.ctx.database.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  ({ referralId } = await sentReferral(net, gr, at));
  anna = await signedInAs(at, 'caseworker', net.clock.now(), 'anna');
  annaId = await userId(at, 'anna');
  await setDisplayName(at.ctx.database, annaId, 'Anna Berger', net.clock.now(), CLI);
  const lena = await createUser(at.ctx.database, { username: 'lena', role: 'caseworker', displayName: 'Lena Huber' }, net.clock.now());
  lenaId = lena.user.id;
  lenaPassword = lena.password;
});
afterAll(() => net.close());

describe('a referral\'s responsible caseworker', () => {
  it('is the creator of a referral sent, and nobody yet for one received', async () => {
    expect((await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.assignee_id).toBe(await userId(gr, 'admin'));
    expect((await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body.assignee_id).toBeUndefined();
    expect(textOf(await anna.html(`/ui/referrals/${referralId}`))).toContain('Nobody here is responsible for this referral yet.');
    expect(textOf(await anna.html('/ui/referrals?assignee=unassigned'))).toContain('Referrals found: 1');
  });

  it('is the caseworker who takes it, said in the timeline, the audit log and the list', async () => {
    const taken = await anna.submit(`/ui/referrals/${referralId}/assign`, { to: annaId }, `/ui/referrals/${referralId}`);
    expect(taken.status).toBe(303);
    const page = textOf(await anna.html(`/ui/referrals/${referralId}`));
    expect(page).toContain('Responsible here now: You.');
    expect(page).toContain('Made responsible: You');
    const list = await anna.html('/ui/referrals?assignee=mine');
    expect(textOf(list)).toContain('Referrals found: 1');
    expect(list).toMatch(/<option value="mine" selected="">Me \(1\)<\/option>/);
    const auditor = await signedInAs(at, 'auditor', net.clock.now());
    const audit = textOf(await auditor.html('/ui/audit?type=referral.event'));
    expect(audit).toContain('The responsible caseworker changed.');
    expect(audit).toContain('Now responsible Anna Berger (anna)');
    expect(audit).not.toContain(annaId);
    // The peer reads its referral's other events in this node's log, never who is responsible here.
    const entries = (await at.ctx.database.db.selectFrom('audit_log').select(['type', 'entry']).where('type', '=', 'referral.event').execute()).map((e) => e.entry);
    const assigned = entries.filter((e) => JSON.parse(e).action === 'assigned');
    expect(assigned).toHaveLength(1);
    expect(concernsPeer(assigned[0]!, gr.id)).toBe(false);
    expect(entries.filter((e) => concernsPeer(e, gr.id)).length).toBe(entries.length - 1);
  });

  it('is handed over to a colleague with a note, encrypted, that she reads on the referral', async () => {
    const handed = await anna.submit(`/ui/referrals/${referralId}/assign`, { to: lenaId, note: NOTE }, `/ui/referrals/${referralId}`);
    expect(handed.status).toBe(303);
    const lena = uiBrowser(at);
    expect((await signIn(lena, 'lena', lenaPassword)).status).toBe(303);
    // New to her, and hers.
    const list = await lena.html('/ui/referrals?assignee=mine');
    expect(list).toContain('class="badge new"');
    expect(textOf(list)).toContain('Responsible: You');
    const page = textOf(await lena.html(`/ui/referrals/${referralId}`));
    expect(page).toContain('Made responsible: You');
    expect(page).toContain(NOTE);
    expect(textOf(await anna.html(`/ui/referrals/${referralId}`))).toContain('Made responsible: Lena Huber');
    // The note is in no table in the clear, no log, no audit entry.
    const stored = await at.ctx.database.db.selectFrom('referral_events').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('Handover-Canary');
    const entries = (await at.ctx.database.db.selectFrom('audit_log').select('entry').execute()).map((e) => e.entry).join('\n');
    expect(entries).not.toContain('Handover-Canary');
    expect(at.logs()).not.toContain('Handover-Canary');
    // The API says who is responsible, and the timeline who did it.
    const detail = (await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body;
    expect(detail.assignee_id).toBe(lenaId);
    expect(detail.timeline.at(-1)).toMatchObject({ action: 'assigned', code: lenaId, note: NOTE, by: { kind: 'user', id: annaId } });
  });

  it('is refused to anyone who is no active colleague, beside the choice, and nothing changes', async () => {
    const auditorId = (await createUser(at.ctx.database, { username: 'otto', role: 'auditor' }, net.clock.now())).user.id;
    const goneId = (await createUser(at.ctx.database, { username: 'gone', role: 'caseworker' }, net.clock.now())).user.id;
    await setUserDisabled(at.ctx.database, goneId, true, net.clock.now(), CLI);
    for (const to of [auditorId, goneId, '00000000-0000-4000-8000-000000000000', 'not-a-user']) {
      const refused = await anna.submit(`/ui/referrals/${referralId}/assign`, { to, note: 'kept' }, `/ui/referrals/${referralId}`);
      expect(refused.status, to).toBe(422);
      const html = await refused.text();
      expectMarked(html, 'assign-to', 'Please choose an active caseworker or administrator of this organisation.');
      expect(html).toContain('>kept</textarea>');
    }
    const tooLong = await anna.submit(`/ui/referrals/${referralId}/assign`, { to: annaId, note: 'n'.repeat(2001) }, `/ui/referrals/${referralId}`);
    expect(tooLong.status).toBe(422);
    expectMarked(await tooLong.text(), 'assign-note', 'A note is at most 2000 characters.');
    expect((await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body.assignee_id).toBe(lenaId);
    // The choices offered: active caseworkers and administrators only.
    const offered = await anna.html(`/ui/referrals/${referralId}`);
    expect(offered).toContain(`<option value="${lenaId}" selected="">Lena Huber</option>`);
    expect(offered).not.toContain(`value="${auditorId}"`);
    expect(offered).not.toContain(`value="${goneId}"`);
    expect(attribute(control(offered, 'assign-to'), 'aria-invalid')).toBeUndefined();
  });

  it('is nobody again when handed back, and the list filters say so', async () => {
    expect((await anna.submit(`/ui/referrals/${referralId}/assign`, { to: '' }, `/ui/referrals/${referralId}`)).status).toBe(303);
    expect((await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body.assignee_id).toBeUndefined();
    expect(textOf(await anna.html(`/ui/referrals/${referralId}`))).toContain('No one is responsible now');
    const list = await anna.html('/ui/referrals?assignee=unassigned');
    expect(textOf(list)).toContain('Referrals found: 1');
    expect(list).toMatch(/<option value="unassigned" selected="">Nobody yet \(1\)<\/option>/);
  });

  it('counts as nobody\'s while the one responsible cannot work on it (her account disabled), so that it is not forgotten', async () => {
    const { referralId: second } = await sentReferral(net, gr, at);
    const mia = await createUser(at.ctx.database, { username: 'mia', role: 'caseworker' }, net.clock.now());
    expect((await anna.submit(`/ui/referrals/${second}/assign`, { to: mia.user.id }, `/ui/referrals/${second}`)).status).toBe(303);
    expect(textOf(await anna.html('/ui/referrals?assignee=unassigned'))).toContain('Referrals found: 1');
    await setUserDisabled(at.ctx.database, mia.user.id, true, net.clock.now(), CLI);
    const list = await anna.html('/ui/referrals?assignee=unassigned');
    expect(textOf(list)).toContain('Referrals found: 2');
    expect(list).toContain(`/ui/referrals/${second}`);
    await setUserDisabled(at.ctx.database, mia.user.id, false, net.clock.now(), CLI);
    expect(textOf(await anna.html('/ui/referrals?assignee=unassigned'))).toContain('Referrals found: 1');
  });
});

describe('once her data is erased', () => {
  it('no one can be made responsible with a note about her, and the form is gone', async () => {
    const consentId = (await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.consent_id as string;
    expect((await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, { recipients: [at.id] })).status).toBe(200);
    await net.settle();
    expect((await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body.erased_at).toBeDefined();
    expect(await anna.html(`/ui/referrals/${referralId}`)).not.toContain('/assign"');
    const refused = await anna.submit(`/ui/referrals/${referralId}/assign`, { to: annaId, note: 'about her' }, `/ui/referrals/${referralId}`);
    expect(refused.status).toBe(409);
    expect((await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body.assignee_id).toBeUndefined();
  });
});

describe('migration 030', () => {
  it('makes the creators responsible for the referrals sent, nobody for those received', async () => {
    for (const node of [gr, at]) {
      const { db } = node.ctx.database;
      await db.updateTable('referrals').set({ assignee_id: null }).execute();
      await assignCreators(db as unknown as Kysely<unknown>);
    }
    expect((await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.assignee_id).toBe(await userId(gr, 'admin'));
    expect((await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body.assignee_id).toBeUndefined();
  });
});
