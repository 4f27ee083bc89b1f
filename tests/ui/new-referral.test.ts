// The new-referral flow in the web interface: a Greek caseworker states the needs, sees the
// Austrian service with why it fits, records the woman's consent, fills in only the fields the
// consent covers, checks and sends; Austria receives it. Every step is a POST that checks again
// what it carries: a field the consent does not cover, a missing confirmation or a validity in the
// past are refused with a sentence and nothing is sent; her name never reaches a log, the audit
// log, an address or a table in plaintext.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncPeerDirectories } from '../../node/directory/sync.js';
import { MATCH_REASON_CODES, type MatchReasonCode, type MatchResult } from '../../node/directory/matching.js';
import { catalogues, LANGUAGES } from '../../admin-ui/i18n/catalogue.js';
import { sayReason } from '../../admin-ui/pages/new-referral/reasons.js';
import { listReferrals } from '../../node/referrals/service.js';
import { trainingService } from '../_util/services.js';
import { api, createTestNetwork, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { noticeLeft, signedInAs, textOf, tokenIn, type FormInput, type UiBrowser } from '../_util/ui-browser.js';
import { attribute, control, expectGroupMarked, expectGroupUnmarked, expectMarked, expectUnmarked } from '../_util/field-marks.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let b: UiBrowser;
let serviceId: string;

const CANARY = 'Zoraida-Canary-7f3e';

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  const created = await api(at, 'POST', '/api/v1/services', trainingService());
  expect(created.status).toBe(201);
  serviceId = created.body.id;
  await syncPeerDirectories(gr.ctx, { force: true });
  b = await signedInAs(gr, 'caseworker', net.clock.now());
});
afterAll(() => net.close());

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The hidden fields of a step's form (what the page carries to the next step), as a browser would send them. */
function carried(html: string): Record<string, string[]> {
  const form = /<form method="post" action="[^"]*" class="nr-form">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  const fields: Record<string, string[]> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) (fields[unescape(m[1]!)] ??= []).push(unescape(m[2]!));
  return fields;
}

/** Posts a step's form: what the page carries, and what the caseworker entered. */
async function next(action: string, page: string, entered: FormInput): Promise<{ status: number; html: string; response: Response }> {
  const response = await b.go(`/ui/referrals/new${action}`, { form: { ...carried(page), ...entered } });
  return { status: response.status, html: response.status === 303 ? '' : await response.text(), response };
}

const NEEDS = { need: ['vocational-training'], urgency: 'urgent', country: 'AT', speaks: ['ar', 'en'] };
/** The day `days` from today (the test clock starts this hour), as a date field writes it. */
const dayFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const VALID_UNTIL = dayFromNow(100);

const CONSENT = {
  category: ['identity', 'situation'], purpose: ['referral', 'service-provision'], method: 'verbal-with-interpreter',
  consent_language: 'ar', valid_until: VALID_UNTIL, onward: 'no', explained: 'yes',
};
const DETAILS = {
  'identity.given_name': CANARY, 'identity.nationality': 'SY',
  'situation.summary': 'Lives in a shelter in Athens; ready to move in spring.', 'situation.languages_spoken': ['ar', 'en'],
  reason: 'She wants to train as a pastry cook and needs German at A2 first.',
};

/** Goes through the steps up to the review page. */
async function upToReview(): Promise<string> {
  const needs = await b.html('/ui/referrals/new');
  const matches = await next('/match', needs, { _csrf: tokenIn(needs), ...NEEDS });
  const choice = /name="choice" id="choice-0" value="([^"]+)"/.exec(matches.html)![1]!;
  const consent = await next('/consent', matches.html, { choice });
  const details = await next('/details', consent.html, CONSENT);
  const review = await next('/review', details.html, DETAILS);
  expect(review.status).toBe(200);
  return review.html;
}

/** Every row of every table as text, blobs as the bytes read as text. */
const everything = async (node: TestNode) =>
  JSON.stringify(await snapshot(node), (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
const withoutSessions = (s: Record<string, unknown[]>) => ({ ...s, ui_sessions: [] });

describe('a new referral from the web interface', () => {
  it('takes the caseworker from her needs to a sent referral that Austria receives', async () => {
    const needs = await b.html('/ui/referrals/new');
    const needsText = textOf(needs);
    expect(needsText).toContain('Step 1 of 5: Needs');
    expect(needsText).toContain('What she needs');
    expect(needsText).toContain('Legal aid: asylum');
    expect(needs).toContain('<option value="AT">Austria</option>');
    expect(needs).not.toContain('method="get"');

    const matches = await next('/match', needs, { _csrf: tokenIn(needs), ...NEEDS });
    expect(matches.status).toBe(200);
    const text = textOf(matches.html);
    expect(text).toContain('Step 2 of 5: Service');
    expect(text).toContain('Vocational training in retail and care');
    expect(text).toContain('Test organisation AT, Austria');
    expect(text).toContain('Why it fits: Offers Vocational training and apprenticeships. Works in Austria. Works in Arabic and English. Free places: 3.');
    expect(text).toContain('Free places: 3 of 12');
    const choice = /name="choice" id="choice-0" value="([^"]+)"/.exec(matches.html)![1]!;
    expect(choice).toBe(`${at.id} ${serviceId}`);

    const consent = await next('/consent', matches.html, { choice });
    expect(consent.status).toBe(200);
    expect(textOf(consent.html)).toContain('Step 3 of 5: Consent');
    expect(textOf(consent.html)).toContain('May Test organisation AT refer her on to another organisation?');
    expect(consent.html).toContain(`value="${dayFromNow(180)}"`); // 180 days from the test clock's day

    const details = await next('/details', consent.html, CONSENT);
    expect(details.status).toBe(200);
    expect(details.html).toContain('name="identity.given_name"');
    expect(details.html).toContain('name="situation.summary"');
    // Only the fields her consent covers are offered.
    for (const name of ['contact.phone', 'contact.email', 'legal_status.status', 'health.note', 'children.count', 'documents.held']) expect(details.html).not.toContain(`name="${name}"`);

    const review = await next('/review', details.html, DETAILS);
    expect(review.status).toBe(200);
    const reviewText = textOf(review.html);
    expect(reviewText).toContain('Step 5 of 5: Check and send');
    expect(reviewText).toContain(`Given name ${CANARY}`);
    expect(reviewText).toContain('Nationality Syria');
    expect(reviewText).toContain('Data she agrees to share Identity, Her situation');
    for (const button of ['Change the needs', 'Change the service', 'Change the consent', 'Change the details', 'Send the referral', 'Save as draft']) expect(reviewText).toContain(button);

    const sent = await next('/send', review.html, {});
    expect(sent.status).toBe(303);
    const location = sent.response.headers.get('location')!;
    expect(location).toMatch(/^\/ui\/referrals\/[0-9a-f-]{36}$/);
    expect(noticeLeft(sent.response)).toBe('nrSent');
    const id = location.slice('/ui/referrals/'.length);

    await net.settle();
    const received = (await listReferrals(at.ctx, { direction: 'incoming', limit: 50 })).items;
    expect(received.map((r) => [r.id, r.state, r.urgency])).toEqual([[id, 'delivered', 'urgent']]);
    const { content } = (await api(at, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(content.client).toEqual({
      identity: { given_name: CANARY, nationality: 'SY' },
      situation: { summary: 'Lives in a shelter in Athens; ready to move in spring.', languages_spoken: ['ar', 'en'] },
    });
    expect(content.service_id).toBe(serviceId);
    // At the receiver, her nationality and languages by name, in the reader's language.
    const receiving = textOf(await (await signedInAs(at, 'caseworker', net.clock.now())).html(`/ui/referrals/${id}`));
    expect(receiving).toContain('Nationality Syria');
    expect(receiving).toMatch(/Arabic, English/);
    expect(content.consent).toMatchObject({ categories: ['identity', 'situation'], purposes: ['referral', 'service-provision'], method: 'verbal-with-interpreter', language: 'ar', valid_until: `${VALID_UNTIL}T23:59:59.000Z`, onward_referral: { allowed: false } });
  });

  it('refuses a field the consent does not cover, sent anyway, and sends nothing', async () => {
    const review = await upToReview();
    const before = withoutSessions(await snapshot(gr));
    const tampered = await next('/send', review, { 'contact.phone': '+30 690 000 0000' });
    expect(tampered.status).toBe(422);
    expect(textOf(tampered.html)).toContain('Her consent does not cover “Phone”. Nothing was sent.');
    expect(tampered.html).not.toContain('+30 690 000 0000');
    const unknown = await next('/send', review, { 'identity.passport_number': 'X123' });
    expect(textOf(unknown.html)).toContain('The form held a field this page does not offer. Nothing was sent.');
    expect(withoutSessions(await snapshot(gr))).toEqual(before);
  });

  it('refuses the consent without the caseworker\'s confirmation, at its step and at sending', async () => {
    const review = await upToReview();
    const carriedFields = carried(review);
    const consentPage = await next('/details', review, { ...CONSENT, explained: [] });
    expect(consentPage.status).toBe(422);
    expect(textOf(consentPage.html)).toContain('Step 3 of 5: Consent');
    expect(textOf(consentPage.html)).toContain('Please confirm that you explained the consent to her in a language she understands.');
    const before = withoutSessions(await snapshot(gr));
    delete carriedFields.explained;
    const response = await b.go('/ui/referrals/new/send', { form: carriedFields });
    expect(response.status).toBe(422);
    expect(textOf(await response.text())).toContain('Please confirm that you explained the consent');
    expect(withoutSessions(await snapshot(gr))).toEqual(before);
  });

  it('refuses a consent valid until a day that is not in the future', async () => {
    const review = await upToReview();
    const dayAt = (offsetDays: number) => new Date(net.clock.now().getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    // Three days ago, and today (by the node's clock).
    for (const day of [dayAt(-3), dayAt(0)]) {
      const refused = await next('/send', review, { valid_until: day });
      expect(refused.status).toBe(422);
      expect(textOf(refused.html)).toContain('“Valid until” must be a day after today.');
    }
    const notADay = await next('/details', review, { ...CONSENT, valid_until: '2027-02-30' });
    expect(textOf(notADay.html)).toContain('Please enter “Valid until” as a date.');
  });

  it('refuses a service that is not among the matches for these needs', async () => {
    const review = await upToReview();
    const refused = await next('/consent', review, { choice: `${at.id} 00000000-0000-4000-8000-000000000000` });
    expect(refused.status).toBe(422);
    expect(textOf(refused.html)).toContain('The chosen service no longer fits these needs, or no longer takes referrals. Please choose again.');
  });

  it('leaves out data of a category the consent no longer covers when the consent is changed', async () => {
    const review = await upToReview();
    const consent = await next('/consent', review, {});
    const details = await next('/details', consent.html, { ...CONSENT, category: ['situation'] });
    expect(textOf(details.html)).toContain('Her consent no longer covers some data entered before. It was removed: Identity.');
    expect(details.html).not.toContain(CANARY);
    expect(details.html).toContain('Lives in a shelter in Athens');
  });

  it('saves a draft, encrypted, and sends nothing', async () => {
    const review = await upToReview();
    const saved = await next('/send', review, { draft: 'yes' });
    expect(saved.status).toBe(303);
    expect(noticeLeft(saved.response)).toBe('nrDraftSaved');
    await net.settle();
    const drafts = (await listReferrals(gr.ctx, { direction: 'outgoing', limit: 50 })).items.filter((r) => r.state === 'draft');
    expect(drafts).toHaveLength(1);
    expect((await listReferrals(at.ctx, { direction: 'incoming', limit: 50 })).items).toHaveLength(1);
  });

  it('says why a service fits in the caseworker\'s language', async () => {
    const greek = await signedInAs(gr, 'caseworker', net.clock.now());
    const page = await greek.html('/ui/overview');
    expect((await greek.go('/ui/language', { form: { _csrf: tokenIn(page), language: 'el' } })).status).toBe(303);
    const needs = await greek.html('/ui/referrals/new');
    const response = await greek.go('/ui/referrals/new/match', { form: { _csrf: tokenIn(needs), ...NEEDS } });
    const text = textOf(await response.text());
    expect(text).toContain('Βήμα 2 από 5: Υπηρεσία');
    expect(text).toContain('Προσφέρει: Επαγγελματική κατάρτιση και μαθητεία.');
    expect(text).toContain('Λειτουργεί σε: Αυστρία.');
    expect(text).toContain('Ελεύθερες θέσεις: 3 από 12');
  });

  it('sends a form once only: sent again (Back, then Send), it leads to the referral it made', async () => {
    const { db } = gr.ctx.database;
    // A row of a form sent 8 days ago: deleted as the next one is written.
    const old = new Date(net.clock.now().getTime() - 8 * 86_400_000).toISOString();
    await db.insertInto('referral_submissions').values({ digest: 'old-digest', referral_id: null, created_at: old }).execute();
    const outgoing = async () => (await listReferrals(gr.ctx, { direction: 'outgoing', limit: 100 })).items.length;
    const review = await upToReview();
    const submission = carried(review).submission![0]!;
    expect(submission).toMatch(/^[0-9a-f]{32}$/);
    const count = await outgoing();

    const first = await next('/send', review, {});
    expect(first.status).toBe(303);
    const location = first.response.headers.get('location')!;
    const id = location.slice('/ui/referrals/'.length);
    expect(await outgoing()).toBe(count + 1);

    const again = await next('/send', review, {});
    expect(again.status).toBe(303);
    expect(again.response.headers.get('location')).toBe(`/ui/referrals/${id}`);
    expect(noticeLeft(again.response)).toBe('nrAlreadySent');
    expect(textOf(await b.html(again.response.headers.get('location')!))).toContain('This referral was already sent from this form. It was not sent again.');
    expect(await outgoing()).toBe(count + 1);

    // Only the id's SHA-256 is kept, with the referral; the old row is gone; a new form has a new id.
    const rows = await db.selectFrom('referral_submissions').selectAll().execute();
    expect(rows.map((r) => r.referral_id)).toContain(id);
    expect(rows.find((r) => r.digest === 'old-digest')).toBeUndefined();
    expect(JSON.stringify(rows)).not.toContain(submission);
    expect(carried(await upToReview()).submission![0]).not.toBe(submission);
  });

  it('makes the referral after an answered inquiry: the Greek caseworker gives her consent and details, Austria receives it on the same referral', async () => {
    const inquiry = await api(gr, 'POST', '/api/v1/inquiries', { to: at.id, needs: ['vocational-training'], urgency: 'urgent', profile: { age_group: 'adult', children: 0 } });
    expect(inquiry.status).toBe(201);
    const id: string = inquiry.body.id;
    await net.settle();
    // Not answered yet: no way to make the referral.
    expect(textOf(await b.html(`/ui/referrals/${id}`))).not.toContain('Make the referral');
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/inquiry-answer`, { capacity: 'can-help' })).status).toBe(200);
    await net.settle();

    const referralPage = await b.html(`/ui/referrals/${id}`);
    expect(referralPage).toContain('action="/ui/referrals/new/consent"');
    expect(referralPage).toContain(`name="inquiry" value="${id}"`);
    const consent = await b.go('/ui/referrals/new/consent', { form: { _csrf: tokenIn(referralPage), inquiry: id } });
    expect(consent.status).toBe(200);
    const consentHtml = await consent.text();
    const consentText = textOf(consentHtml);
    expect(consentText).toContain('Step 1 of 3: Consent');
    expect(consentText).toContain('The referral after your inquiry, to: Test organisation AT (Austria)');
    expect(consentText).toContain('Back to the inquiry');

    const details = await next('/details', consentHtml, CONSENT);
    expect(details.status).toBe(200);
    expect(textOf(details.html)).toContain('Step 2 of 3: Details');
    const review = await next('/review', details.html, DETAILS);
    expect(review.status).toBe(200);
    const reviewText = textOf(review.html);
    expect(reviewText).toContain('Step 3 of 3: Check and send');
    expect(reviewText).toContain('Vocational training and apprenticeships');
    for (const absent of ['Change the needs', 'Change the service', 'Save as draft']) expect(reviewText).not.toContain(absent);
    for (const button of ['Change the consent', 'Change the details', 'Send the referral']) expect(reviewText).toContain(button);

    // The needs and the organisation are the inquiry's, whatever the form says.
    const tampered = await next('/send', review.html, { need: ['legal-aid'], choice: `${at.id} ${serviceId}`, draft: 'yes' });
    expect(tampered.status).toBe(422);

    const sent = await next('/send', review.html, {});
    expect(sent.status).toBe(303);
    expect(sent.response.headers.get('location')).toBe(`/ui/referrals/${id}`);
    expect(noticeLeft(sent.response)).toBe('nrSent');
    await net.settle();
    const received = (await listReferrals(at.ctx, { direction: 'incoming', limit: 50 })).items.find((r) => r.id === id);
    expect(received?.state).toBe('delivered');
    const { content } = (await api(at, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(content.needs).toEqual(['vocational-training']);
    expect(content.client.identity).toEqual({ given_name: CANARY, nationality: 'SY' });

    // Sent again: the same referral, said so; the inquiry is no longer offered.
    const again = await next('/send', review.html, {});
    expect(again.response.headers.get('location')).toBe(`/ui/referrals/${id}`);
    expect(noticeLeft(again.response)).toBe('nrAlreadySent');
    const gone = await b.go('/ui/referrals/new/consent', { form: { _csrf: tokenIn(referralPage), inquiry: id } });
    expect(gone.status).toBe(409);
    expect(textOf(await gone.text())).toContain('This inquiry cannot be made into a referral now');
  });

  it('keeps her name out of the logs, the audit logs, every address and every table in plaintext', async () => {
    for (const node of [gr, at]) {
      expect(node.logs()).not.toContain(CANARY);
      const audit = await node.ctx.database.db.selectFrom('audit_log').selectAll().execute();
      expect(audit.length).toBeGreaterThan(0);
      expect(JSON.stringify(audit)).not.toContain(CANARY);
      expect(await everything(node)).not.toContain(CANARY);
    }
  });
});

// A value of every kind each reason has: a Record of every code, so a new kind of reason the
// matcher gives does not type-check here until it has a value (and is said in every language below).
const SAMPLE_VALUES: Record<MatchReasonCode, Record<string, string>> = {
  'need-exact': { category: 'vocational-training' },
  'need-narrower': { category: 'legal-aid-asylum', need: 'legal-aid' },
  'need-broader': { category: 'accommodation', need: 'emergency-shelter' },
  'need-unmet': { need: 'legal-aid' },
  'place-country': { country: 'AT' },
  'place-elsewhere': { country: 'IT', asked: 'AT', modes: 'online,phone' },
  'place-region': { place: 'Attica' },
  'place-not-region': { place: 'Attica', actual: 'Crete' },
  'place-city': { place: 'Athens' },
  'place-not-city': { place: 'Athens' },
  'language-shared': { languages: 'ar,en' },
  'language-none': { languages: 'it,fr', asked: 'ar' },
  women: {},
  'women-only': {},
  'age-within': { age: '29' },
  'age-below-minimum': { age: '18' },
  'age-above-maximum': { age: '65' },
  'status-served': { status: 'asylum-seeker' },
  'status-not-served': { statuses: 'refugee,eu-citizen', status: 'undocumented' },
  'children-welcome': {},
  'children-not-accepted': {},
  'mode-offered': { mode: 'phone' },
  'mode-not-offered': { modes: 'in-person,online', mode: 'phone' },
  'not-accepting': {},
  'places-free': { count: '3' },
  'no-place-free': {},
};

describe('each step of a new referral marks the fields that are wrong (issue 18 item 8)', () => {
  /** The links of the list at the top of the page, to the fields it names. */
  const listedLinks = (html: string) => [...(/<div class="error-box"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '').matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]);

  it('her needs: no need, no urgency and a country not offered, each said at its place; what was ticked stays ticked', async () => {
    const needs = await b.html('/ui/referrals/new');
    const refused = await next('/match', needs, { _csrf: tokenIn(needs), need: [], urgency: [], country: 'ZZ', speaks: ['ar'] });
    expect(refused.status).toBe(422);
    const { html } = refused;
    expectGroupMarked(html, 'nr-need', ['need-vocational-training', 'need-legal-aid'], 'Please choose at least one answer in “What she needs”.');
    expectGroupMarked(html, 'nr-urgency', ['urgency-routine', 'urgency-urgent', 'urgency-emergency'], /Urgency|urgent/i);
    expectMarked(html, 'country', /./);
    expectGroupUnmarked(html, 'nr-speaks', ['speaks-ar', 'speaks-en']);
    expect(attribute(control(html, 'speaks-ar'), 'checked')).toBeDefined();
    expect(listedLinks(html)).toEqual(['nr-need', 'nr-urgency', 'country']);
  });

  it('the service: none chosen, said in the list of matches', async () => {
    const needs = await b.html('/ui/referrals/new');
    const matches = await next('/match', needs, { _csrf: tokenIn(needs), ...NEEDS });
    const refused = await next('/consent', matches.html, {});
    expect(refused.status).toBe(422);
    expectGroupMarked(refused.html, 'nr-choice', ['choice-0'], /./);
    expect(listedLinks(refused.html)).toEqual(['nr-choice']);
  });

  it('her consent without her agreement to be referred: said beside the purposes, nothing sent', async () => {
    const review = await upToReview();
    const refused = await next('/details', review, { ...CONSENT, purpose: ['service-provision', 'follow-up'] });
    expect(refused.status).toBe(422);
    expectGroupMarked(refused.html, 'nr-purpose', ['purpose-referral', 'purpose-follow-up'], 'A referral can only be made if she agreed to it: tick “Deciding on the referral” among what the data may be used for.');
    expect(listedLinks(refused.html)).toEqual(['nr-purpose']);
  });

  it('her consent: each answer missing or wrong at its place, the rest kept as given', async () => {
    const review = await upToReview();
    const refused = await next('/details', review, { ...CONSENT, purpose: [], method: [], valid_until: '2027-02-30', explained: [] });
    expect(refused.status).toBe(422);
    const { html } = refused;
    expectGroupMarked(html, 'nr-purpose', ['purpose-referral', 'purpose-follow-up'], 'Please choose at least one answer in “What the data may be used for”.');
    expectGroupMarked(html, 'nr-method', ['method-written', 'method-verbal'], /./);
    expectMarked(html, 'valid_until', 'Please enter “Valid until” as a date.');
    // Still described by its help too, and what was typed is kept.
    expect(attribute(control(html, 'valid_until'), 'aria-describedby')).toBe('valid_until-error valid_until-hint');
    expect(attribute(control(html, 'valid_until'), 'value')).toBe('2027-02-30');
    expect(attribute(control(html, 'explained'), 'aria-invalid')).toBe('true');
    expect(html).toMatch(/<p[^>]*id="explained-error"[^>]*>Please confirm that you explained the consent/);
    expectGroupUnmarked(html, 'nr-category', ['category-identity', 'category-situation']);
    expect(attribute(control(html, 'category-identity'), 'checked')).toBeDefined();
    expectUnmarked(html, 'consent_language');
    expect(listedLinks(html)).toEqual(['nr-purpose', 'nr-method', 'valid_until', 'explained']);
  });

  it('her details: a required field left empty, a birth date not in the past and no reason, each at its place, what was typed kept', async () => {
    const review = await upToReview();
    const consent = await next('/consent', review, {});
    const details = await next('/details', consent.html, CONSENT);
    const tomorrow = new Date(net.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10);
    const refused = await next('/review', details.html, { ...DETAILS, 'situation.summary': '', 'identity.date_of_birth': tomorrow, reason: '' });
    expect(refused.status).toBe(422);
    const { html } = refused;
    expectMarked(html, 'f-situation-summary', /Her situation|situation/i);
    expectMarked(html, 'f-identity-date_of_birth', /./);
    expectMarked(html, 'reason', /./);
    expect(attribute(control(html, 'reason'), 'aria-describedby')).toBe('reason-error reason-hint');
    expectUnmarked(html, 'f-identity-given_name');
    expect(attribute(control(html, 'f-identity-given_name'), 'value')).toBe(CANARY);
    expect(listedLinks(html)).toEqual(['f-identity-date_of_birth', 'f-situation-summary', 'reason']);
  });

  it('a field the form does not have is said for the form as a whole, with no place to go to', async () => {
    const review = await upToReview();
    const refused = await next('/review', review, { 'identity.passport_number': 'X123' });
    expect(refused.status).toBe(422);
    expect(textOf(refused.html)).toContain('The form held a field this page does not offer.');
    expect(listedLinks(refused.html)).toEqual([]);
    expect(refused.html).not.toContain('aria-invalid');
  });
});

describe('the reasons a service fits, said in every language', () => {
  const reasonOf = (code: MatchReasonCode): MatchResult['reasons'][number] => ({ criterion: 'need', code, values: SAMPLE_VALUES[code], detail: 'ENGLISH DETAIL' });

  it.each(LANGUAGES)('%s says every kind of reason from its code and values, never from the English sentence', (language) => {
    expect(MATCH_REASON_CODES.length).toBe(Object.keys(SAMPLE_VALUES).length);
    for (const code of MATCH_REASON_CODES) {
      const said = sayReason(catalogues[language], language, reasonOf(code));
      expect(said.english, `${language} ${code}`).toBe(false);
      expect(said.text, `${language} ${code}`).not.toMatch(/ENGLISH DETAIL|\{|undefined/);
    }
  });

  it('says the codes with the taxonomy\'s labels and the locale\'s names', () => {
    const say = (code: MatchReasonCode, language: 'en' | 'el' | 'de') => sayReason(catalogues[language], language, reasonOf(code)).text;
    expect(say('need-narrower', 'en')).toBe('Offers Legal aid: asylum, a kind of Legal aid.');
    expect(say('place-elsewhere', 'en')).toBe('It is in Italy, not in Austria, but it can be given online or by phone.');
    expect(say('language-none', 'de')).toMatch(/Italienisch.*Französisch.*Arabisch/);
    expect(say('language-shared', 'el')).toContain('Αραβικά');
    expect(say('status-not-served', 'en')).toBe('Serves only: Recognised refugee and EU citizen. Not: No residence papers.');
  });

  it('shows the English sentence, marked as English, only for a reason missing its values', () => {
    const said = sayReason(catalogues.el, 'el', { criterion: 'need', code: 'need-exact', values: {}, detail: 'Vocational training' });
    expect(said).toEqual({ text: 'Vocational training', english: true });
  });
});
