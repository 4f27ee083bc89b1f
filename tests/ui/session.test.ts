// Signing in to the web interface: the sign-in form with its own CSRF token, a session cookie
// that is HttpOnly and SameSite=Strict (Secure over https), a refusal that does not say which
// part was wrong, sign-out, the language kept per user, and auditors never shown a referral.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../node/users/service.js';
import { noticeLeft, signIn as signInWith, tokenIn, uiBrowser, type UiBrowser } from '../_util/ui-browser.js';
import { uiRoutes } from '../../admin-ui/routes.js';
import { api, createTestNetwork, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
const passwords: Record<string, string> = {};

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  for (const role of ['caseworker', 'auditor'] as const) {
    passwords[role] = (await createUser(at.ctx.database, { username: `${role}-1`, role }, net.clock.now())).password;
  }
  await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
  await net.settle();
});
afterAll(() => net.close());

const browser = (base = at.id) => uiBrowser(at, base);

const signIn = (b: UiBrowser, role: string, lang = 'en'): Promise<Response> => signInWith(b, `${role}-1`, passwords[role]!, lang);

describe('the web interface', () => {
  it('shows the sign-in form in the language asked, with a token of its own in a strict cookie', async () => {
    const b = browser();
    const response = await b.go('/ui/login?lang=el');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<html lang="el">');
    expect(html).toContain('Όνομα χρήστη');
    expect(response.headers.get('set-cookie')).toMatch(/refnet_sign_in=[^;]+; Max-Age=3600; Path=\/ui; HttpOnly; SameSite=Strict/);
    expect((await b.go('/ui/overview')).headers.get('location')).toBe('/ui/login');
  });

  it('refuses a sign-in without the form\'s token, or with a wrong password, without saying which part was wrong', async () => {
    const b = browser();
    const page = await (await b.go('/ui/login')).text();
    expect((await b.go('/ui/login', { form: { _csrf: 'forged', username: 'caseworker-1', password: passwords.caseworker! } })).status).toBe(403);
    const wrong = await b.go('/ui/login', { form: { _csrf: tokenIn(page), username: 'caseworker-1', password: 'not-it' } });
    expect(wrong.status).toBe(401);
    const unknown = await b.go('/ui/login', { form: { _csrf: tokenIn(page), username: 'nobody', password: 'not-it' } });
    expect(await unknown.text()).toContain('The user name or the password is not right.');
    expect(b.jar.has('refnet_session')).toBe(false);
    expect(await at.ctx.database.db.selectFrom('ui_sessions').selectAll().execute()).toEqual([]);
  });

  it('signs a caseworker in, shows what waits for her, switches language and signs out', async () => {
    const b = browser();
    const signedIn = await signIn(b, 'caseworker');
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/ui/overview');
    expect(signedIn.headers.getSetCookie().find((c) => c.startsWith('refnet_session='))).toMatch(/Path=\/ui; HttpOnly; SameSite=Strict/);
    const stored = await at.ctx.database.db.selectFrom('ui_sessions').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_digest).not.toBe(b.jar.get('refnet_session'));

    const overview = await (await b.go('/ui/overview')).text();
    expect(overview).toContain('Waiting for you');
    expect(overview).toContain('Test organisation GR');
    const csrf = tokenIn(overview);
    expect((await b.go('/ui/language', { form: { _csrf: 'forged', language: 'bg' } })).status).toBe(403);
    expect((await b.go('/ui/language', { form: { _csrf: csrf, language: 'bg' } })).status).toBe(303);
    expect(await (await b.go('/ui/overview')).text()).toContain('Чакат вас');
    expect((await at.ctx.database.db.selectFrom('users').select('language').where('username', '=', 'caseworker-1').executeTakeFirstOrThrow()).language).toBe('bg');

    // A refused form is a page of the interface, in her language.
    const forged = await b.go('/ui/logout', { form: { _csrf: 'forged' } });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await forged.text()).toContain('<html lang="bg">');
    expect((await b.go('/ui/logout', { form: { _csrf: csrf } })).headers.get('location')).toBe('/ui/login?lang=bg');
    expect((await b.go('/ui/overview')).headers.get('location')).toBe('/ui/login');
    expect(await at.ctx.database.db.selectFrom('ui_sessions').selectAll().execute()).toEqual([]);
    const entries = (await at.ctx.database.db.selectFrom('audit_log').select('entry').where('type', 'like', 'user.signed-%').orderBy('idx').execute()).map((r) => JSON.parse(r.entry));
    expect(entries.map((e) => e.type)).toEqual(['user.signed-in', 'user.signed-out']);
    expect(JSON.stringify(entries)).not.toContain(passwords.caseworker!);
  });

  it('answers /ui/, with its trailing slash, like /ui: to the sign-in form, or to the overview once signed in', async () => {
    const b = browser();
    for (const path of ['/ui', '/ui/']) {
      const response = await b.go(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toBe('/ui/login');
    }
    await signIn(b, 'caseworker');
    for (const path of ['/ui', '/ui/']) expect((await b.go(path)).headers.get('location'), path).toBe('/ui/overview');
    expect((await b.go('/ui/overview/')).status).toBe(200);
  });

  it('after signing in, goes back to the page asked for while signed out (a link in an e-mail), and only to a page of this interface', async () => {
    const b = browser();
    const asked = '/ui/referrals?direction=incoming&state=delivered';
    const sent = await b.go(asked);
    expect(sent.headers.get('location')).toBe(`/ui/login?next=${encodeURIComponent(asked)}`);
    const form = await b.html(sent.headers.get('location')!);
    expect(form).toContain(`name="next" value="${asked.replace(/&/g, '&amp;')}"`);
    const signedIn = await b.go('/ui/login', { form: { _csrf: tokenIn(form), username: 'caseworker-1', password: passwords.caseworker!, next: asked } });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(asked);
    expect((await b.go(asked)).status).toBe(200);

    // Anywhere else, the overview: another site, a path that a browser reads as another host, the sign-in itself.
    for (const next of ['https://elsewhere.example.org/ui/overview', '//elsewhere.example.org/ui/x', '/ui//elsewhere.example.org', '/ui/login', '/ui/../api/v1/referrals', '/ui/overview\\x', 'javascript:alert(1)', '/ui/%2e%2e/metrics', '/ui/.%2E/api/v1/referrals', '/ui/..', '/ui/./overview', '/ui/%2F%2Felsewhere.example.org']) {
      const other = browser();
      const page = await other.html(`/ui/login?next=${encodeURIComponent(next)}`);
      expect(page, next).not.toContain('name="next"');
      const response = await other.go('/ui/login', { form: { _csrf: tokenIn(page), username: 'caseworker-1', password: passwords.caseworker!, next } });
      expect(response.headers.get('location'), next).toBe('/ui/overview');
    }
    // A form sent while signed out is not remembered: the sign-in page, nothing more.
    expect((await browser().go('/ui/referrals/new', { form: { _csrf: 'x' } })).headers.get('location')).toBe('/ui/login');
  });

  it('shows a notice once, on the page it was left for, and not again on a reload or to another browser', async () => {
    const b = browser();
    await signIn(b, 'caseworker');
    const settings = await b.html('/ui/settings');
    // Her language as it is (Bulgarian, chosen earlier in this file): only the notice is looked at.
    const changed = await b.go('/ui/settings/language', { form: { _csrf: tokenIn(settings), language: 'bg' } });
    expect(changed.status).toBe(303);
    const left = noticeLeft(changed);
    expect(left).toBe('settingsLanguageSaved');
    const target = changed.headers.get('location')!;
    expect(target).not.toContain('notice');
    const first = await b.go(target);
    expect(await first.text()).toContain('class="notice"');
    expect(first.headers.getSetCookie().some((c) => /^refnet_notice=;/.test(c))).toBe(true);
    expect(await b.html(target)).not.toContain('class="notice"');
    // Left for another page, it waits for that page: another page shown meanwhile leaves it.
    b.jar.set('refnet_notice', encodeURIComponent('settingsLanguageSaved /ui/settings'));
    expect(await b.html('/ui/overview')).not.toContain('class="notice"');
    expect(await b.html(target)).toContain('class="notice"');
    // A key set by hand that is not in the catalogue shows nothing.
    b.jar.set('refnet_notice', encodeURIComponent('x<script> /ui/settings'));
    expect(await b.html(target)).not.toContain('class="notice"');
  });

  it('answers an address that is no page with a page that says so', async () => {
    const response = await browser().go('/ui/nothing-here?lang=it');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('A questo indirizzo non c’è nessuna pagina.');
  });

  it('ends a session after an hour without use', async () => {
    const b = browser();
    await signIn(b, 'caseworker');
    expect((await b.go('/ui/overview')).status).toBe(200);
    net.clock.advance(61 * 60_000);
    expect((await b.go('/ui/overview')).headers.get('location')).toBe('/ui/login');
  });

  it('never shows an auditor a referral, not even in the list', async () => {
    const b = browser();
    await signIn(b, 'auditor');
    const overview = await (await b.go('/ui/overview')).text();
    expect(overview).toContain('Auditors see the audit log and consent records, never a referral.');
    expect(overview).not.toContain('Test organisation GR');
  });

  it('sets the session cookie Secure when the node is reached over https', async () => {
    const b = browser(at.id.replace('http://', 'https://'));
    const signedIn = await signIn(b, 'caseworker');
    expect(signedIn.headers.getSetCookie().find((c) => c.startsWith('refnet_session='))).toMatch(/; Secure/);
  });
});

describe('a node whose public address is https, behind a proxy that speaks http to it', () => {
  it('still sets its cookies Secure', async () => {
    const behindProxy = uiRoutes({ ...at.ctx, self: { ...at.ctx.self, nodeId: 'https://node.example.org' } }, () => {});
    const response = await behindProxy.fetch(new Request(`${at.id}/login`));
    expect(response.headers.get('set-cookie')).toMatch(/refnet_sign_in=[^;]+;.*; Secure/);
  });
});

describe('a request too large for any form', () => {
  it('is refused before it is read, with a sentence, and changes nothing', async () => {
    const b = browser();
    await signIn(b, 'caseworker');
    const response = await b.go('/ui/language', { form: { _csrf: 'x', language: 'de', padding: 'x'.repeat(2 * 1024 * 1024) } });
    expect(response.status).toBe(413);
    // A page, in her language (Bulgarian, chosen earlier in this file).
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('Това е твърде голямо, за да го приеме възелът (над 1 MB). Нищо не е променено.');
    expect((await at.ctx.database.db.selectFrom('users').select('language').where('username', '=', 'caseworker-1').executeTakeFirstOrThrow()).language).not.toBe('de');
  });
});

describe('requests no form sends', () => {
  it('refuses a sign-in form larger than a sign-in needs, before anyone is signed in', async () => {
    const response = await browser().go('/ui/login', { form: { username: 'x', password: 'x'.repeat(2 * 1024 * 1024) } });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('<html lang="en">');
  });

  it('answers a body that is not a readable form as a form without its token, not with an error', async () => {
    const b = browser();
    await signIn(b, 'caseworker');
    for (const path of ['/ui/language', '/ui/logout', '/ui/settings/password', '/ui/login']) {
      const response = await at.app.fetch(
        new Request(`${at.id}${path}`, {
          method: 'POST',
          headers: { cookie: b.cookie(), 'content-type': 'multipart/form-data; boundary=x' },
          body: 'not multipart at all',
        }),
      );
      expect(response.status, path).toBe(403);
    }
  });

  it('goes back only to a page of the interface after changing the language', async () => {
    const b = browser();
    await signIn(b, 'caseworker');
    const csrf = tokenIn(await b.html('/ui/overview'));
    for (const [referer, expected] of [
      [`${at.id}/ui/consents`, '/ui/consents'],
      [`${at.id}/ui/..//evil.example/x`, '/ui/overview'],
      ['https://evil.example/ui/x', '/ui/x'],
      ['not a url', '/ui/overview'],
    ] as const) {
      const response = await at.app.fetch(
        new Request(`${at.id}/ui/language`, {
          method: 'POST',
          headers: { cookie: b.cookie(), 'content-type': 'application/x-www-form-urlencoded', referer },
          body: new URLSearchParams({ _csrf: csrf, language: 'bg' }).toString(),
          redirect: 'manual',
        }),
      );
      expect(response.headers.get('location'), referer).toBe(expected);
    }
  });

  it('sends pages with a policy that allows no script, no frame and no other site', async () => {
    const response = await browser().go('/ui/login');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("style-src 'self'");
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});
