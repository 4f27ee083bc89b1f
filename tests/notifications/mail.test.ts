// Notification e-mails through a real SMTP server in this process (issue 18 item 4): per-user
// opt-in, immediate or daily, in her language; every message the server received is read, and
// none holds a canary of the referral (her name, needs, notes, the reason), an id, a case
// reference, the partner's name or another user's address. A mail server that is down blocks no
// change of state and loses nothing: the notifications stay queued and go once it is back, after a
// pause that grows. The settings page keeps the address out of the audit log and the logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_LANGUAGES, MAIL_TEXTS, composeMail } from '../../node/notifications/mail-texts.js';
import { NOTIFICATION_KINDS } from '../../node/notifications/kinds.js';
import {
  lastDigestSlot,
  notificationsLink,
  retryDelayMs,
  sendNotificationMails,
  smtpTransport,
  startNotificationMail,
  type MailTransport,
} from '../../node/notifications/mailer.js';
import { setUserLanguage } from '../../node/users/service.js';
import { api, createTestNetwork, referralRequest, sentReferral, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf, type UiBrowser } from '../_util/ui-browser.js';
import { startSmtpServer, waitUntil, type ReceivedMail, type TestSmtpServer } from './smtp.js';

const CANARY = {
  given: 'Canary-Given-Mariam-6620',
  family: 'Canary-Family-Haddad-1043',
  note: 'Canary-Note-afraid-of-the-trafficker-7781',
  reason: 'Canary-Reason-hairdressing-course-2290',
  summary: 'Canary-Summary-room-in-Kypseli-4417',
  answer: 'Canary-Answer-her-son-is-six-3302',
};
const ADDRESS = { anna: 'anna.berger@at-org.example', lena: 'lena.huber@at-org.example', otto: 'otto.off@at-org.example' } as const;
const FROM = 'referrals@at-org.example';
const PUBLIC_URL = 'https://referrals.at-org.example/';
const LINK = 'https://referrals.at-org.example/ui/notifications';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let smtp: TestSmtpServer;
let transport: MailTransport;
const ids = {} as Record<keyof typeof ADDRESS, string>;
const browsers = {} as Record<keyof typeof ADDRESS, UiBrowser>;
/** Every id and reference the node holds of the referrals sent in this test: none may reach a mail. */
const forbidden = new Set<string>();

const canaryRequest = (to: string) =>
  referralRequest(to, {
    reason: CANARY.reason,
    client: { identity: { given_name: CANARY.given, family_name: CANARY.family, nationality: 'SY' }, situation: { summary: CANARY.summary, languages_spoken: ['ar'] } },
  });

async function sendCanaryReferral(): Promise<string> {
  const { referralId, consentId } = await sentReferral(net, gr, at, canaryRequest(at.id));
  const held = (await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body;
  for (const value of [referralId, consentId, held.case_reference, held.consent_id, (await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.case_reference]) {
    if (typeof value === 'string') forbidden.add(value);
  }
  return referralId;
}

const act = async (node: TestNode, id: string, action: string, body: Json = {}) => {
  const { status } = await api(node, 'POST', `/api/v1/referrals/${id}/${action}`, body);
  expect(status, action).toBe(200);
  await net.settle();
};

const round = () => sendNotificationMails(at.ctx, transport, LINK);

/** Every mail ever received holds nothing of the referrals, and no address but its one recipient's. */
function expectNothingPersonal(mail: ReceivedMail): void {
  const everything = `${mail.raw}\n${mail.subject}\n${mail.text}\n${[...mail.headers.values()].join('\n')}`;
  for (const canary of Object.values(CANARY)) expect(everything).not.toContain(canary);
  for (const id of forbidden) expect(everything).not.toContain(id);
  // Not the partner organisation, not a need, not the client's nationality.
  expect(everything).not.toContain(gr.ctx.self.name);
  expect(everything).not.toContain('vocational-training');
  const [recipient] = mail.envelopeTo;
  expect(mail.envelopeTo).toHaveLength(1);
  for (const address of Object.values(ADDRESS)) if (address !== recipient) expect(everything).not.toContain(address);
  expect(mail.headers.get('to')).toBe(recipient);
  expect(mail.text).toContain(LINK);
  // One link, and no other address of the web.
  expect(mail.text.match(/https?:\/\/\S+/g)).toEqual([LINK]);
}

const mailsTo = (who: keyof typeof ADDRESS) => smtp.mails.filter((m) => m.envelopeTo.includes(ADDRESS[who]));

beforeAll(async () => {
  smtp = await startSmtpServer();
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  at.ctx.mail = { smtpUrl: smtp.url, from: FROM, publicUrl: PUBLIC_URL, everySeconds: 60 };
  transport = await smtpTransport(at.ctx.mail, at.ctx.self.name);
  for (const name of ['anna', 'lena', 'otto'] as const) {
    browsers[name] = await signedInAs(at, 'caseworker', net.clock.now(), name);
    ids[name] = (await at.ctx.database.db.selectFrom('users').select('id').where('username', '=', name).executeTakeFirstOrThrow()).id;
  }
  await setUserLanguage(at.ctx.database.db, ids.anna, 'de');
});
afterAll(async () => {
  transport?.close();
  await net?.close();
  await smtp?.stop();
});

describe('the settings of notification e-mails', () => {
  it('are off until she chooses, and say what the mails hold', async () => {
    const page = textOf(await browsers.lena.html('/ui/settings/notifications'));
    expect(page).toContain('It names no person, no need and no note');
    expect(page).not.toContain('This node sends no e-mail');
    expect(await browsers.lena.html('/ui/settings/notifications')).toMatch(/<input[^>]*value="off"[^>]*checked/);
    expect(textOf(await browsers.lena.html('/ui/settings'))).toContain('Choose whether to get an e-mail about your notifications');
  });

  it('refuse e-mail without an address, and an address that is not one, beside the field', async () => {
    const without = await browsers.lena.submit('/ui/settings/notifications', { email: '', mail: 'daily' }, '/ui/settings/notifications');
    expect(without.status).toBe(422);
    const page = await without.text();
    expect(textOf(page)).toContain('Give your e-mail address to get e-mails.');
    expect(page).toMatch(/id="notification-email"[^>]*aria-invalid="true"/);
    const wrong = await browsers.lena.submit('/ui/settings/notifications', { email: 'lena at work', mail: 'daily' }, '/ui/settings/notifications');
    expect(wrong.status).toBe(422);
    const wrongPage = await wrong.text();
    expect(textOf(wrongPage)).toContain('This is not an e-mail address');
    // What she typed is kept.
    expect(wrongPage).toContain('value="lena at work"');
    const injected = await browsers.lena.submit('/ui/settings/notifications', { email: 'lena@at-org.example\r\nBcc: x@evil.example', mail: 'daily' }, '/ui/settings/notifications');
    expect(injected.status).toBe(422);
  });

  it('keep each one\'s choice, in the audit log without the address', async () => {
    for (const [name, mail] of [['anna', 'immediate'], ['lena', 'daily'], ['otto', 'off']] as const) {
      const saved = await browsers[name].submit('/ui/settings/notifications', { email: ADDRESS[name], mail }, '/ui/settings/notifications');
      expect(saved.status, name).toBe(303);
    }
    expect(textOf(await browsers.lena.html('/ui/settings/notifications'))).toContain('Your notification settings are saved.');
    const entries = await at.ctx.database.db.selectFrom('audit_log').select(['type', 'entry']).where('type', '=', 'user.notifications-changed').execute();
    expect(entries).toHaveLength(3);
    expect(entries.map((e) => JSON.parse(e.entry) as Json).find((e) => e.user_id === ids.anna)).toMatchObject({ mail: 'immediate', address_changed: true });
    for (const { entry } of entries) for (const address of Object.values(ADDRESS)) expect(entry).not.toContain(address);
    const auditor = await signedInAs(at, 'auditor', net.clock.now());
    expect((await auditor.go('/ui/settings/notifications')).status).toBe(403);
    expect(textOf(await auditor.html('/ui/settings'))).not.toContain('Choose whether to get an e-mail');
  });

  it('say so when the node has no mail server', async () => {
    const settings = at.ctx.mail;
    at.ctx.mail = undefined;
    try {
      expect(textOf(await browsers.otto.html('/ui/settings/notifications'))).toContain('This node sends no e-mail');
    } finally {
      at.ctx.mail = settings;
    }
  });
});

describe('immediate e-mails', () => {
  it('tell her, in her language, of what is new: the node, the kinds, the counts and a link, nothing else', async () => {
    await sendCanaryReferral();
    expect(await round()).toEqual({ sent: 1, failed: 0 });
    const [mail] = mailsTo('anna');
    expect(smtp.mails).toHaveLength(1);
    expect(mail!.subject).toBe(`${at.ctx.self.name}: neue Benachrichtigungen (1)`);
    expect(mail!.text).toContain('- Neue Vermittlungen erhalten: 1');
    expect(mail!.headers.get('from')).toContain(FROM);
    expect(mail!.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail!.envelopeFrom).toBe(FROM);
    expectNothingPersonal(mail!);
    // Nothing new: no mail.
    expect(await round()).toEqual({ sent: 0, failed: 0 });
  });

  it('count what came since her last mail, leaving out what she has read already', async () => {
    const first = await sendCanaryReferral();
    const second = await sendCanaryReferral();
    await act(gr, first, 'withdraw', { reason: 'client-request' });
    // She read the second's in the interface before the mail went: not mailed.
    const row = await at.ctx.database.db.selectFrom('notifications').select('id').where('referral_id', '=', second).executeTakeFirstOrThrow();
    expect((await browsers.anna.go(`/ui/notifications/${row.id}`)).status).toBe(303);
    expect(await round()).toEqual({ sent: 1, failed: 0 });
    const mail = mailsTo('anna').at(-1)!;
    expect(mail.subject).toBe(`${at.ctx.self.name}: neue Benachrichtigungen (2)`);
    expect(mail.text).toContain('- Neue Vermittlungen erhalten: 1');
    expect(mail.text).toContain('- Zurückgezogene Vermittlungen: 1');
    expectNothingPersonal(mail);
  });

  it('send nothing to whoever chose no e-mail, nor to an auditor', async () => {
    expect(mailsTo('otto')).toEqual([]);
    expect(smtp.mails.every((m) => m.envelopeTo.length === 1)).toBe(true);
  });
});

describe('when the mail server is down', () => {
  it('changes nothing else: the referral is received, the notification stays queued, and goes once the server is back', async () => {
    const port = smtp.port;
    const received = smtp.mails.length;
    await smtp.stop();
    const referralId = await sendCanaryReferral();
    // The state change went through whatever the mail server does.
    expect((await api(at, 'GET', `/api/v1/referrals/${referralId}`)).body.state).toBe('delivered');
    expect(await round()).toEqual({ sent: 0, failed: 1 });
    const queued = await at.ctx.database.db.selectFrom('notification_preferences').select(['failures', 'retry_at']).where('user_id', '=', ids.anna).executeTakeFirstOrThrow();
    expect(queued.failures).toBe(1);
    expect(Date.parse(queued.retry_at!)).toBe(net.clock.now().getTime() + retryDelayMs(1));
    const mailed = await at.ctx.database.db.selectFrom('notification_mailings').select('notification_id').where('user_id', '=', ids.anna).execute();
    const notification = await at.ctx.database.db.selectFrom('notifications').select('id').where('referral_id', '=', referralId).executeTakeFirstOrThrow();
    expect(mailed.map((m) => m.notification_id)).not.toContain(notification.id);

    smtp = await startSmtpServer(port);
    // Backing off: not tried before its time.
    expect(await round()).toEqual({ sent: 0, failed: 0 });
    net.clock.advance(retryDelayMs(1));
    expect(await round()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.text).toContain('- Neue Vermittlungen erhalten: 1');
    expectNothingPersonal(smtp.mails[0]!);
    expect(received).toBeGreaterThan(0);
    const after = await at.ctx.database.db.selectFrom('notification_preferences').select(['failures', 'retry_at']).where('user_id', '=', ids.anna).executeTakeFirstOrThrow();
    expect(after).toEqual({ failures: 0, retry_at: null });
  });

  it('pauses longer after each failure, up to an hour', () => {
    expect([1, 2, 3, 4, 10].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000, 3_600_000]);
  });
});

describe('daily e-mails', () => {
  it('go once a day after the morning hour, with everything since the last, and not again that day', async () => {
    // Lena chose daily when the test began: nothing before the next morning.
    expect(mailsTo('lena')).toEqual([]);
    const now = net.clock.now();
    const nextMorning = lastDigestSlot(now).getTime() + 86_400_000;
    net.clock.advance(nextMorning - now.getTime() + 60_000);
    const before = smtp.mails.length;
    // Anna's address is refused by her mail server: Lena's mail still goes.
    smtp.refused.add(ADDRESS.anna);
    const referralId = await sendCanaryReferral();
    expect(await round()).toEqual({ sent: 1, failed: 1 });
    smtp.refused.delete(ADDRESS.anna);
    expect(smtp.mails.length).toBe(before + 1);
    const [digest] = mailsTo('lena');
    expect(digest!.subject).toBe(`${at.ctx.self.name}: the day’s notifications (6)`);
    expect(digest!.text).toContain('- New referrals received: 5');
    expect(digest!.text).toContain('- Referrals withdrawn: 1');
    expectNothingPersonal(digest!);
    // Later that day: nothing, though there is news.
    await act(gr, referralId, 'withdraw', { reason: 'client-request' });
    net.clock.advance(2 * 3_600_000);
    const more = await round();
    expect(more.sent).toBe(1); // Anna's, after her pause.
    expect(mailsTo('lena')).toHaveLength(1);
    // The next morning.
    net.clock.advance(24 * 3_600_000);
    await round();
    expect(mailsTo('lena')).toHaveLength(2);
    expect(mailsTo('lena')[1]!.text).toContain('- Referrals withdrawn: 1');
    for (const mail of smtp.mails) expectNothingPersonal(mail);
  });
});

describe('the mail job', () => {
  it('runs on its own timer in one process, and counts its mails in the metrics', async () => {
    const job = startNotificationMail(at.ctx, at.ctx.mail!, 100);
    try {
      const before = mailsTo('anna').length;
      await sendCanaryReferral();
      await waitUntil(() => mailsTo('anna').length > before, 30_000, 'the job\'s mail');
    } finally {
      await job.stop();
    }
    const metrics = await (await at.ctx.metrics.registry()).metrics();
    expect(metrics).toMatch(/^referral_node_notification_mails_total\{outcome="sent"\} \d+$/m);
    expect(metrics).toMatch(/^referral_node_notification_mails_total\{outcome="failed"\} [1-9]\d*$/m);
  });

  it('logs counts and ids, never an address or anything of the referral', () => {
    const logs = at.logs();
    expect(logs).toContain('notification e-mail sent');
    for (const address of [...Object.values(ADDRESS), FROM]) expect(logs).not.toContain(address);
    for (const canary of Object.values(CANARY)) expect(logs).not.toContain(canary);
  });
});

describe('the texts of the mails', () => {
  it('exist in the six languages, each its own, with no value left unfilled', () => {
    const counts = new Map(NOTIFICATION_KINDS.map((kind) => [kind, 2] as const));
    const english = composeMail('en', { nodeName: 'Node', daily: false, counts, link: LINK }, NOTIFICATION_KINDS);
    for (const language of MAIL_LANGUAGES) {
      for (const daily of [false, true]) {
        const mail = composeMail(language, { nodeName: 'Node', daily, counts, link: LINK }, NOTIFICATION_KINDS);
        expect(`${mail.subject}${mail.text}`).not.toMatch(/\{\w+\}/);
        expect(mail.text).toContain(LINK);
        expect(mail.subject).toContain(`(${2 * NOTIFICATION_KINDS.length})`);
        if (language !== 'en' && !daily) expect(mail.text).not.toBe(english.text);
      }
      expect(new Set(Object.values(MAIL_TEXTS[language].kinds)).size).toBe(NOTIFICATION_KINDS.length);
    }
  });

  it('link to the notifications page under the web interface\'s address', () => {
    expect(notificationsLink('https://x.example/refnet')).toBe('https://x.example/refnet/ui/notifications');
    expect(notificationsLink('https://x.example/')).toBe('https://x.example/ui/notifications');
  });
});
