// A form refused for one field says so beside that field (issue 18 item 8): the control is marked
// aria-invalid and described by the sentence, which sits next to it, and what was typed is kept
// (never a password). The service forms do the same (tests/ui/services.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../node/users/service.js';
import { api, createTestNetwork, sentReferral, trust, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, type UiBrowser } from '../_util/ui-browser.js';
import { attribute, control, expectMarked, expectUnmarked } from '../_util/field-marks.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let admin: UiBrowser;

beforeAll(async () => {
  net = await createTestNetwork(2, { trust: false });
  [gr, at] = net.nodes as [TestNode, TestNode];
  admin = await signedInAs(gr, 'admin', net.clock.now(), 'ana.admin');
});
afterAll(() => net.close());

let trusted = false;
async function trustEachOther(): Promise<void> {
  if (trusted) return;
  await trust(gr, at);
  await trust(at, gr);
  trusted = true;
}

describe('a form with a mistake in one field', () => {
  it('adding a peer: the address, kept as typed', async () => {
    const empty = await admin.submit('/ui/peers/add', { url: '' }, '/ui/peers');
    expect(empty.status).toBe(422);
    expectMarked(await empty.text(), 'peer-url', /required|Address/i);
    const unreachable = await admin.submit('/ui/peers/add', { url: 'http://node-nowhere.test' }, '/ui/peers');
    expect(unreachable.status).toBe(422);
    const html = await unreachable.text();
    expectMarked(html, 'peer-url', /./);
    expect(attribute(control(html, 'peer-url'), 'value')).toBe('http://node-nowhere.test');
  });

  it('confirming a peer: the fingerprint given, kept as typed, still described by its help', async () => {
    const wrong = await admin.submit('/ui/peers/add/confirm', { url: at.id, fingerprint: 'AAAA-BBBB', trust: 'yes' }, '/ui/peers');
    expect(wrong.status).toBe(422);
    const html = await wrong.text();
    expectMarked(html, 'given-fingerprint', /./);
    expect(attribute(control(html, 'given-fingerprint'), 'aria-describedby')).toBe('given-fingerprint-error given-fingerprint-help');
    expect(attribute(control(html, 'given-fingerprint'), 'value')).toBe('AAAA-BBBB');
  });

  it('changing one\'s password: the field that is wrong, and no password written back', async () => {
    const wrongCurrent = await admin.submit('/ui/settings/password', { current_password: 'not-it-at-all', new_password: 'a long new passphrase 42', repeat_password: 'a long new passphrase 42' }, '/ui/settings');
    expect(wrongCurrent.status).toBe(422);
    let html = await wrongCurrent.text();
    expectMarked(html, 'current-password', /./);
    expectUnmarked(html, 'new-password');
    expect(html).not.toContain('not-it-at-all');
    expect(html).not.toContain('a long new passphrase 42');

    const differ = await admin.submit('/ui/settings/password', { current_password: 'whatever', new_password: 'a long new passphrase 42', repeat_password: 'another long passphrase' }, '/ui/settings');
    html = await differ.text();
    expectMarked(html, 'repeat-password', /./);
    expectUnmarked(html, 'current-password');
    expect(attribute(control(html, 'repeat-password'), 'value')).toBeUndefined();
  });

  it('adding a user: the name or the role, with what was typed and chosen kept', async () => {
    const badName = await admin.submit('/ui/users', { username: 'Ana Admin!', role: 'auditor' }, '/ui/users');
    expect(badName.status).toBe(422);
    let html = await badName.text();
    expectMarked(html, 'new-username', /./);
    expect(attribute(control(html, 'new-username'), 'value')).toBe('Ana Admin!');
    expect(attribute(control(html, 'new-username'), 'aria-describedby')).toBe('new-username-error new-username-hint');
    expect(html).toMatch(/<option value="auditor" selected="">/);

    const taken = await admin.submit('/ui/users', { username: 'ana.admin', role: 'caseworker' }, '/ui/users');
    expectMarked(await taken.text(), 'new-username', /ana\.admin/);

    const noRole = await admin.submit('/ui/users', { username: 'mira', role: '' }, '/ui/users');
    html = await noRole.text();
    expectMarked(html, 'new-role', /./);
    expectUnmarked(html, 'new-username');
    expect(attribute(control(html, 'new-username'), 'value')).toBe('mira');
  });

  it('an action on a referral: the field that is wrong, the others as they were typed', async () => {
    await trustEachOther();
    const { referralId } = await sentReferral(net, gr, at);
    const caseworker = await signedInAs(at, 'caseworker', net.clock.now());
    const page = `/ui/referrals/${referralId}`;
    const declined = await caseworker.submit(`${page}/decline`, { reason: '', note: 'Our waiting list is full until March.' }, page);
    expect(declined.status).toBe(422);
    const html = await declined.text();
    expectMarked(html, 'decline-reason', /./);
    expect(html).toMatch(/<textarea[^>]*id="decline-note"[^>]*>Our waiting list is full until March\.<\/textarea>/);
    // Said above the page too: the form may not be shown any more when the referral moved on.
    expect(html).toMatch(/class="error-box"/);
  });

  it('an invitation: the hours it is valid for, the code to redeem', async () => {
    const hours = await admin.submit('/ui/peers/invitations', { valid_hours: '100000' }, '/ui/peers/invitations');
    expect(hours.status).toBe(422);
    let html = await hours.text();
    expectMarked(html, 'valid-hours', /./);
    expect(attribute(control(html, 'valid-hours'), 'value')).toBe('100000');
    const code = await admin.submit('/ui/peers/invitations/redeem', { code: '' }, '/ui/peers/invitations');
    expect(code.status).toBe(422);
    html = await code.text();
    expectMarked(html, 'invitation-code', /./);
    expectUnmarked(html, 'valid-hours');
  });

  it('withdrawing a consent: the organisations or the confirmation, with what was ticked kept', async () => {
    await trustEachOther();
    const { status, body } = await api(gr, 'POST', '/api/v1/consents', {
      categories: ['situation'], purposes: ['referral'], recipients: [at.id], method: 'written', language: 'ro', valid_until: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    });
    expect(status).toBe(201);
    const page = `/ui/consents/${body.id as string}`;
    const none = await admin.submit(`${page}/withdraw`, { confirm: 'yes' }, page);
    expect(none.status).toBe(422);
    let html = await none.text();
    expect(attribute(control(html, 'withdraw-recipient-0'), 'aria-invalid')).toBe('true');
    expect(/<fieldset[^>]*id="withdraw-recipients"[^>]*>/.exec(html)?.[0]).toContain('aria-describedby="withdraw-recipients-error"');
    expect(html).toMatch(/<p[^>]*id="withdraw-recipients-error"/);
    const unconfirmed = await admin.submit(`${page}/withdraw`, { recipients: at.id }, page);
    html = await unconfirmed.text();
    expectMarked(html, 'withdraw-confirm', /./);
    expect(attribute(control(html, 'withdraw-recipient-0'), 'checked')).toBe('');
    expect(attribute(control(html, 'withdraw-recipient-0'), 'aria-invalid')).toBeUndefined();
  });

  it('one\'s language and a user\'s new role: the choice that is not one of the list', async () => {
    const language = await admin.submit('/ui/settings/language', { language: 'xx' }, '/ui/settings');
    expect(language.status).toBe(422);
    expectMarked(await language.text(), 'settings-language', /./);
    const { user } = await createUser(gr.ctx.database, { username: 'teodora', role: 'caseworker' }, net.clock.now());
    const role = await admin.submit(`/ui/users/${user.id}/role`, { role: '' }, `/ui/users/${user.id}`);
    expect(role.status).toBe(422);
    expectMarked(await role.text(), 'user-role', /./);
  });

  it('verifying an audit log: the days of grace, or the bundle', async () => {
    const auditor = await signedInAs(gr, 'auditor', net.clock.now());
    const own = await auditor.submit('/ui/audit/verify', { erasure_grace_days: '-3' }, '/ui/audit/verify');
    expect(own.status).toBe(422);
    let html = await own.text();
    expectMarked(html, 'own-grace', /./);
    expect(attribute(control(html, 'own-grace'), 'value')).toBe('-3');
    expectUnmarked(html, 'bundle-grace');
    const notJson = await auditor.submit('/ui/audit/verify-bundle', { bundle_text: 'not a bundle', fingerprint: 'AAAA-BBBB' }, '/ui/audit/verify');
    expect(notJson.status).toBe(422);
    html = await notJson.text();
    expectMarked(html, 'bundle-text', /./);
    expect(attribute(control(html, 'bundle-fingerprint'), 'value')).toBe('AAAA-BBBB');
  });
});
