// Notifications in the interface (issue 18 item 4): each kind is made by its cause, in the same
// transaction, for the right people only (the responsible caseworker, else every active
// administrator and caseworker; never an auditor, never whoever acted); the navigation counts the
// unread; a notification's link marks it read and leads to its referral or consent; "mark all as
// read"; opening a referral marks its notifications read; an erasure takes them away; the rows
// hold codes and ids, never a name, a need or a note.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseAfterRetention } from '../../node/consents/retention.js';
import { makeReminders } from '../../node/notifications/reminders.js';
import { createUser, setUserDisabled } from '../../node/users/service.js';
import { adminIdOf, api, createTestNetwork, referralRequest, sentReferral, snapshot, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, signIn, textOf, uiBrowser, type UiBrowser } from '../_util/ui-browser.js';
import type { Selectable } from 'kysely';
import type { NotificationsTable } from '../../node/db/schema.js';

const CANARY = {
  name: 'Canary-Name-Zuleika-4471',
  note: 'Canary-Note-needs-a-quiet-room-9920',
  reason: 'Canary-Reason-pastry-cook-3318',
  summary: 'Canary-Summary-shelter-Patission-5512',
};

let net: TestNetwork;
let gr: TestNode; // sends
let at: TestNode; // receives
type Person = 'anna' | 'lena' | 'audrey' | 'dora';
const people = {} as Record<Person, { id: string; password: string; readonly browser: UiBrowser }>;
let atAdmin: string;
let grAdmin: string;
let grColleague: { id: string; password: string; browser: UiBrowser };

const sessions = new Map<Person, { browser?: UiBrowser }>();

/** Every person of at signed in anew (the test clock moves by hours and days; sessions end after an hour without use). */
async function signInAgain(): Promise<void> {
  for (const [name, signedIn] of sessions) {
    const browser = uiBrowser(at);
    expect((await signIn(browser, name, people[name].password)).status).toBe(303);
    signedIn.browser = browser;
  }
}

const userId = async (node: TestNode, username: string) =>
  (await node.ctx.database.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;

type Row = Selectable<NotificationsTable>;

const rowsOf = async (node: TestNode): Promise<Row[]> => node.ctx.database.db.selectFrom('notifications').selectAll().orderBy('id').execute();

/** The kinds (and for whom) of a referral's notifications, in the order of the kinds' names: those of one moment of the test clock have no order of their own. */
const kindsFor = async (node: TestNode, referralId: string) =>
  (await rowsOf(node))
    .filter((r) => r.referral_id === referralId)
    .map((r) => [r.kind, r.user_id])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));

const canaryRequest = (to: string, overrides: Json = {}) =>
  referralRequest(to, {
    reason: CANARY.reason,
    client: { identity: { given_name: CANARY.name, nationality: 'SY' }, situation: { summary: CANARY.summary, languages_spoken: ['ar'] } },
    ...overrides,
  });

const UPDATE = { status: 'service-started', note: CANARY.note };

const act = async (node: TestNode, id: string, action: string, body: Json = {}) => {
  const { status, body: answer } = await api(node, 'POST', `/api/v1/referrals/${id}/${action}`, body);
  expect(status, `${action}: ${JSON.stringify(answer)}`).toBe(200);
  await net.settle();
};

/** The navigation's unread count as a person reads it ('' when none is shown). */
const navCount = async (browser: UiBrowser): Promise<string> => {
  const nav = /<nav aria-label="Main" class="main-nav">([\s\S]*?)<\/nav>/.exec(await browser.html('/ui/overview'))?.[1] ?? '';
  const link = /<a href="\/ui\/notifications"[^>]*>([\s\S]*?)<\/a>/.exec(nav)?.[1];
  return link === undefined ? 'no entry' : textOf(link).trim();
};

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  const now = net.clock.now();
  for (const [name, role] of [['anna', 'caseworker'], ['lena', 'caseworker'], ['audrey', 'auditor'], ['dora', 'caseworker']] as const) {
    const { user, password } = await createUser(at.ctx.database, { username: name, role }, now);
    const signedIn: { browser?: UiBrowser } = {};
    people[name] = {
      id: user.id,
      password,
      // Signed in again after the test clock moved past the session's hour without use.
      get browser() {
        return signedIn.browser!;
      },
    };
    sessions.set(name, signedIn);
  }
  await signInAgain();
  atAdmin = await adminIdOf(at);
  grAdmin = await adminIdOf(gr);
  const nikos = await createUser(gr.ctx.database, { username: 'nikos', role: 'caseworker' }, now);
  grColleague = { id: nikos.user.id, password: nikos.password, browser: uiBrowser(gr) };
  expect((await signIn(grColleague.browser, 'nikos', nikos.password)).status).toBe(303);
});
afterAll(() => net.close());

describe('notifications made by what happens to a referral', () => {
  let id: string;

  it('tells everyone who works on referrals of a referral received, not an auditor, and not the sender of her own action', async () => {
    ({ referralId: id } = await sentReferral(net, gr, at, canaryRequest(at.id)));
    expect(await kindsFor(at, id)).toEqual([['referral-received', null]]);
    // The sender made it: nothing at the sending node (the receipt is no notification either).
    expect(await kindsFor(gr, id)).toEqual([]);
    for (const name of ['anna', 'lena'] as const) expect(await navCount(people[name].browser)).toBe('Notifications 1 unread');
    expect(await navCount(people.audrey.browser)).toBe('no entry');
    expect((await people.audrey.browser.go('/ui/notifications')).status).toBe(403);
  });

  it('tells only the responsible caseworker once there is one, and never whoever acted', async () => {
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/assign`, { user_id: people.anna.id })).status).toBe(200);
    // at asks (its admin, by the API): gr's responsible caseworker, its admin who sent it, is told; at nobody.
    await act(at, id, 'info-request', { questions: `${CANARY.note}?` });
    expect(await kindsFor(gr, id)).toEqual([['information-requested', grAdmin]]);
    expect(await kindsFor(at, id)).toEqual([['referral-received', null]]);
    await act(gr, id, 'info-response', { answer: CANARY.note });
    expect(await kindsFor(at, id)).toEqual([['information-given', people.anna.id], ['referral-received', null]]);
    expect(await navCount(people.anna.browser)).toBe('Notifications 2 unread');
    expect(await navCount(people.lena.browser)).toBe('Notifications 1 unread');
    await act(at, id, 'accept');
    // A progress report tells nobody: the referral's page and the lists show it.
    await act(at, id, 'update', UPDATE);
    await act(at, id, 'complete', { outcome: 'service-completed', note: CANARY.note });
    expect((await kindsFor(gr, id)).map(([kind]) => kind)).toEqual(['accepted', 'completed', 'information-requested']);
    // The colleague at gr sees none of them: they are the admin's, who is responsible.
    expect(await navCount(grColleague.browser)).toBe('Notifications');
  });

  it('tells of a decline, a withdrawal and an inquiry and its answer', async () => {
    const declined = (await sentReferral(net, gr, at, canaryRequest(at.id))).referralId;
    await act(at, declined, 'decline', { reason: 'no-capacity', note: CANARY.note });
    expect((await kindsFor(gr, declined)).map(([kind]) => kind)).toEqual(['declined']);

    const withdrawn = (await sentReferral(net, gr, at, canaryRequest(at.id))).referralId;
    await act(gr, withdrawn, 'withdraw', { reason: 'client-request' });
    expect((await kindsFor(at, withdrawn)).map(([kind]) => kind)).toEqual(['referral-received', 'withdrawn']);

    const inquiry = await api(gr, 'POST', '/api/v1/inquiries', {
      to: at.id, needs: ['vocational-training'], urgency: 'routine', profile: { age_group: 'adult', languages: ['ar'], region: 'Vienna' },
    });
    expect(inquiry.status).toBe(201);
    await net.settle();
    expect(await kindsFor(at, inquiry.body.id)).toEqual([['inquiry-received', null]]);
    await act(at, inquiry.body.id, 'inquiry-answer', { capacity: 'can-help', note: CANARY.note });
    expect(await kindsFor(gr, inquiry.body.id)).toEqual([['inquiry-answered', grAdmin]]);
  });

  it('tells the team when the responsible caseworker\'s account is disabled', async () => {
    const referral = (await sentReferral(net, gr, at, canaryRequest(at.id))).referralId;
    expect((await api(at, 'POST', `/api/v1/referrals/${referral}/assign`, { user_id: people.dora.id })).status).toBe(200);
    await setUserDisabled(at.ctx.database, people.dora.id, true, net.clock.now(), { kind: 'user', id: atAdmin });
    sessions.delete('dora');
    await act(gr, referral, 'withdraw', { reason: 'client-request' });
    expect(await kindsFor(at, referral)).toEqual([['referral-received', null], ['withdrawn', null]]);
  });

  it('tells of a message refused for good, in the transaction that marks it failed', async () => {
    net.intercept = () =>
      new Response(JSON.stringify({ type: 'urn:refnet:problem:invalid-body', title: 'Invalid message body', status: 422 }), {
        status: 422,
        headers: { 'content-type': 'application/problem+json' },
      });
    let referral: string;
    try {
      const { status, body } = await api(gr, 'POST', '/api/v1/referrals', canaryRequest(at.id));
      expect(status).toBe(201);
      referral = body.id;
      await gr.delivery.deliverDueEnvelopes();
    } finally {
      net.intercept = undefined;
    }
    const failed = await gr.ctx.database.db.selectFrom('envelopes').select('delivery_state').where('referral_id', '=', referral).executeTakeFirstOrThrow();
    expect(failed.delivery_state).toBe('failed');
    expect(await kindsFor(gr, referral)).toEqual([['delivery-failed', grAdmin]]);
  });

  it('holds codes and ids only: no name, need, note or reason', async () => {
    for (const node of [gr, at]) {
      const stored = JSON.stringify(await rowsOf(node));
      for (const canary of Object.values(CANARY)) expect(stored).not.toContain(canary);
      expect(stored).not.toContain('vocational-training');
    }
  });
});

describe('reminders a periodic job makes', () => {
  it('tells once that an answer is due within a day, on both sides', async () => {
    const inHours = (hours: number) => new Date(net.clock.now().getTime() + hours * 3_600_000).toISOString();
    const soon = (await sentReferral(net, gr, at, canaryRequest(at.id, { reply_by: inHours(30) }))).referralId;
    expect(await makeReminders(at.ctx)).toBe(0);
    net.clock.advance(7 * 3_600_000);
    expect(await makeReminders(at.ctx)).toBe(1);
    expect(await makeReminders(gr.ctx)).toBe(1);
    // Made once, however often the job runs.
    expect(await makeReminders(at.ctx)).toBe(0);
    expect((await kindsFor(at, soon)).map(([kind]) => kind)).toEqual(['referral-received', 'reply-by-tomorrow']);
    expect(await kindsFor(gr, soon)).toEqual([['reply-by-tomorrow', grAdmin]]);
    // Answered meanwhile: no reminder any more for the next one.
    await act(at, soon, 'accept');
  });

  it('tells once that an erasure is not confirmed a day after it was asked, with a link to the consent', async () => {
    const { referralId, consentId } = await sentReferral(net, gr, at, canaryRequest(at.id));
    // Handed over at gr to Nikos: his to be told.
    expect((await api(gr, 'POST', `/api/v1/referrals/${referralId}/assign`, { user_id: grColleague.id })).status).toBe(200);
    net.unreachable.add(at.id);
    try {
      expect((await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, {})).status).toBe(200);
      await net.settle();
      expect(await makeReminders(gr.ctx)).toBe(0);
      net.clock.advance(25 * 3_600_000);
      expect(await makeReminders(gr.ctx)).toBe(1);
      expect(await makeReminders(gr.ctx)).toBe(0);
    } finally {
      net.unreachable.delete(at.id);
    }
    const [reminder] = (await rowsOf(gr)).filter((r) => r.kind === 'erasure-outstanding');
    expect(reminder).toMatchObject({ referral_id: referralId, consent_id: consentId, user_id: grColleague.id });
    const nikos = uiBrowser(gr);
    expect((await signIn(nikos, 'nikos', grColleague.password)).status).toBe(303);
    const opened = await nikos.go(`/ui/notifications/${reminder!.id}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(`/ui/consents/${consentId}`);
    // Another administrator is not the one responsible: it is not hers to open.
    const admin = await signedInAs(gr, 'admin', net.clock.now(), 'gradmin2');
    expect((await admin.go(`/ui/notifications/${reminder!.id}`)).status).toBe(404);
    await net.settle();
  });
});

describe('the list and its marks', () => {
  beforeAll(signInAgain);

  it('lists the notifications newest first, each a link that marks it read and leads to its referral', async () => {
    const anna = people.anna.browser;
    const before = await navCount(anna);
    const page = await anna.html('/ui/notifications');
    const text = textOf(page);
    expect(text).toContain('A new referral was received.');
    expect(text).toContain('The other organisation gave the information you asked for.');
    expect(text).not.toContain(CANARY.name);
    const times = [...page.matchAll(/<time datetime="([^"]+)"/g)].map((m) => m[1]!);
    expect(times.length).toBeGreaterThan(3);
    expect(times).toEqual([...times].sort().reverse());
    const mine = (await rowsOf(at)).filter((r) => r.user_id === people.anna.id && r.kind === 'information-given');
    expect(page).toContain(`href="/ui/notifications/${mine[0]!.id}"`);
    const opened = await anna.go(`/ui/notifications/${mine[0]!.id}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(`/ui/referrals/${mine[0]!.referral_id}`);
    const count = (label: string) => Number(/(\d+) unread/.exec(label)?.[1] ?? 0);
    expect(count(await navCount(anna))).toBe(count(before) - 1);
    // Again: nothing changes (a second visit, a reload).
    const again = await snapshot(at);
    expect((await anna.go(`/ui/notifications/${mine[0]!.id}`)).status).toBe(303);
    const after = await snapshot(at);
    delete again.ui_sessions;
    delete after.ui_sessions;
    expect(after).toEqual(again);
    // Lena's: another user's notification is unknown to her.
    expect((await people.lena.browser.go(`/ui/notifications/${mine[0]!.id}`)).status).toBe(404);
  });

  it('marks a referral\'s notifications read when its page is opened', async () => {
    const lena = people.lena.browser;
    const { referralId } = await sentReferral(net, gr, at, canaryRequest(at.id));
    const before = Number(/(\d+) unread/.exec(await navCount(lena))?.[1]);
    expect((await lena.go(`/ui/referrals/${referralId}`)).status).toBe(200);
    expect(Number(/(\d+) unread/.exec(await navCount(lena))?.[1] ?? 0)).toBe(before - 1);
  });

  it('marks all as read, for her only', async () => {
    const lena = people.lena.browser;
    const annaBefore = await navCount(people.anna.browser);
    const done = await lena.submit('/ui/notifications/read-all', {}, '/ui/notifications');
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/ui/notifications');
    expect(await navCount(lena)).toBe('Notifications');
    expect(textOf(await lena.html('/ui/notifications'))).toContain('Every notification is marked as read.');
    expect(await navCount(people.anna.browser)).toBe(annaBefore);
  });

  it('shows the page in her language', async () => {
    await people.anna.browser.submit('/ui/language', { language: 'de' });
    const text = textOf(await people.anna.browser.html('/ui/notifications'));
    expect(text).toContain('Eine neue Vermittlung ist eingegangen.');
    await people.anna.browser.submit('/ui/language', { language: 'en' });
  });
});

describe('an erasure', () => {
  it('takes the referral\'s notifications with it (a withdrawal), and tells that the consent was withdrawn', async () => {
    const { referralId, consentId } = await sentReferral(net, gr, at, canaryRequest(at.id));
    expect((await kindsFor(at, referralId)).map(([kind]) => kind)).toEqual(['referral-received']);
    const read = (await rowsOf(at)).find((r) => r.referral_id === referralId)!;
    await people.anna.browser.go(`/ui/notifications/${read.id}`);
    expect((await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, {})).status).toBe(200);
    await net.settle();
    expect((await kindsFor(at, referralId)).map(([kind]) => kind)).toEqual(['consent-withdrawn']);
    const marks = await at.ctx.database.db.selectFrom('notification_reads').select('notification_id').where('notification_id', '=', read.id).execute();
    expect(marks).toEqual([]);
  });

  it('takes them with it at the end of the retention period', async () => {
    const { referralId } = await sentReferral(net, gr, at, canaryRequest(at.id));
    await act(at, referralId, 'decline', { reason: 'no-capacity' });
    expect((await kindsFor(gr, referralId)).map(([kind]) => kind)).toEqual(['declined']);
    net.clock.advance(3 * 86_400_000);
    expect(await eraseAfterRetention(gr.ctx, 2)).toBeGreaterThan(0);
    expect(await kindsFor(gr, referralId)).toEqual([]);
  });
});
