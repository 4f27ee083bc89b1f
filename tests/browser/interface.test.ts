// The web interface in a real browser (Debian's Chromium through playwright-core), on the demo
// network that `npm run demo` starts: the whole journey of a referral, page by page as people
// would click through it, with a caseworker's day in it (the notification e-mail, through a real
// SMTP server in this process, read for what it must not say; signing in from its link; what
// waits; her referral found by her name; taken, answered, accepted; the sender told whom to call
// there); the role matrix (each role tries every page and action); then every page
// each role can reach, checked with axe-core; the main pages saved as screenshots in
// test-artifacts/screenshots. On PostgreSQL (npm run test:postgres) only the journey runs: the role
// matrix and the accessibility of every page are the pages' own, whatever store is under them, and
// the two take a third of the PostgreSQL run's length on the CI machine.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DemoNode } from '../../node/demo/credentials.js';
import { startDemo, type RunningDemo } from '../_util/demo.js';
import { createTestNetwork } from '../_util/test-node.js';
import { onPostgres } from '../_util/database.js';
import { uiRoutes } from '../../admin-ui/routes.js';
import { accessibilityLog, launchChromium, newPerson, signInAs } from './harness.js';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../notifications/smtp.js';

let demo: RunningDemo;
let browser: Browser;
/** The mail server of the demo's nodes: the Austrian caseworker's notification e-mails arrive here. */
let smtp: TestSmtpServer;
const a11y = accessibilityLog();
const contexts: BrowserContext[] = [];
/** What the browser refused to load or run because of the pages' Content-Security-Policy. */
const policyViolations: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpServer();
  // Checkpoints every 3 s (not every minute), so that the auditors see them cosigned during the
  // test; notification e-mails looked for every 2 s.
  const mail = { REFERRAL_NODE_SMTP_URL: smtp.url, REFERRAL_NODE_MAIL_FROM: 'referrals@demo.example.org', REFERRAL_NODE_MAIL_SECONDS: '2' };
  [demo, browser] = await Promise.all([startDemo({ REFERRAL_NODE_CHECKPOINT_SECONDS: '3', ...mail }), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  demo?.kill();
  await smtp?.stop();
});

/** A person signed in at a demo node's web interface, as one of its three users. */
async function person(node: DemoNode, role: 'admin' | 'caseworker' | 'auditor', options: { phone?: boolean } = {}): Promise<Page> {
  const context = await newPerson(browser, options);
  contexts.push(context);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) policyViolations.push(`${page.url()}: ${message.text()}`);
  });
  await signInAs(page, node.url, node[role].username, node[role].password);
  return page;
}

/** The pages the crawl saves a screenshot of, the first time it sees them. */
const SCREENSHOT_OF: Record<string, string> = {
  '/ui/services': 'services',
  '/ui/directory': 'directory',
  '/ui/directory/services': 'directory-services',
  '/ui/consents': 'consents',
  '/ui/users': 'users',
  '/ui/settings': 'settings',
  '/ui/notifications': 'notifications',
  '/ui/peers/invitations': 'invitations',
};

/** Every page under /ui a person can reach by following links from the overview (GET only, downloads skipped). */
async function crawl(page: Page, baseUrl: string, name: string, limit = 60): Promise<string[]> {
  const seen = new Set<string>();
  const queue = ['/ui/overview'];
  while (queue.length > 0 && seen.size < limit) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    try {
      const response = await page.goto(`${baseUrl}${path}`);
      expect(response?.status(), `${name} ${path}`).toBeLessThan(400);
    } catch (error) {
      // A link to a download (an export, a consent form) starts one instead of showing a page.
      if (error instanceof Error && /Download is starting/.test(error.message)) continue;
      throw error;
    }
    await a11y.check(page, `${name} ${path}`, SCREENSHOT_OF[path]);
    for (const link of await page.locator('a[href^="/ui/"]').all()) {
      const target = ((await link.getAttribute('href')) ?? '').split('#')[0]!;
      // A notification's own link marks it read and leads to its referral or consent, which the crawl reaches anyway.
      if (/^\/ui\/notifications\/[0-9a-f-]{36}$/.test(target)) continue;
      if (target && !seen.has(target) && !queue.includes(target)) queue.push(target);
    }
  }
  return [...seen];
}

/** Reloads until `ready` finds what it waits for: deliveries between the nodes take a moment. */
async function reloadUntil(page: Page, ready: () => Promise<boolean>, what: string, withinMs = 30_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`Waited ${withinMs / 1000} s for ${what} at ${page.url()}`);
    await new Promise((done) => setTimeout(done, 300));
    await page.reload();
  }
}

/** Waits until the first element the locator finds is visible. */
const visible = (locator: Locator) => locator.first().waitFor({ state: 'visible', timeout: 15_000 });
const textWhenVisible = async (locator: Locator) => {
  await visible(locator);
  return (await locator.first().textContent()) ?? '';
};
/** Waits for a text on the page; if it never comes, fails with what the page said instead. */
async function sees(page: Page, text: string): Promise<void> {
  try {
    await visible(page.getByText(text));
  } catch {
    throw new Error(`${page.url()} never showed “${text}”; it showed: ${(await page.locator('main').textContent())?.replace(/\s+/g, ' ').slice(0, 2000)}`);
  }
}
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
/** The "new" mark of a referral's row in a list: changed since this user last opened it. */
const newMark = (page: Page, referralUrl: string) => page.locator('tr', { has: page.locator(`a[href="${referralUrl}"]`) }).locator('.badge.new');
const notice = (page: Page) => page.locator('p.notice');

describe('the journey of a referral from Athens to Vienna, in the browser', () => {
  // The woman's name, which must reach Vienna and must never reach a log or the audit log.
  const CANARY = 'Canary-Amira-7F3Q';
  let referralUrl = '';
  /** The Austrian caseworker's address at work, for her notification e-mails. */
  const KATHARINA = 'katharina.wagner@brueckenhaus.example.org';

  it('the Austrian caseworker asks to be told by e-mail as things happen', async () => {
    const vienna = demo.byKey('at');
    const austrian = await person(vienna, 'caseworker');
    await austrian.getByRole('link', { name: 'Settings', exact: true }).click();
    await austrian.getByRole('link', { name: 'Choose whether to get an e-mail about your notifications' }).click();
    await austrian.getByLabel('Your e-mail address at work').fill(KATHARINA);
    await austrian.getByLabel(/^As things happen/).check();
    await a11y.check(austrian, 'notification settings', 'notification-settings');
    await button(austrian, 'Save').click();
    expect(await textWhenVisible(notice(austrian))).toContain('Your notification settings are saved.');
  }, 60_000);

  it('a Greek caseworker finds a service in Austria, captures her consent and sends the referral', async () => {
    const athens = demo.byKey('gr');
    const page = await person(athens, 'caseworker');
    await a11y.check(page, 'overview (caseworker)', 'overview');
    await page.getByRole('link', { name: 'New referral', exact: true }).click();
    await page.getByLabel('Vocational training and apprenticeships').check();
    await page.getByLabel('Routine').check();
    await page.getByLabel('Country of the service').selectOption({ label: 'Austria' });
    await page.getByLabel('Arabic', { exact: true }).check();
    await a11y.check(page, 'new referral: needs', 'new-referral-1-needs');
    await button(page, 'Find services').click();

    await visible(page.getByText('Why it fits:').first());
    await page.getByLabel('Vocational training in retail and care').check();
    await a11y.check(page, 'new referral: matches', 'new-referral-2-matches');
    await button(page, 'Continue with this service').click();

    await page.getByLabel(/^Identity/).check();
    await page.getByLabel(/^Contact/).check();
    await page.getByLabel(/^Her situation/).check();
    await page.getByLabel(/^In writing/).check();
    await page.getByLabel('Language in which you explained it').selectOption({ label: 'Arabic' });
    await page.getByLabel('I explained all this to her in a language she understands, and she agreed.').check();
    await a11y.check(page, 'new referral: consent', 'new-referral-3-consent');
    await button(page, 'Continue to the details').click();

    await page.getByLabel('Given name').fill(CANARY);
    await page.getByLabel('Family name').fill('K.');
    await page.getByLabel('Phone').fill('+30 690 000 0000');
    await page.getByLabel('Her situation, in short').fill('Wants to train for work in care; speaks Arabic and some English.');
    await page.getByLabel('Your note to the organisation: why this referral').fill('She asked for vocational training in Vienna, where her sister lives.');
    await a11y.check(page, 'new referral: details', 'new-referral-4-details');
    // The consent did not cover health, so the form does not offer it.
    expect(await page.getByLabel('What the service should know about her health').count()).toBe(0);
    await button(page, 'Check the referral').click();

    await visible(page.getByText(CANARY).first());
    await a11y.check(page, 'new referral: review', 'new-referral-5-review');
    await button(page, 'Send the referral').click();
    await page.waitForURL(/\/ui\/referrals\/[0-9a-f-]{36}/);
    referralUrl = new URL(page.url()).pathname;
    expect(await textWhenVisible(notice(page))).toContain('The referral was sent.');
    await a11y.check(page, 'referral just sent');
  }, 60_000);

  it('the Austrian caseworker is told by e-mail, signs in from its link, finds the referral by her name and takes it', async () => {
    const vienna = demo.byKey('at');
    // The e-mail: this node, what happened, how many, a link; nothing about her or the referral.
    const deadline = Date.now() + 60_000;
    let mail: ReceivedMail | undefined;
    while (!(mail = smtp.mails.find((m) => m.envelopeTo.includes(KATHARINA)))) {
      if (Date.now() > deadline) throw new Error(`No notification e-mail reached ${KATHARINA} within 60 s; the mail server received ${smtp.mails.length}.`);
      await new Promise((done) => setTimeout(done, 500));
    }
    expect(mail.subject).toBe('Brückenhaus Frauenberatung: new notifications (1)');
    for (const secret of [CANARY, 'K.', '+30 690', 'Ariadne', 'care', 'Vocational', referralUrl.split('/').pop()!]) {
      expect(`${mail.subject}\n${mail.text}`, secret).not.toContain(secret);
    }
    const link = /https?:\/\/\S+/.exec(mail.text)![0];
    expect(link).toBe(`${vienna.url}/ui/notifications`);

    // A browser without a session: the link leads to the sign-in, and from there to the notifications.
    const context = await newPerson(browser);
    contexts.push(context);
    const austrian = await context.newPage();
    await austrian.goto(link);
    await austrian.getByLabel('User name').fill(vienna.caseworker.username);
    await austrian.getByLabel('Password').fill(vienna.caseworker.password);
    await button(austrian, 'Sign in').click();
    await austrian.waitForURL(/\/ui\/notifications$/);
    await sees(austrian, 'A new referral was received.');
    await a11y.check(austrian, 'notifications', 'notifications');

    // The overview leads with what waits for her.
    await austrian.getByRole('link', { name: 'Overview', exact: true }).click();
    await visible(austrian.locator(`a[href="${referralUrl}"]`));
    await a11y.check(austrian, 'overview (waiting)', 'overview-waiting');

    // Found by her name, in another order and without capitals, while the name is stored encrypted.
    await austrian.getByRole('link', { name: 'Referrals', exact: true }).click();
    await a11y.check(austrian, 'inbox', 'referrals-inbox');
    await austrian.getByLabel('Her name, date of birth, phone or case reference').fill('amira canary');
    await button(austrian, 'Search').click();
    await visible(austrian.locator(`a[href="${referralUrl}"]`));
    await a11y.check(austrian, 'search results', 'search');
    await austrian.getByRole('link', { name: 'Referrals', exact: true }).click();
    expect(await newMark(austrian, referralUrl).count()).toBe(1);
    await austrian.getByLabel('Her name, date of birth, phone or case reference').fill('amira canary');
    await button(austrian, 'Search').click();
    await austrian.locator(`a[href="${referralUrl}"]`).first().click();
    await visible(austrian.getByText(CANARY).first());
    await button(austrian, 'Take it: I am responsible').click();
    await visible(notice(austrian));
    await sees(austrian, 'Responsible here now: You.');
    // Opened: no longer new in her list.
    await austrian.getByRole('link', { name: 'Referrals', exact: true }).click();
    await visible(austrian.locator(`a[href="${referralUrl}"]`));
    expect(await newMark(austrian, referralUrl).count()).toBe(0);
  }, 120_000);

  it('the Austrian caseworker asks for information, gets it, accepts and completes', async () => {
    const vienna = demo.byKey('at');
    const athens = demo.byKey('gr');
    const austrian = await person(vienna, 'caseworker');
    await austrian.goto(`${vienna.url}${referralUrl}`);
    await visible(austrian.getByText(CANARY).first());
    await austrian.getByLabel('Your questions').fill('Can she start in February? Does she need childcare during the course?');
    await button(austrian, 'Send the questions').click();
    expect(await textWhenVisible(notice(austrian))).toContain('Your questions were sent.');

    const greek = await person(athens, 'caseworker');
    await greek.goto(`${athens.url}${referralUrl}`);
    await reloadUntil(greek, async () => (await greek.getByLabel('Your answer').count()) > 0, 'the questions in Athens');
    await greek.getByLabel('Your answer').fill('Yes, February suits her. No childcare is needed.');
    await button(greek, 'Send the answer').click();
    expect(await textWhenVisible(notice(greek))).toContain('Your answer was sent.');

    await austrian.reload();
    await reloadUntil(austrian, async () => (await button(austrian, 'Accept the referral').count()) > 0, 'the answer in Vienna');
    await a11y.check(austrian, 'referral (received, answered)', 'referral-received');
    await button(austrian, 'Accept the referral').click();
    await visible(notice(austrian));

    // Athens learns whom to call: her name, her work contact and Vienna's case reference. The
    // acceptance is marked new in its list until the referral is opened.
    await greek.goto(`${athens.url}/ui/referrals?direction=outgoing`);
    await reloadUntil(greek, async () => (await newMark(greek, referralUrl).count()) > 0, 'the acceptance marked new in Athens');
    await greek.locator(`a[href="${referralUrl}"]`).first().click();
    await reloadUntil(greek, async () => (await greek.getByText('Katharina Wagner · +43 1 555 0107').count()) > 0, 'the Austrian caseworker named in Athens');
    await sees(greek, 'Accepted');
    await sees(greek, 'Responsible at Brückenhaus Frauenberatung');
    await visible(greek.getByText(/^AT-\d{4}-\d{4,}$/).first());
    await a11y.check(greek, 'referral (sent, accepted)', 'referral-accepted');
    await austrian.getByRole('combobox', { name: 'What happened' }).selectOption({ index: 1 });
    await button(austrian, 'Send the update').click();
    await visible(notice(austrian));
    await austrian.getByRole('combobox', { name: 'The outcome' }).selectOption({ label: 'Service completed' });
    await button(austrian, 'Complete the referral').click();
    await visible(notice(austrian));
    await visible(austrian.getByText('Completed', { exact: false }).first());
  }, 90_000);

  it('the Greek caseworker sees the outcome', async () => {
    const athens = demo.byKey('gr');
    const greek = await person(athens, 'caseworker');
    await greek.goto(`${athens.url}${referralUrl}`);
    await reloadUntil(greek, async () => (await greek.getByText('Completed: Service completed').count()) > 0, 'the outcome in Athens');
    await a11y.check(greek, 'referral (sent, completed)', 'referral-completed');
    // Printed for the paper file: the referral without the navigation, the forms and the buttons.
    await greek.emulateMedia({ media: 'print' });
    expect(await greek.locator('.main-nav').isVisible()).toBe(false);
    expect(await greek.locator('main form').first().isVisible()).toBe(false);
    expect(await greek.getByText('Completed: Service completed').first().isVisible()).toBe(true);
    await greek.emulateMedia({ media: 'screen' });
    expect(await greek.locator('.main-nav').isVisible()).toBe(true);
    await greek.goto(`${athens.url}/ui/referrals?direction=outgoing`);
    await a11y.check(greek, 'outbox', 'referrals-outbox');
  }, 60_000);

  it('an auditor at each node verifies its log, and the other\'s from its bundle', async () => {
    const athens = demo.byKey('gr');
    const vienna = demo.byKey('at');
    const bundles: Record<string, string> = {};
    for (const node of [athens, vienna]) {
      const auditor = await person(node, 'auditor');
      await auditor.getByRole('link', { name: 'Audit', exact: true }).click();
      await a11y.check(auditor, `audit log (${node.key})`, node.key === 'gr' ? 'audit-log' : undefined);
      await auditor.getByRole('link', { name: 'Checkpoints and cosignatures' }).click();
      await a11y.check(auditor, `checkpoints (${node.key})`, node.key === 'gr' ? 'audit-checkpoints' : undefined);
      await auditor.getByRole('link', { name: 'Verify a log' }).click();
      // The node signs a checkpoint every few seconds and its peers cosign it: one signed a moment
      // ago may not be cosigned yet, and until it is the report rightly says "not yet witnessed".
      const verifyPage = auditor.url();
      const deadline = Date.now() + 30_000;
      for (;;) {
        await button(auditor, 'Verify this node’s log').click();
        if ((await auditor.getByText('Verified: the log is intact and every rule holds.').count()) > 0 || Date.now() > deadline) break;
        await new Promise((done) => setTimeout(done, 1000));
        await auditor.goto(verifyPage);
      }
      await sees(auditor, 'Verified: the log is intact and every rule holds.');
      await a11y.check(auditor, `verification report (${node.key})`, node.key === 'gr' ? 'audit-verification' : undefined);
      const [download] = await Promise.all([auditor.waitForEvent('download'), auditor.getByRole('link', { name: 'Download the audit bundle' }).click()]);
      bundles[node.key] = (await download.path())!;
    }
    for (const [node, other] of [[athens, vienna], [vienna, athens]] as const) {
      const auditor = await person(node, 'auditor');
      await auditor.goto(`${node.url}/ui/audit/verify`);
      await auditor.getByLabel('Audit bundle file').setInputFiles(bundles[other.key]!);
      await auditor.getByLabel('Signing key fingerprint the organisation told you (optional)').fill(other.fingerprint);
      await button(auditor, 'Verify the uploaded log').click();
      await sees(auditor, 'Verified: the log is intact and every rule holds.');
      await visible(auditor.getByText(other.url).first());
    }
  }, 90_000);

  it('an administrator suspends and restores a peer', async () => {
    const athens = demo.byKey('gr');
    const admin = await person(athens, 'admin');
    await admin.getByRole('link', { name: 'Peers', exact: true }).click();
    await a11y.check(admin, 'peers', 'peers');
    await admin.getByRole('link', { name: 'Brückenhaus Frauenberatung' }).first().click();
    await button(admin, 'Suspend').click();
    expect(await textWhenVisible(notice(admin))).toContain('The peer is suspended.');
    await visible(admin.getByText('Suspended', { exact: true }).first());
    await a11y.check(admin, 'peer (suspended)', 'peer-suspended');
    await button(admin, 'Restore').click();
    expect(await textWhenVisible(notice(admin))).toContain('The peer is trusted again.');
    await visible(admin.getByText('Trusted', { exact: true }).first());
  }, 60_000);

  it('never wrote her name to a log or the audit log of either node', async () => {
    for (const key of ['gr', 'at']) {
      const node = demo.byKey(key);
      const auditor = await person(node, 'auditor');
      const [download] = await Promise.all([auditor.waitForEvent('download'), auditor.goto(`${node.url}/ui/audit/export`).catch(() => null)]);
      expect(readFileSync((await download.path())!, 'utf8')).not.toContain(CANARY);
    }
    expect(demo.output()).not.toContain(CANARY);
  }, 30_000);
});

describe.skipIf(onPostgres)('the role matrix, in the browser', () => {
  it('lets each role open and use only the pages and actions it is for', async () => {
    // The pages and actions the interface registers, with their roles (read from an in-process node).
    const net = await createTestNetwork(1);
    const routes = uiRoutes(net.nodes[0]!.ctx, () => {}).pages.routes;
    await net.close();
    const vienna = demo.byKey('at');
    const concrete = (path: string) => `${vienna.url}/ui${path.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000')}`;
    for (const role of ['admin', 'caseworker', 'auditor'] as const) {
      const page = await person(vienna, role);
      const csrf = (await page.locator('input[name="_csrf"]').first().getAttribute('value')) ?? '';
      for (const route of routes) {
        const allowed = route.roles.includes(role);
        const where = `${role} ${route.method} ${route.path}`;
        if (route.method === 'GET') {
          try {
            const response = await page.goto(concrete(route.path));
            expect(response?.status() === 403, where).toBe(!allowed);
            expect(response?.status(), where).toBeLessThan(500);
            if (!allowed) expect(await page.locator('main').textContent(), where).toContain('does not allow this page or action');
          } catch (error) {
            // An allowed download (an export) starts instead of showing a page.
            if (!(allowed && error instanceof Error && /Download is starting/.test(error.message))) throw error;
          }
        } else {
          // The form a person would send, with the session's token, from this browser's cookies.
          const response = await page.request.post(concrete(route.path), { form: { _csrf: csrf }, maxRedirects: 0 });
          expect(response.status() === 403, where).toBe(!allowed);
          expect(response.status(), where).toBeLessThan(500);
          expect(response.headers().location, where).not.toBe('/ui/login');
        }
      }
    }
  }, 120_000);
});

describe.skipIf(onPostgres)('every page, in the browser', () => {
  it('has no serious or critical accessibility violation, for any role, on a desk and on a phone', async () => {
    const vienna = demo.byKey('at');
    const signIn = await (await newPerson(browser)).newPage();
    await signIn.goto(`${vienna.url}/ui/login?lang=de`);
    await a11y.check(signIn, 'sign-in', 'sign-in');
    await signIn.goto(`${vienna.url}/ui/no-such-page`);
    await a11y.check(signIn, 'not found');
    const reached: Record<string, string[]> = {};
    for (const role of ['admin', 'caseworker', 'auditor'] as const) {
      reached[role] = await crawl(await person(vienna, role), vienna.url, role);
    }
    const phone = await person(vienna, 'caseworker', { phone: true });
    await phone.goto(`${vienna.url}/ui/overview`);
    await a11y.check(phone, 'overview on a phone', 'overview-phone');
    // The same page in Greek, chosen with the switcher; then back, as the demo's caseworker had it.
    await phone.getByLabel('Language').selectOption('el');
    await phone.getByRole('button', { name: 'Change', exact: true }).click();
    await visible(phone.getByText('Επισκόπηση'));
    await a11y.check(phone, 'overview on a phone, in Greek', 'overview-phone-el');
    await phone.getByLabel('Γλώσσα').selectOption('en');
    await phone.locator('form[action="/ui/language"] button').click();
    expect(reached.admin!.length).toBeGreaterThan(reached.auditor!.length);
    expect(a11y.findings).toEqual([]);
    // The one stylesheet applies under the pages' policy, and nothing they load is refused by it.
    expect(await phone.evaluate<string>("getComputedStyle(document.querySelector('.skip')).position")).toBe('absolute');
    expect(policyViolations).toEqual([]);
  }, 480_000); // every page for every role, twice (desk and phone): two minutes alone, more on a busy machine
});
