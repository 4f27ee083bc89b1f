// Settings and user management: a user changes their own password (the current one checked, a
// minimum length, no common or guessable password, other sessions ended, no secret in the audit
// log or the logs); an administrator adds users (the password shown once), changes roles, disables
// and enables accounts and gives new passwords; the last active administrator cannot be demoted or
// disabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateToken, changeRole, createApiToken, createUser, listApiTokens, listUsers, setDisplayName, setUserDisabled } from '../../node/users/service.js';
import { attribute, control, expectMarked } from '../_util/field-marks.js';
import { createTestNetwork, sentReferral, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signIn, signedInAs, textOf, uiBrowser, type UiBrowser } from '../_util/ui-browser.js';

let net: TestNetwork;
let gr: TestNode;
let admin: UiBrowser;

const db = () => gr.ctx.database.db;
const auditText = async () => (await db().selectFrom('audit_log').select('entry').orderBy('idx').execute()).map((r) => r.entry).join('\n');
const auditTypes = async () => (await db().selectFrom('audit_log').select('type').orderBy('idx').execute()).map((r) => r.type);
const userNamed = async (username: string) => (await listUsers(db())).find((u) => u.username === username)!;
/** The password a page shows once. */
const shownPassword = (html: string) => /class="fingerprint">([^<]+)</.exec(html)?.[1] ?? '';

beforeAll(async () => {
  net = await createTestNetwork(2);
  gr = net.nodes[0]!;
  admin = await signedInAs(gr, 'admin', net.clock.now(), 'anna.admin');
});
afterAll(() => net.close());

describe('the settings page', () => {
  it('shows every user their account and language; administrators also the node and its fingerprint', async () => {
    const caseworker = await signedInAs(gr, 'caseworker', net.clock.now(), 'chris.case');
    const own = textOf(await caseworker.html('/ui/settings'));
    expect(own).toContain('chris.case');
    expect(own).toContain('Caseworker');
    expect(own).toContain('Change your password');
    expect(own).not.toContain('Fingerprint of the signing key');
    const node = (await gr.request('/api/v1/node', { headers: { authorization: `Bearer ${gr.token}` } }).then((r) => r.json())) as { fingerprint: string };
    const adminPage = textOf(await admin.html('/ui/settings'));
    expect(adminPage).toContain('Fingerprint of the signing key');
    expect(adminPage).toContain(node.fingerprint);
    expect(adminPage).toContain(gr.id);
    // The node's country and languages by name, in the reader's language.
    expect(adminPage).toMatch(/Country Greece Languages English/);
  });

  it('keeps the language chosen there', async () => {
    const b = await signedInAs(gr, 'auditor', net.clock.now());
    const response = await b.submit('/ui/settings/language', { language: 'de' }, '/ui/settings');
    expect(response.status).toBe(303);
    expect(textOf(await b.html(response.headers.get('location')!))).toContain('Ihre Sprache ist gespeichert.');
    expect((await b.submit('/ui/settings/language', { language: 'xx' }, '/ui/settings')).status).toBe(422);
  });
});

describe('display names (issue 18 item 7)', () => {
  it('a user gives herself one on Settings, sees it refused beside the field when it cannot be one, and takes it away', async () => {
    const b = await signedInAs(gr, 'caseworker', net.clock.now(), 'dora.case');
    const saved = await b.submit('/ui/settings/name', { display_name: ' Dora   Hristova ' }, '/ui/settings');
    expect(saved.status).toBe(303);
    const page = await b.html(saved.headers.get('location')!);
    expect(textOf(page)).toContain('Your display name is saved.');
    expect(attribute(control(page, 'settings-display-name'), 'value')).toBe('Dora Hristova');
    expect((await userNamed('dora.case')).display_name).toBe('Dora Hristova');

    const tooLong = await b.submit('/ui/settings/name', { display_name: 'D'.repeat(101) }, '/ui/settings');
    expect(tooLong.status).toBe(422);
    const html = await tooLong.text();
    expectMarked(html, 'settings-display-name', 'A display name is at most 100 characters.');
    expect(attribute(control(html, 'settings-display-name'), 'value')).toBe('D'.repeat(101));
    expect((await userNamed('dora.case')).display_name).toBe('Dora Hristova');

    expect((await b.submit('/ui/settings/name', { display_name: '' }, '/ui/settings')).status).toBe(303);
    expect((await userNamed('dora.case')).display_name).toBeNull();
    const types = await auditTypes();
    expect(types.filter((type) => type === 'user.display-name-changed')).toHaveLength(2);
    expect(await auditText()).not.toContain('Dora Hristova');
  });

  it('an administrator names a user when adding her or later; the list and her page show it', async () => {
    const added = await admin.submit('/ui/users', { username: 'ivo.k', role: 'caseworker', display_name: 'Ivo Kolev' }, '/ui/users');
    expect(added.status).toBe(200);
    const ivo = await userNamed('ivo.k');
    expect(ivo.display_name).toBe('Ivo Kolev');
    expect(textOf(await admin.html('/ui/users'))).toMatch(/Manage ivo\.k\s+Ivo Kolev\s+Caseworker/);
    const renamed = await admin.submit(`/ui/users/${ivo.id}/name`, { display_name: 'Ivo K. Kolev' }, `/ui/users/${ivo.id}`);
    expect(renamed.status).toBe(303);
    const page = textOf(await admin.html(renamed.headers.get('location')!));
    expect(page).toContain('The display name is saved.');
    expect(page).toContain('Ivo K. Kolev (ivo.k)');
    const refused = await admin.submit(`/ui/users/${ivo.id}/name`, { display_name: 'Ivo\u0007' }, `/ui/users/${ivo.id}`);
    expect(refused.status).toBe(422);
    expectMarked(await refused.text(), 'user-display-name', 'A display name is one line of text.');
    const badNew = await admin.submit('/ui/users', { username: 'jana.k', role: 'caseworker', display_name: 'J'.repeat(101) }, '/ui/users');
    expect(badNew.status).toBe(422);
    const badHtml = await badNew.text();
    expectMarked(badHtml, 'new-display-name', 'A display name is at most 100 characters.');
    expect(attribute(control(badHtml, 'new-username'), 'value')).toBe('jana.k');
    expect(await userNamed('jana.k')).toBeUndefined();
  });

  it('the timeline of a referral names who did each step by display name', async () => {
    const at = net.nodes[1]!;
    const { referralId } = await sentReferral(net, gr, at);
    const adminId = (await userNamed('admin')).id;
    await setDisplayName(gr.ctx.database, adminId, 'Alexandra Nikolaou', net.clock.now(), { kind: 'system', id: 'command-line' });
    const text = textOf(await admin.html(`/ui/referrals/${referralId}`));
    expect(text).toMatch(/Alexandra Nikolaou\s+Referral sent/);
    expect(text).not.toContain(adminId);
  });
});

describe('changing one\'s own password', () => {
  const OLD = 'first-password-of-dora';
  const NEW = 'a much longer new passphrase';
  let dora: UiBrowser;
  let doraElsewhere: UiBrowser;

  beforeAll(async () => {
    await createUser(gr.ctx.database, { username: 'dora', role: 'caseworker', password: OLD }, net.clock.now());
    dora = uiBrowser(gr);
    doraElsewhere = uiBrowser(gr);
    expect((await signIn(dora, 'dora', OLD)).status).toBe(303);
    expect((await signIn(doraElsewhere, 'dora', OLD)).status).toBe(303);
  });

  it('refuses a wrong current password, a short one and two that differ, and changes nothing', async () => {
    const before = await snapshot(gr);
    const wrong = await dora.submit('/ui/settings/password', { current_password: 'not-it-at-all', new_password: NEW, repeat_password: NEW }, '/ui/settings');
    expect(wrong.status).toBe(422);
    expect(textOf(await wrong.text())).toContain('Your current password is not right. Nothing was changed.');
    const short = await dora.submit('/ui/settings/password', { current_password: OLD, new_password: 'short', repeat_password: 'short' }, '/ui/settings');
    expect(short.status).toBe(422);
    expect(textOf(await short.text())).toContain('The new password is too short. It needs at least 12 characters.');
    const differ = await dora.submit('/ui/settings/password', { current_password: OLD, new_password: NEW, repeat_password: `${NEW}!` }, '/ui/settings');
    expect(textOf(await differ.text())).toContain('The two new passwords are not the same.');
    // Long enough, but common, a keyboard walk, or made of her user name: refused, offline.
    for (const guessable of ['password1234', 'qwertyuiop12', 'doradora2024']) {
      const refused = await dora.submit('/ui/settings/password', { current_password: OLD, new_password: guessable, repeat_password: guessable }, '/ui/settings');
      expect(refused.status).toBe(422);
      expect(textOf(await refused.text())).toContain('This password is too easy to guess');
    }
    const after = await snapshot(gr);
    delete before.ui_sessions;
    delete after.ui_sessions;
    expect(after).toEqual(before);
  });

  it('changes it: the new one signs in, the old one no longer, the other session ended, and no password in the log', async () => {
    const response = await dora.submit('/ui/settings/password', { current_password: OLD, new_password: NEW, repeat_password: NEW }, '/ui/settings');
    expect(response.status).toBe(303);
    expect(textOf(await dora.html(response.headers.get('location')!))).toContain('Your password is changed.');
    // This session goes on; the other one has ended.
    expect((await dora.go('/ui/settings')).status).toBe(200);
    expect((await doraElsewhere.go('/ui/settings')).headers.get('location')).toBe('/ui/login?next=%2Fui%2Fsettings');
    expect((await signIn(uiBrowser(gr), 'dora', OLD)).status).toBe(401);
    expect((await signIn(uiBrowser(gr), 'dora', NEW)).status).toBe(303);
    expect(await auditTypes()).toContain('user.password-changed');
    const log = await auditText();
    for (const secret of [OLD, NEW, 'a much longer']) {
      expect(log).not.toContain(secret);
      expect(gr.logs()).not.toContain(secret);
    }
  });
});

describe('managing users', () => {
  it('lists the users with role, language, state and last sign-in', async () => {
    const text = textOf(await admin.html('/ui/users'));
    expect(text).toContain('Manage anna.admin');
    expect(text).toContain('Administrator');
    expect(text).toContain('English');
    expect(text).toContain('Active');
    expect(text).toMatch(/Last sign-in/);
  });

  it('adds a user and shows the first password once, with advice; that password signs in', async () => {
    const response = await admin.submit('/ui/users', { username: 'eva.k', role: 'caseworker' }, '/ui/users');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(textOf(html)).toContain('The user eva.k was added.');
    expect(textOf(html)).toContain('never by e-mail or chat');
    const password = shownPassword(html);
    expect(password).toMatch(/^[A-Za-z0-9-]{20,}$/);
    expect((await signIn(uiBrowser(gr), 'eva.k', password)).status).toBe(303);
    expect(await auditText()).not.toContain(password);
    expect(gr.logs()).not.toContain(password);
    // Shown once: the users' pages never show it again.
    expect(await admin.html('/ui/users')).not.toContain(password);
    expect(await admin.html(`/ui/users/${(await userNamed('eva.k')).id}`)).not.toContain(password);
  });

  it('refuses a bad name, a taken name and a missing role in plain sentences', async () => {
    const bad = await admin.submit('/ui/users', { username: 'Eva K', role: 'caseworker' }, '/ui/users');
    expect(bad.status).toBe(422);
    expect(textOf(await bad.text())).toContain('A user name has 2 to 64 characters');
    const taken = await admin.submit('/ui/users', { username: 'eva.k', role: 'auditor' }, '/ui/users');
    expect(textOf(await taken.text())).toContain('The user name eva.k is already taken.');
    const noRole = await admin.submit('/ui/users', { username: 'fritz' }, '/ui/users');
    expect(textOf(await noRole.text())).toContain('Please choose a role.');
    expect(await userNamed('fritz')).toBeUndefined();
  });

  it('changes a role, disables (ending the sessions) and enables an account, each in the audit log', async () => {
    const eva = await userNamed('eva.k');
    const page = `/ui/users/${eva.id}`;
    const { password } = await createUser(gr.ctx.database, { username: 'gina', role: 'caseworker' }, net.clock.now());
    const gina = uiBrowser(gr);
    await signIn(gina, 'gina', password);
    const ginaId = (await userNamed('gina')).id;

    const role = await admin.submit(`${page}/role`, { role: 'auditor' }, page);
    expect(role.status).toBe(303);
    expect(textOf(await admin.html(role.headers.get('location')!))).toContain('The role is changed.');
    expect((await userNamed('eva.k')).role).toBe('auditor');

    const disable = await admin.submit(`/ui/users/${ginaId}/disable`, {}, `/ui/users/${ginaId}`);
    expect(disable.status).toBe(303);
    expect(textOf(await admin.html(disable.headers.get('location')!))).toContain('The account is disabled.');
    expect((await gina.go('/ui/overview')).headers.get('location')).toBe('/ui/login');
    expect((await signIn(uiBrowser(gr), 'gina', password)).status).toBe(401);
    expect(await gr.ctx.database.db.selectFrom('ui_sessions').select('user_id').where('user_id', '=', ginaId).execute()).toEqual([]);

    const enable = await admin.submit(`/ui/users/${ginaId}/enable`, {}, `/ui/users/${ginaId}`);
    expect(enable.status).toBe(303);
    expect((await signIn(uiBrowser(gr), 'gina', password)).status).toBe(303);
    const types = await auditTypes();
    expect(types).toContain('user.role-changed');
    expect(types).toContain('user.disabled');
    expect(types).toContain('user.enabled');
  });

  it('gives a new password, shown once: the old one stops working and the user is signed out', async () => {
    const { password } = await createUser(gr.ctx.database, { username: 'hana', role: 'auditor' }, net.clock.now());
    const hana = uiBrowser(gr);
    await signIn(hana, 'hana', password);
    const id = (await userNamed('hana')).id;
    const response = await admin.submit(`/ui/users/${id}/reset-password`, {}, `/ui/users/${id}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(textOf(html)).toContain('The new password for hana is below. It is shown only this once.');
    const fresh = shownPassword(html);
    expect(fresh).not.toBe('');
    expect((await hana.go('/ui/overview')).headers.get('location')).toBe('/ui/login');
    expect((await signIn(uiBrowser(gr), 'hana', password)).status).toBe(401);
    expect((await signIn(uiBrowser(gr), 'hana', fresh)).status).toBe(303);
    expect(await auditTypes()).toContain('user.password-reset');
    expect(await auditText()).not.toContain(fresh);
    expect(gr.logs()).not.toContain(fresh);
  });

  it('shows a sign-in lock on the user\'s page and lifts it, in the audit log', async () => {
    const { user, password } = await createUser(gr.ctx.database, { username: 'lena.locked', role: 'caseworker' }, net.clock.now());
    const lena = uiBrowser(gr);
    // Ten failures lock the account (the default policy); from the sixth, the next attempt waits.
    for (let i = 0; i < 11; i++) await gr.ctx.throttles.signIn.failed('lena.locked', '', user.id, net.clock.now());
    expect((await signIn(lena, 'lena.locked', password)).status).toBe(429);
    const page = textOf(await admin.html(`/ui/users/${user.id}`));
    expect(page).toContain('Sign-in locked');
    expect(page).toMatch(/sign-in to this account is locked until/);
    const lifted = await admin.submit(`/ui/users/${user.id}/unlock`, {}, `/ui/users/${user.id}`);
    expect(lifted.status).toBe(303);
    const after = textOf(await admin.html(lifted.headers.get('location')!));
    expect(after).toContain('The sign-in lock is lifted. The user can sign in again.');
    expect(after).not.toContain('Sign-in locked');
    expect((await signIn(lena, 'lena.locked', password)).status).toBe(303);
    expect(await auditTypes()).toEqual(expect.arrayContaining(['user.sign-in-locked', 'user.sign-in-unlocked']));
  });

  it('answers an unknown or malformed user id with a page that says so', async () => {
    expect((await admin.go('/ui/users/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin.go('/ui/users/not-a-uuid')).status).toBe(404);
    expect((await admin.submit('/ui/users/not-a-uuid/disable', {}, '/ui/users')).status).toBe(404);
  });
});

describe('API tokens on the accounts pages', () => {
  const DAY = 86_400_000;

  it('lists a user\'s own tokens on Settings, never the token, and lets her revoke hers and no one else\'s', async () => {
    const { password } = await createUser(gr.ctx.database, { username: 'ines', role: 'caseworker' }, net.clock.now());
    const ines = uiBrowser(gr);
    await signIn(ines, 'ines', password);
    const token = await createApiToken(gr.ctx.database, 'ines', { label: 'intake <script>', days: 30 }, net.clock.now());
    const other = await createApiToken(gr.ctx.database, 'admin', { label: 'not hers', days: 30 }, net.clock.now());
    const html = await ines.html('/ui/settings');
    const page = textOf(html);
    expect(page).toContain('API tokens');
    expect(page).toContain('intake <script>');
    expect(html).not.toContain('intake <script>');
    expect(page).not.toContain('not hers');
    expect(html).not.toContain(token);
    const [listed] = await listApiTokens(db(), 'ines');
    const [admins] = (await listApiTokens(db(), 'admin')).filter((t) => t.label === 'not hers');

    const before = await snapshot(gr);
    expect((await ines.submit(`/ui/settings/tokens/${admins!.id}/revoke`, {}, '/ui/settings')).status).toBe(404);
    expect((await ines.submit('/ui/settings/tokens/not-a-uuid/revoke', {}, '/ui/settings')).status).toBe(404);
    const after = await snapshot(gr);
    delete before.ui_sessions;
    delete after.ui_sessions;
    expect(after).toEqual(before);
    expect(await authenticateToken(gr.ctx.database, other, net.clock.now())).toBeDefined();

    const revoked = await ines.submit(`/ui/settings/tokens/${listed!.id}/revoke`, {}, '/ui/settings');
    expect(revoked.status).toBe(303);
    const next = textOf(await ines.html(revoked.headers.get('location')!));
    expect(next).toContain('The token is revoked.');
    expect(next).toContain('No API token.');
    expect(await authenticateToken(gr.ctx.database, token, net.clock.now())).toBeUndefined();
    const entry = (await db().selectFrom('audit_log').select('entry').where('type', '=', 'user.token-revoked').execute()).map((r) => JSON.parse(r.entry) as { token_id: string; actor: { kind: string } });
    expect(entry).toContainEqual(expect.objectContaining({ token_id: listed!.id, actor: expect.objectContaining({ kind: 'user' }) }));
  });

  it('shows administrators a user\'s tokens, expired ones marked, and revokes them; a new password revokes them all', async () => {
    const { user } = await createUser(gr.ctx.database, { username: 'jana', role: 'caseworker' }, net.clock.now());
    const lasting = await createApiToken(gr.ctx.database, 'jana', { label: 'case system', days: 90 }, net.clock.now());
    await createApiToken(gr.ctx.database, 'jana', { label: 'old script', days: 1 }, new Date(net.clock.now().getTime() - 2 * DAY));
    const page = textOf(await admin.html(`/ui/users/${user.id}`));
    expect(page).toContain('case system');
    expect(page).toMatch(/old script .*Expired/);
    const tokens = await listApiTokens(db(), 'jana');
    const old = tokens.find((t) => t.label === 'old script')!;
    const revoked = await admin.submit(`/ui/users/${user.id}/tokens/${old.id}/revoke`, {}, `/ui/users/${user.id}`);
    expect(revoked.status).toBe(303);
    expect(textOf(await admin.html(revoked.headers.get('location')!))).toContain('The token is revoked.');
    expect((await listApiTokens(db(), 'jana')).map((t) => t.label)).toEqual(['case system']);
    // A token of another user is not revoked through this user's page.
    const [admins] = await listApiTokens(db(), 'admin');
    expect((await admin.submit(`/ui/users/${user.id}/tokens/${admins!.id}/revoke`, {}, `/ui/users/${user.id}`)).status).toBe(404);

    expect(await authenticateToken(gr.ctx.database, lasting, net.clock.now())).toBeDefined();
    expect((await admin.submit(`/ui/users/${user.id}/reset-password`, {}, `/ui/users/${user.id}`)).status).toBe(200);
    expect(await authenticateToken(gr.ctx.database, lasting, net.clock.now())).toBeUndefined();
    const response = await gr.request('/api/v1/referrals', { headers: { authorization: `Bearer ${lasting}` } });
    expect(response.status).toBe(401);
    expect(textOf(await admin.html(`/ui/users/${user.id}`))).toContain('No API token.');
  });
});

describe('the last active administrator', () => {
  it('cannot be demoted or disabled, and is told why in a sentence', async () => {
    const net2 = await createTestNetwork(1);
    try {
      const node = net2.nodes[0]!;
      const ndb = node.ctx.database.db;
      const only = await signedInAs(node, 'admin', net2.clock.now(), 'olga');
      const olga = (await listUsers(ndb)).find((u) => u.username === 'olga')!;
      // The test node's own admin (for its API token) is disabled: olga is the one active administrator left.
      for (const u of await listUsers(ndb)) {
        if (u.role === 'admin' && u.id !== olga.id) expect(await setUserDisabled(node.ctx.database, u.id, true, net2.clock.now(), { kind: 'system', id: 'test' })).toBe('changed');
      }
      const page = `/ui/users/${olga.id}`;
      const text = textOf(await only.html(page));
      expect(text).toContain('olga is the only active administrator.');
      expect(text).not.toContain('Disable account');
      const before = await snapshot(node);
      const demote = await only.submit(`${page}/role`, { role: 'caseworker' }, page);
      expect(demote.status).toBe(409);
      expect(textOf(await demote.text())).toContain('olga is the only active administrator.');
      expect((await only.submit(`${page}/disable`, {}, page)).status).toBe(409);
      const after = await snapshot(node);
      delete before.ui_sessions;
      delete after.ui_sessions;
      expect(after).toEqual(before);
      // The service says the same to any caller.
      expect(await changeRole(node.ctx.database, olga.id, 'auditor', net2.clock.now(), { kind: 'system', id: 'test' })).toBe('last-admin');
      // With a second administrator, the first may step down.
      await createUser(node.ctx.database, { username: 'paula', role: 'admin' }, net2.clock.now());
      expect((await only.submit(`${page}/role`, { role: 'caseworker' }, page)).status).toBe(303);
    } finally {
      await net2.close();
    }
  });
});
