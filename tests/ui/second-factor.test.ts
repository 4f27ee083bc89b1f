// The second factor in the web interface (issue 17 item 5), driven through the node's app as a
// browser would, without script: set up on the settings (QR code inline as SVG, the key to type,
// a first code and the password), recovery codes shown once; the sign-in in two steps, where the
// half-signed-in state opens nothing, ends after five minutes and belongs to one browser; wrong
// codes count in the sign-in throttle; a code is not accepted twice; a recovery code signs in
// once; the user turns it off; an administrator removes it on the user's page; and a node that
// requires it of administrators lets an administrator without one reach only its setting up.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../node/config/config.js';
import { readEnv } from '../../node/config/env.js';
import { createUser } from '../../node/users/service.js';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { pollUntil } from '../_util/processes.js';
import { signIn, signedInAs, textOf, tokenIn, uiBrowser, type UiBrowser } from '../_util/ui-browser.js';

let net: TestNetwork;
let gr: TestNode;
const PASSWORD = 'olive grove under snow';
const codeAt = (key: string, at: Date, steps = 0) => TOTP.generate({ secret: Secret.fromBase32(key.replace(/\s/g, '')), timestamp: at.getTime() + steps * 30_000 });
const code = (key: string) => codeAt(key, net.clock.now());
/** The next 30-second step: a code of the step just used is refused. */
const nextStep = () => net.clock.advance(30_000);
const auditTypes = async (node = gr) => (await node.ctx.database.db.selectFrom('audit_log').select('type').orderBy('idx').execute()).map((r) => r.type);

/** Every key and recovery code the pages showed: none may reach a log. */
const shown: string[] = [];
const keep = <T extends string | string[]>(value: T): T => {
  shown.push(...(typeof value === 'string' ? [value] : value));
  return value;
};
/** The key shown for typing by hand on the set-up page. */
const shownKey = (html: string) => keep(/aria-describedby="manual-key-hint">\s*([A-Z2-7 ]+?)\s*</.exec(html)?.[1] ?? '');
/** The recovery codes a page shows once. */
const shownCodes = (html: string) => keep([...html.matchAll(/<li>([a-z0-9-]{19})<\/li>/g)].map((m) => m[1]!));

/** Sets up a second factor for the signed-in user of `b`, through the pages: the key and the recovery codes. */
async function setUp(b: UiBrowser, password = PASSWORD): Promise<{ key: string; codes: string[] }> {
  expect((await b.submit('/ui/settings/second-factor/start', {}, '/ui/settings/second-factor')).status).toBe(303);
  const key = shownKey(await b.html('/ui/settings/second-factor'));
  const confirmed = await b.submit('/ui/settings/second-factor/confirm', { code: code(key), password }, '/ui/settings/second-factor');
  expect(confirmed.status).toBe(200);
  const codes = shownCodes(await confirmed.text());
  nextStep();
  return { key, codes };
}

/** A new user with the password PASSWORD, signed in in `b`. */
async function userSignedIn(username: string, role: 'admin' | 'caseworker' | 'auditor' = 'caseworker', node = gr): Promise<{ id: string; b: UiBrowser }> {
  const { user } = await createUser(node.ctx.database, { username, role, password: PASSWORD }, net.clock.now());
  const b = uiBrowser(node);
  expect((await signIn(b, username, PASSWORD)).status).toBe(303);
  return { id: user.id, b };
}

beforeAll(async () => {
  net = await createTestNetwork(1);
  gr = net.nodes[0]!;
});
afterAll(() => net.close());

describe('setting up a second factor', () => {
  it('shows a QR code inline and the key, and takes effect only with a right code and the password', async () => {
    const { b } = await userSignedIn('sofia');
    expect(textOf(await b.html('/ui/settings'))).toContain('You have not set up a second factor.');
    expect(textOf(await b.html('/ui/settings/second-factor'))).toContain('Set up a second factor');
    await b.submit('/ui/settings/second-factor/start', {}, '/ui/settings/second-factor');
    const html = await b.html('/ui/settings/second-factor');
    // Drawn on the server: an SVG in the page, no image fetched, no script.
    expect(html).toMatch(/<div class="qr-code" role="img" aria-label="QR code for your authenticator app"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(html).not.toMatch(/<script|<img/);
    const key = shownKey(html);
    expect(key).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);

    const wrongPassword = await b.submit('/ui/settings/second-factor/confirm', { code: code(key), password: 'not my password' }, '/ui/settings/second-factor');
    expect(wrongPassword.status).toBe(422);
    expect(textOf(await wrongPassword.text())).toContain('Your password is not right. Nothing was changed.');
    const wrongCode = await b.submit('/ui/settings/second-factor/confirm', { code: codeAt(key, net.clock.now(), 4), password: PASSWORD }, '/ui/settings/second-factor');
    expect(wrongCode.status).toBe(422);
    expect(textOf(await wrongCode.text())).toContain('That code is not right, or it was used already.');
    expect(await auditTypes()).not.toContain('user.second-factor-enabled');

    const confirmed = await b.submit('/ui/settings/second-factor/confirm', { code: code(key), password: PASSWORD }, '/ui/settings/second-factor');
    expect(confirmed.status).toBe(200);
    const page = await confirmed.text();
    expect(textOf(page)).toContain('They are shown only this once.');
    expect(shownCodes(page)).toHaveLength(10);
    expect(await auditTypes()).toContain('user.second-factor-enabled');
    // Shown once: never again, and the key no more either.
    const after = await b.html('/ui/settings/second-factor');
    for (const one of shownCodes(page)) expect(after).not.toContain(one);
    expect(after).not.toContain(key);
    expect(textOf(after)).toContain('Recovery codes not yet used: 10.');
    expect(textOf(await b.html('/ui/settings'))).toMatch(/Your second factor has been on since/);
  });
});

describe('signing in with a second factor', () => {
  let key: string;
  let codes: string[];
  beforeAll(async () => {
    const { b } = await userSignedIn('theodora');
    ({ key, codes } = await setUp(b));
  });

  it('asks for the code after the password; the half-signed-in browser reaches nothing else', async () => {
    const b = uiBrowser(gr);
    const first = await signIn(b, 'theodora', PASSWORD);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/ui/login/code');
    expect(b.jar.has('refnet_session')).toBe(false);
    for (const path of ['/ui/overview', '/ui/settings', '/ui/settings/second-factor', '/ui/referrals']) {
      expect((await b.go(path)).headers.get('location'), path).toBe(path === '/ui/overview' ? '/ui/login' : `/ui/login?next=${encodeURIComponent(path)}`);
    }
    const page = await b.html('/ui/login/code');
    expect(textOf(page)).toContain('Type the 6-digit code your authenticator app shows now.');

    const wrong = await b.go('/ui/login/code', { form: { _csrf: tokenIn(page), code: codeAt(key, net.clock.now(), 5) } });
    expect(wrong.status).toBe(401);
    expect(textOf(await wrong.text())).toContain('That code is not right, or it was used already.');
    const forged = await b.go('/ui/login/code', { form: { _csrf: 'forged', code: code(key) } });
    expect(forged.status).toBe(403);

    const right = await b.go('/ui/login/code', { form: { _csrf: tokenIn(page), code: code(key) } });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/ui/overview');
    expect(b.jar.has('refnet_pending_sign_in')).toBe(false);
    expect((await b.go('/ui/overview')).status).toBe(200);
    expect(await auditTypes()).toContain('user.signed-in');
  });

  it('refuses a code already used (another browser, same step)', async () => {
    nextStep();
    const used = code(key);
    const one = uiBrowser(gr);
    await signIn(one, 'theodora', PASSWORD);
    expect((await one.go('/ui/login/code', { form: { _csrf: tokenIn(await one.html('/ui/login/code')), code: used } })).status).toBe(303);
    const other = uiBrowser(gr);
    await signIn(other, 'theodora', PASSWORD);
    expect((await other.go('/ui/login/code', { form: { _csrf: tokenIn(await other.html('/ui/login/code')), code: used } })).status).toBe(401);
    nextStep();
  });

  it('goes back to the page asked for after the code too', async () => {
    nextStep();
    const b = uiBrowser(gr);
    const asked = '/ui/referrals?direction=incoming';
    const form = await b.html((await b.go(asked)).headers.get('location')!);
    const first = await b.go('/ui/login', { form: { _csrf: tokenIn(form), username: 'theodora', password: PASSWORD, next: asked } });
    expect(first.headers.get('location')).toBe(`/ui/login/code?next=${encodeURIComponent(asked)}`);
    const page = await b.html(first.headers.get('location')!);
    expect(page).toContain(`name="next" value="${asked}"`);
    const right = await b.go('/ui/login/code', { form: { _csrf: tokenIn(page), code: code(key), next: asked } });
    expect(right.headers.get('location')).toBe(asked);
    nextStep();
  });

  it('binds the half sign-in to its browser and ends it after five minutes', async () => {
    const b = uiBrowser(gr);
    await signIn(b, 'theodora', PASSWORD);
    const token = tokenIn(await b.html('/ui/login/code'));
    // Another browser, without the pending cookie, has nothing to give a code to.
    const stranger = uiBrowser(gr);
    expect((await stranger.go('/ui/login/code')).headers.get('location')).toBe('/ui/login');
    expect((await stranger.go('/ui/login/code', { form: { _csrf: token, code: code(key) } })).status).toBe(401);
    net.clock.advance(5 * 60_000 + 1000);
    const late = await b.go('/ui/login/code', { form: { _csrf: token, code: code(key) } });
    expect(late.status).toBe(401);
    expect(textOf(await late.text())).toContain('The sign-in took too long. Please sign in again.');
    expect(b.jar.has('refnet_session')).toBe(false);
  });

  it('ends a half sign-in when an administrator gives the user a new password', async () => {
    const b = uiBrowser(gr);
    await signIn(b, 'theodora', PASSWORD);
    const token = tokenIn(await b.html('/ui/login/code'));
    const admin = await signedInAs(gr, 'admin', net.clock.now());
    const id = (await gr.ctx.database.db.selectFrom('users').select('id').where('username', '=', 'theodora').executeTakeFirstOrThrow()).id;
    const reset = await admin.submit(`/ui/users/${id}/reset-password`, {}, `/ui/users/${id}`);
    const fresh = /class="fingerprint">([^<]+)</.exec(await reset.text())![1]!;
    expect((await b.go('/ui/login/code', { form: { _csrf: token, code: code(key) } })).status).toBe(401);
    // Her new password and the code sign her in.
    const again = uiBrowser(gr);
    await signIn(again, 'theodora', fresh);
    expect((await again.go('/ui/login/code', { form: { _csrf: tokenIn(await again.html('/ui/login/code')), code: code(key) } })).status).toBe(303);
    nextStep();
    // Back to the password the other tests use.
    expect((await again.submit('/ui/settings/password', { current_password: fresh, new_password: PASSWORD, repeat_password: PASSWORD }, '/ui/settings')).status).toBe(303);
  });

  it('signs in once with each recovery code, audited without the code', async () => {
    const b = uiBrowser(gr);
    await signIn(b, 'theodora', PASSWORD);
    const token = tokenIn(await b.html('/ui/login/code'));
    expect((await b.go('/ui/login/code', { form: { _csrf: token, code: codes[0]!.toUpperCase() } })).status).toBe(303);
    const again = uiBrowser(gr);
    await signIn(again, 'theodora', PASSWORD);
    expect((await again.go('/ui/login/code', { form: { _csrf: tokenIn(await again.html('/ui/login/code')), code: codes[0]! } })).status).toBe(401);
    expect(await auditTypes()).toContain('user.recovery-code-used');
    const entries = (await gr.ctx.database.db.selectFrom('audit_log').select('entry').execute()).map((r) => r.entry).join('\n');
    for (const one of codes) expect(entries).not.toContain(one);
  });

  it('counts wrong codes as failed sign-ins: waits, then the lock, as for passwords', async () => {
    const { b: setter } = await userSignedIn('urania');
    const { key: hers } = await setUp(setter);
    const b = uiBrowser(gr);
    await signIn(b, 'urania', PASSWORD);
    const token = tokenIn(await b.html('/ui/login/code'));
    // Five free failures (the default policy), then each makes the next attempt wait.
    for (let i = 0; i < 6; i++) {
      expect((await b.go('/ui/login/code', { form: { _csrf: token, code: codeAt(hers, net.clock.now(), 7 + i) } })).status).toBe(401);
    }
    const waiting = await b.go('/ui/login/code', { form: { _csrf: token, code: code(hers) } });
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get('retry-after')).toMatch(/^\d+$/);
    // The right password does not clear the count while the code is still to come.
    expect((await signIn(uiBrowser(gr), 'urania', PASSWORD)).status).toBe(429);
    for (let i = 0; i < 5; i++) await gr.ctx.throttles.signIn.failed('urania', '', undefined, net.clock.now());
    expect(await auditTypes()).toContain('user.sign-in-locked');
  });
});

describe('turning it off and removing it', () => {
  it('the user turns it off with her password and a code; a wrong code changes nothing', async () => {
    const { b } = await userSignedIn('vasiliki');
    const { key } = await setUp(b);
    const wrong = await b.submit('/ui/settings/second-factor/off', { password: PASSWORD, code: codeAt(key, net.clock.now(), 6) }, '/ui/settings/second-factor');
    expect(wrong.status).toBe(422);
    expect(textOf(await b.html('/ui/settings/second-factor'))).toMatch(/Your second factor has been on since/);
    const off = await b.submit('/ui/settings/second-factor/off', { password: PASSWORD, code: code(key) }, '/ui/settings/second-factor');
    expect(off.status).toBe(303);
    expect(textOf(await b.html(off.headers.get('location')!))).toContain('Your second factor is off.');
    expect((await signIn(uiBrowser(gr), 'vasiliki', PASSWORD)).headers.get('location')).toBe('/ui/overview');
  });

  it('an administrator removes a user\'s on the user\'s page: audited, the user signed out, then signing in with the password alone', async () => {
    const { id, b } = await userSignedIn('xanthi');
    await setUp(b);
    const admin = await signedInAs(gr, 'admin', net.clock.now());
    const page = textOf(await admin.html(`/ui/users/${id}`));
    expect(page).toMatch(/Second factor On since/);
    const removed = await admin.submit(`/ui/users/${id}/second-factor/remove`, {}, `/ui/users/${id}`);
    expect(removed.status).toBe(303);
    expect(textOf(await admin.html(removed.headers.get('location')!))).toContain('The second factor is removed. The user is signed out.');
    expect((await b.go('/ui/overview')).headers.get('location')).toBe('/ui/login');
    expect(await auditTypes()).toContain('user.second-factor-removed');
    expect((await signIn(uiBrowser(gr), 'xanthi', PASSWORD)).headers.get('location')).toBe('/ui/overview');
    // Removing it again (a second administrator, say) says nothing was removed, and writes nothing.
    const removals = (await auditTypes()).filter((type) => type === 'user.second-factor-removed').length;
    const again = await admin.submit(`/ui/users/${id}/second-factor/remove`, {}, `/ui/users/${id}`);
    expect(again.status).toBe(303);
    expect(textOf(await admin.html(again.headers.get('location')!))).not.toContain('The second factor is removed.');
    expect((await auditTypes()).filter((type) => type === 'user.second-factor-removed')).toHaveLength(removals);
  });
});

describe('what an open session alone cannot do', () => {
  it('an administrator cannot remove her own second factor from the Users page: Settings, with password and code', async () => {
    const { id, b } = await userSignedIn('yolanda', 'admin');
    await setUp(b);
    expect(textOf(await b.html(`/ui/users/${id}`))).toContain('Your own second factor is turned off on your Settings');
    const refused = await b.submit(`/ui/users/${id}/second-factor/remove`, {}, `/ui/users/${id}`);
    expect(refused.status).toBe(409);
    expect(textOf(await refused.text())).toContain('Your own second factor is turned off on your Settings');
    expect(textOf(await b.html('/ui/settings/second-factor'))).toMatch(/Your second factor has been on since/);
  });

  it('new recovery codes need a code as well as the password; a wrong one counts as a failed sign-in', async () => {
    const { b } = await userSignedIn('zoe');
    const { key } = await setUp(b);
    const renew = (fields: { password: string; code: string }) => b.submit('/ui/settings/second-factor/recovery-codes', fields, '/ui/settings/second-factor');
    const passwordOnly = await renew({ password: PASSWORD, code: '' });
    expect(passwordOnly.status).toBe(422);
    expect(textOf(await passwordOnly.text())).toContain('That code is not right');
    // Five failures are free (half of the lock's ten); after the sixth, the next attempt must wait.
    for (let i = 0; i < 5; i++) expect((await renew({ password: `wrong-${i}`, code: code(key) })).status).toBe(422);
    const waiting = await renew({ password: PASSWORD, code: code(key) });
    expect(waiting.status).toBe(422);
    expect(textOf(await waiting.text())).toMatch(/Too many failed sign-ins\. Try again in \d+ seconds\./);
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThan(0);
    // The wait is on the limiter's clock (the real one): once it has passed, password and code make new codes.
    const renewed = await pollUntil(async () => {
      const response = await renew({ password: PASSWORD, code: code(key) });
      return response.status === 200 ? response : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500, what: 'the wait after failed attempts to end' });
    expect(textOf(await renewed.text())).toContain('recovery');
    expect(await auditTypes()).toContain('user.recovery-codes-renewed');
  });
});

describe('the logs', () => {
  it('never hold a key or a recovery code shown, or a code typed', async () => {
    expect(shown.length).toBeGreaterThan(10);
    for (const secret of shown) {
      expect(gr.logs()).not.toContain(secret);
      expect(gr.logs()).not.toContain(secret.replace(/[\s-]/g, ''));
    }
  });
});

describe('a node that requires a second factor of administrators', () => {
  let strict: TestNetwork;
  let at: TestNode;
  beforeAll(async () => {
    strict = await createTestNetwork(1, { requireTotpForAdmins: true });
    at = strict.nodes[0]!;
  });
  afterAll(() => strict.close());

  it('is off unless REFERRAL_NODE_REQUIRE_TOTP_FOR_ADMINS says so', () => {
    const required = (value?: string) =>
      resolveConfig({ data: '/nonexistent' }, readEnv(value === undefined ? {} : { REFERRAL_NODE_REQUIRE_TOTP_FOR_ADMINS: value })).requireTotpForAdmins;
    expect(required()).toBe(false);
    expect(required('true')).toBe(true);
    expect(required('false')).toBe(false);
    expect(() => required('maybe')).toThrow(ConfigError);
    expect(() => required('maybe')).toThrow('REFERRAL_NODE_REQUIRE_TOTP_FOR_ADMINS must be true or false.');
  });

  it('sends an administrator without one to set it up, and lets her reach nothing else until it is in force', async () => {
    const { b } = await userSignedIn('yiota', 'admin', at);
    for (const path of ['/ui/overview', '/ui/users', '/ui/settings', '/ui/peers']) {
      expect((await b.go(path)).headers.get('location'), path).toBe('/ui/settings/second-factor');
    }
    expect((await b.submit('/ui/users', { username: 'sneaky', role: 'admin' }, '/ui/settings/second-factor')).headers.get('location')).toBe('/ui/settings/second-factor');
    expect(textOf(await b.html('/ui/settings/second-factor'))).toContain('This node requires a second factor for administrators.');
    // Caseworkers are not asked.
    const { b: caseworker } = await userSignedIn('zoi', 'caseworker', at);
    expect((await caseworker.go('/ui/overview')).status).toBe(200);

    expect((await b.submit('/ui/settings/second-factor/start', {}, '/ui/settings/second-factor')).status).toBe(303);
    const key = shownKey(await b.html('/ui/settings/second-factor'));
    const confirmed = await b.submit('/ui/settings/second-factor/confirm', { code: codeAt(key, strict.clock.now()), password: PASSWORD }, '/ui/settings/second-factor');
    expect(confirmed.status).toBe(200);
    expect((await b.go('/ui/overview')).status).toBe(200);
    // It cannot be turned off while required.
    const page = textOf(await b.html('/ui/settings/second-factor'));
    expect(page).toContain('it cannot be turned off here');
    strict.clock.advance(30_000);
    const off = await b.submit('/ui/settings/second-factor/off', { code: codeAt(key, strict.clock.now()), password: PASSWORD }, '/ui/settings/second-factor');
    expect(off.status).toBe(422);
    expect(await auditTypes(at)).not.toContain('user.second-factor-removed');
  });
});
