// A referral's pages in the web interface, on two nodes: the Austrian caseworker finds a referral
// from Greece in her inbox, filters it, opens it (the audit log says so), asks for information;
// the Greek caseworker answers in her own interface; Austria accepts, reports progress and
// completes; Greece sees the outcome. A refused form and an action the state does not allow say
// why and change nothing; the sender can withdraw; a refused message can be tried again; her
// name never reaches a log.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestNetwork, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { noticeLeft, signedInAs, textOf, tokenIn, type UiBrowser } from '../_util/ui-browser.js';

const CANARY = `CANARY-${randomUUID()}`;

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let greek: UiBrowser;
let austrian: UiBrowser;
let referralId: string;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  const sent = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id, {
    client: {
      identity: { given_name: CANARY, nationality: 'SY' },
      situation: { summary: 'Lives in a shelter in Athens; ready to move in spring.' },
    },
  }));
  expect(sent.status).toBe(201);
  referralId = sent.body.id;
  await net.settle();
  greek = await signedInAs(gr, 'caseworker', net.clock.now(), 'eleni');
  austrian = await signedInAs(at, 'caseworker', net.clock.now(), 'anna');
});
afterAll(() => net.close());

const page = async (b: UiBrowser, path: string) => {
  const response = await b.go(path);
  expect(response.status, path).toBe(200);
  return textOf(await response.text());
};

/** Posts an action's form with a token read beforehand, so that only the action itself can change anything. */
async function post(b: UiBrowser, path: string, fields: Record<string, string>): Promise<Response> {
  const csrf = tokenIn(await b.html('/ui/overview'));
  return b.go(path, { form: { _csrf: csrf, ...fields } });
}

/** Every table but the sessions (using one moves its last-seen time). */
async function state(node: TestNode) {
  const all = await snapshot(node);
  delete all.ui_sessions;
  return all;
}

const stateOf = async (node: TestNode, id: string) =>
  (await node.ctx.database.db.selectFrom('referrals').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

describe('the referrals inbox and outbox', () => {
  it('shows the received referral in the inbox, with its organisation, needs, state and urgency', async () => {
    const html = await austrian.html('/ui/referrals');
    expect(html).toContain(`href="/ui/referrals/${referralId}"`);
    const text = textOf(html);
    expect(text).toContain('Test organisation GR');
    expect(text).toContain('Vocational training');
    expect(text).toContain('Delivered');
    expect(text).toContain('Routine');
    expect(text).not.toContain(CANARY);
  });

  it('filters by state, by organisation and by what waits for me, with a form that keeps its choices', async () => {
    expect(await page(austrian, '/ui/referrals?direction=incoming&state=accepted')).toContain('No received referral matches this.');
    expect(await austrian.html('/ui/referrals?direction=incoming&state=delivered')).toContain(referralId);
    expect(await austrian.html(`/ui/referrals?direction=incoming&peer=${encodeURIComponent(gr.id)}`)).toContain(referralId);
    const mine = await austrian.html('/ui/referrals?direction=incoming&needs_action=true');
    expect(mine).toContain(referralId);
    expect(mine).toMatch(/id="filter-mine" name="needs_action" value="true" checked/);
    expect(await page(austrian, '/ui/referrals?direction=outgoing')).toContain('No sent referral matches this.');
    // Values that are not filters are left out rather than refused.
    expect(await austrian.html('/ui/referrals?state=nonsense&peer=nobody&cursor=%%%')).toContain(referralId);
  });

  it('answers an unknown or malformed referral address with a page that says so', async () => {
    for (const path of [`/ui/referrals/${randomUUID()}`, '/ui/referrals/not-a-uuid']) {
      const response = await austrian.go(path);
      expect(response.status, path).toBe(404);
      expect(textOf(await response.text())).toContain('There is no referral at this address on this node.');
    }
  });
});

describe('a referral from Greece to Austria, through both interfaces', () => {
  it('opens the referral with her data, the consent, the timeline and only the actions its state allows; the audit log says who opened it', async () => {
    const text = await page(austrian, `/ui/referrals/${referralId}`);
    expect(text).toContain('Referral from Test organisation GR');
    expect(text).toContain(CANARY);
    expect(text).toContain('She wants to train as a pastry cook');
    expect(text).toContain('Spoken, with an interpreter');
    // Languages by their names in the reader's language, not by their codes.
    expect(text).toContain('Language she was informed in Arabic');
    expect(text).toContain('Giving the service');
    expect(text).toContain('Referral sent');
    for (const button of ['Accept the referral', 'Send the questions', 'Decline the referral']) expect(text).toContain(button);
    for (const button of ['Complete the referral', 'Send the update', 'Withdraw the referral', 'Send the answer ']) expect(text).not.toContain(button);
    // Her consent does not allow referring her on: the page says so instead of offering it.
    expect(text).toContain('Her consent does not allow referring her on to another organisation.');
    const opened = await at.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'referral.opened').execute();
    expect(opened.map((r) => JSON.parse(r.entry))).toContainEqual(expect.objectContaining({ referral_id: referralId, actor: expect.objectContaining({ kind: 'user' }) }));
  });

  it("names, in the timeline, the colleague who sent the referral by their user name", async () => {
    const html = await greek.html(`/ui/referrals/${referralId}`);
    const timeline = textOf(/<section aria-labelledby="timeline">.*?<\/section>/s.exec(html)![0]);
    expect(timeline).toMatch(/\badmin\b/);
  });

  it('refuses to decline without a reason, says which field is missing and changes nothing', async () => {
    const csrf = tokenIn(await austrian.html('/ui/overview'));
    const before = await state(at);
    const response = await austrian.go(`/ui/referrals/${referralId}/decline`, { form: { _csrf: csrf, reason: '', note: 'No.' } });
    expect(response.status).toBe(422);
    const text = textOf(await response.text());
    expect(text).toContain('Please fill in “Why you decline”.');
    expect(text).not.toContain(CANARY);
    expect(await state(at)).toEqual(before);
  });

  it('refuses an action the state does not allow (complete before accept) with the sentence, changing nothing', async () => {
    const csrf = tokenIn(await austrian.html('/ui/overview'));
    const before = await state(at);
    const response = await austrian.go(`/ui/referrals/${referralId}/complete`, { form: { _csrf: csrf, outcome: 'service-completed' } });
    expect(response.status).toBe(409);
    expect(textOf(await response.text())).toContain('The referral’s state does not allow this now.');
    expect(await state(at)).toEqual(before);
  });

  it('refuses a code that is not one of the options, changing nothing', async () => {
    const csrf = tokenIn(await austrian.html('/ui/overview'));
    const before = await state(at);
    const response = await austrian.go(`/ui/referrals/${referralId}/decline`, { form: { _csrf: csrf, reason: 'bored' } });
    expect(response.status).toBe(422);
    expect(textOf(await response.text())).toContain('Please choose one of the options for “Why you decline”.');
    expect(await state(at)).toEqual(before);
  });

  it('lets Austria ask for information, and Greece see the question and answer it', async () => {
    const asked = await post(austrian, `/ui/referrals/${referralId}/info-request`, { questions: 'Does she have a work permit?' });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe(`/ui/referrals/${referralId}`);
    expect(noticeLeft(asked)).toBe('refNoticeInfoRequest');
    const after = await page(austrian, asked.headers.get('location')!);
    expect(after).toContain('Your questions were sent.');
    expect(after).toContain('Information requested');
    expect(after).not.toContain('Accept the referral');
    await net.settle();

    const outbox = await page(greek, '/ui/referrals?direction=outgoing&needs_action=true');
    expect(outbox).toContain('Test organisation AT');
    expect(outbox).toContain('Information requested');
    const detail = await page(greek, `/ui/referrals/${referralId}`);
    expect(detail).toContain('Referral to Test organisation AT');
    expect(detail).toContain('Does she have a work permit?');
    expect(detail).toContain('Send the answer');
    expect(detail).toContain('Withdraw the referral');
    expect(detail).not.toContain('Accept the referral');

    // Further details only within her consent (identity and situation): the form offers no health
    // field, and one sent all the same is refused, changing nothing.
    expect(detail).toContain('Her situation');
    expect(detail).not.toContain('Health');
    const csrf = tokenIn(await greek.html('/ui/overview'));
    const before = await state(gr);
    const outside = await greek.go(`/ui/referrals/${referralId}/info-response`, { form: { _csrf: csrf, answer: 'Yes.', 'client.health.note': 'Asthma.' } });
    expect(outside.status).toBe(422);
    expect(textOf(await outside.text())).toContain('The consent does not cover this.');
    expect(await state(gr)).toEqual(before);

    const answered = await post(greek, `/ui/referrals/${referralId}/info-response`, { answer: 'Yes, until 2027.', 'client.situation.summary': 'Moved to a flat in Piraeus.' });
    expect(answered.status).toBe(303);
    const disclosed = await gr.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'data.disclosed').execute();
    expect(disclosed.map((r) => JSON.parse(r.entry))).toContainEqual(expect.objectContaining({ message: 'referral.info-response', categories: ['situation'] }));
    await net.settle();
    const back = await page(austrian, `/ui/referrals/${referralId}`);
    expect(back).toContain('Yes, until 2027.');
    expect(back).toContain('Moved to a flat in Piraeus.');
    expect(back).toContain('Accept the referral');
  });

  it('lets Austria accept, report progress and complete, each with a notice', async () => {
    const steps: Array<[string, Record<string, string>, string, string]> = [
      ['accept', { note: 'We have a place from Monday.' }, 'You accepted the referral.', 'Accepted'],
      ['update', { status: 'first-contact-made', note: 'We met her.' }, 'Your update was sent.', 'In progress'],
      ['complete', { outcome: 'service-completed', note: '' }, 'The referral is completed.', 'Completed'],
    ];
    for (const [action, fields, notice, shown] of steps) {
      const response = await post(austrian, `/ui/referrals/${referralId}/${action}`, fields);
      expect(response.status, action).toBe(303);
      const text = await page(austrian, response.headers.get('location')!);
      expect(text).toContain(notice);
      expect(text).toContain(shown);
    }
    expect(await stateOf(at, referralId)).toBe('completed');
    const done = await page(austrian, `/ui/referrals/${referralId}`);
    expect(done).toContain('Nothing can be done on this referral in its current state.');
    expect(done).toContain('Progress reported: First contact made');
    expect(done).toMatch(/You .*Accepted/);
    await net.settle();
  });

  it('shows Greece the outcome in its outbox and on the referral', async () => {
    const outbox = await page(greek, '/ui/referrals?direction=outgoing&state=completed');
    expect(outbox).toContain('Test organisation AT');
    const detail = await page(greek, `/ui/referrals/${referralId}`);
    expect(detail).toContain('Completed: Service completed');
    expect(detail).toContain('We met her.');
    expect(detail).toContain('Test organisation AT');
    expect(detail).toContain('Nothing can be done on this referral in its current state.');
  });
});

describe('withdrawing, delivery problems and personal data', () => {
  let second: string;

  beforeAll(async () => {
    second = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id;
    await net.settle();
  });

  it('lets the sender withdraw, with a reason, and the receiver see it', async () => {
    const refused = await post(greek, `/ui/referrals/${second}/withdraw`, { reason: '' });
    expect(refused.status).toBe(422);
    expect(textOf(await refused.text())).toContain('Please fill in “Why you withdraw it”.');
    const response = await post(greek, `/ui/referrals/${second}/withdraw`, { reason: 'need-met-elsewhere', note: 'She found a course in Athens.' });
    expect(response.status).toBe(303);
    expect(await page(greek, response.headers.get('location')!)).toContain('You withdrew the referral.');
    await net.settle();
    expect(await stateOf(at, second)).toBe('withdrawn');
    const text = await page(austrian, `/ui/referrals/${second}`);
    expect(text).toContain('Withdrawn: Her need was met elsewhere');
    expect(text).toContain('Nothing can be done on this referral in its current state.');
  });

  it('shows a refused message with a button that sends it again', async () => {
    const { db } = gr.ctx.database;
    const envelope = await db.selectFrom('envelopes').select('id').where('referral_id', '=', second).where('type', '=', 'referral.withdraw').executeTakeFirstOrThrow();
    await db.updateTable('envelopes').set({ delivery_state: 'failed', last_error: 'The peer refused the message.' }).where('id', '=', envelope.id).execute();
    const html = await greek.html(`/ui/referrals/${second}`);
    expect(html).toContain(`action="/ui/referrals/${second}/messages/${envelope.id}/retry"`);
    expect(textOf(html)).toContain('Refused by the other organisation');
    expect(textOf(html)).toContain('The peer refused the message.');
    const response = await post(greek, `/ui/referrals/${second}/messages/${envelope.id}/retry`, {});
    expect(response.status).toBe(303);
    expect(await page(greek, response.headers.get('location')!)).toContain('The message will be sent again.');
    // Queued again, or already delivered: the commit kicks the worker, which may be faster than this read.
    expect(['queued', 'delivered']).toContain((await db.selectFrom('envelopes').select('delivery_state').where('id', '=', envelope.id).executeTakeFirstOrThrow()).delivery_state);
    const again = await post(greek, `/ui/referrals/${second}/messages/${envelope.id}/retry`, {});
    expect(again.status).toBe(409);
    expect(textOf(await again.text())).toContain('The referral’s state does not allow this now.');
  });

  it('pages through a long outbox by number', async () => {
    for (let i = 0; i < 25; i++) await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
    const first = await greek.html('/ui/referrals?direction=outgoing');
    const next = /href="(\/ui\/referrals\?direction=outgoing&amp;page=2)"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const rest = await greek.html(next!.replace(/&amp;/g, '&'));
    const ids = (html: string) => [...html.matchAll(/href="\/ui\/referrals\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(ids(first)).toHaveLength(25);
    // 27 sent in all: two more on the second page, none shown twice.
    expect(ids(rest)).toHaveLength(2);
    expect(new Set([...ids(first), ...ids(rest)]).size).toBe(27);
    expect(textOf(rest)).toContain('Page 2 of 2');
    expect(textOf(rest)).toContain('Previous page');
    // A page past the last shows the last; a page that is no number, the first.
    expect(ids(await greek.html('/ui/referrals?direction=outgoing&page=99'))).toEqual(ids(rest));
    expect(ids(await greek.html('/ui/referrals?direction=outgoing&page=x'))).toEqual(ids(first));
  });

  it('never writes her name to a log or the audit log', async () => {
    for (const node of [gr, at]) {
      expect(node.logs()).not.toContain(CANARY);
      const entries = await node.ctx.database.db.selectFrom('audit_log').select('entry').execute();
      expect(entries.map((e) => e.entry).join('\n')).not.toContain(CANARY);
    }
  });
});

describe('inquiries, drafts and referring on', () => {
  let net3: TestNetwork;
  let el: TestNode;
  let au: TestNode;
  let third: TestNode;
  let elBrowser: UiBrowser;
  let auBrowser: UiBrowser;

  beforeAll(async () => {
    net3 = await createTestNetwork(3);
    [el, au, third] = net3.nodes as [TestNode, TestNode, TestNode];
    elBrowser = await signedInAs(el, 'caseworker', net3.clock.now());
    auBrowser = await signedInAs(au, 'admin', net3.clock.now());
  });
  afterAll(() => net3.close());

  it('lets the receiver answer an inquiry, and shows the sender how to go on', async () => {
    const inquiry = await api(el, 'POST', '/api/v1/inquiries', { to: au.id, needs: ['safe-housing'], urgency: 'urgent', profile: { age_group: 'adult', children: 1 } });
    expect(inquiry.status).toBe(201);
    await net3.settle();
    const received = await page(auBrowser, `/ui/referrals/${inquiry.body.id}`);
    expect(received).toContain('The inquiry');
    expect(received).toContain('Send the answer to the inquiry');
    expect(received).not.toContain('Accept the referral');
    const refused = await post(auBrowser, `/ui/referrals/${inquiry.body.id}/inquiry-answer`, { capacity: 'can-help', available_from: 'soon' });
    expect(refused.status).toBe(422);
    expect(textOf(await refused.text())).toContain('“Available from” must be a date.');
    const answered = await post(auBrowser, `/ui/referrals/${inquiry.body.id}/inquiry-answer`, { capacity: 'waiting-list', available_from: '2026-12-01', reason: '', note: 'Two weeks.' });
    expect(answered.status).toBe(303);
    await net3.settle();
    const sender = await page(elBrowser, `/ui/referrals/${inquiry.body.id}`);
    expect(sender).toContain('Inquiry answered: Waiting list');
    expect(sender).toContain('Make the referral');
    expect(sender).toContain('Withdraw the referral');
  });

  it('sends a draft from its page', async () => {
    const draft = await api(el, 'POST', '/api/v1/referrals', referralRequest(au.id, { draft: true }));
    const text = await page(elBrowser, `/ui/referrals/${draft.body.id}`);
    expect(text).toContain('Saved as a draft');
    const sent = await post(elBrowser, `/ui/referrals/${draft.body.id}/send`, {});
    expect(sent.status).toBe(303);
    expect(await page(elBrowser, sent.headers.get('location')!)).toContain('The referral was sent.');
    // Sent, or already delivered: the commit kicks the worker, which may be faster than this read.
    expect(['sent', 'delivered']).toContain(await stateOf(el, draft.body.id));
  });

  it('refers her on to a third organisation when her consent allows it, and tells the sender', async () => {
    const request = referralRequest(au.id);
    const sent = await api(el, 'POST', '/api/v1/referrals', { ...request, consent: { ...request.consent, onward_referral: { allowed: true } } });
    await net3.settle();
    const html = await auBrowser.html(`/ui/referrals/${sent.body.id}`);
    expect(html).toContain(`<option value="${third.id}">Test organisation IT</option>`);
    expect(html).not.toContain(`<option value="${el.id}">`);
    const missing = await post(auBrowser, `/ui/referrals/${sent.body.id}/refer-onward`, { to: third.id, reason: '' });
    expect(missing.status).toBe(422);
    expect(textOf(await missing.text())).toContain('Please fill in “Why she is referred on”.');
    const onward = await post(auBrowser, `/ui/referrals/${sent.body.id}/refer-onward`, { to: third.id, service_id: '', reason: 'They run the course she wants.', note: 'Passed on to Italy.' });
    expect(onward.status).toBe(303);
    expect(await page(auBrowser, onward.headers.get('location')!)).toContain('She was referred on.');
    await net3.settle();
    expect(await page(elBrowser, `/ui/referrals/${sent.body.id}`)).toContain('Referred on to Test organisation IT');
    const italy = await third.ctx.database.db.selectFrom('referrals').select(['state', 'direction']).execute();
    expect(italy).toEqual([{ state: 'delivered', direction: 'incoming' }]);
  });
});
