// The consent pages: after a referral from Greece to Austria, the consent's record is listed with
// filters and shown with its referral; an auditor sees the metadata and never the woman's data; a
// caseworker withdraws it (a separate form that says what happens, with a confirmation), the
// withdrawal reaches Austria, which erases her data, and its confirmation appears.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDisplayName } from '../../node/users/service.js';
import { expectMarked } from '../_util/field-marks.js';
import { api, createTestNetwork, sentReferral, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { noticeCookie, noticeLeft, signedInAs, textOf, tokenIn, type UiBrowser } from '../_util/ui-browser.js';

const CANARY = 'Zelinda-Canary-4471';
const CANARY_STORY = 'Kanarienvogel story 9931 in the shelter';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let caseworker: UiBrowser;
let auditor: UiBrowser;
let referralId: string;
let consentId: string;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  ({ referralId, consentId } = await sentReferral(net, gr, at, {
    client: { identity: { given_name: CANARY, nationality: 'SY' }, situation: { summary: CANARY_STORY, languages_spoken: ['ar'] } },
  }));
  caseworker = await signedInAs(gr, 'caseworker', net.clock.now());
  auditor = await signedInAs(gr, 'auditor', net.clock.now());
});
afterAll(() => net.close());

const atName = () => at.ctx.self.name;

describe('the list of consents', () => {
  it('shows each record: state, organisations, data, purposes, method, validity and the referrals that used it', async () => {
    const response = await caseworker.go('/ui/consents');
    expect(response.status).toBe(200);
    const html = await response.text();
    const text = textOf(html);
    expect(html).toContain(`href="/ui/consents/${consentId}"`);
    expect(text).toContain('In force');
    expect(text).toContain(atName());
    expect(text).toContain('Identity, Situation');
    expect(text).toContain('Referral, Providing the service');
    expect(text).toContain('Spoken, with an interpreter');
  });

  it('filters by state and by organisation', async () => {
    expect(await caseworker.html('/ui/consents?state=in-force')).toContain(consentId);
    const withdrawn = await caseworker.html('/ui/consents?state=withdrawn');
    expect(withdrawn).not.toContain(consentId);
    expect(textOf(withdrawn)).toContain('No consent matches.');
    expect(await caseworker.html(`/ui/consents?recipient=${encodeURIComponent(at.id)}`)).toContain(consentId);
    expect(await caseworker.html('/ui/consents?recipient=https%3A%2F%2Felsewhere.example')).not.toContain(consentId);
  });
});

describe('one consent', () => {
  it('shows its record and its referral to a caseworker, with the withdrawal form explaining what happens', async () => {
    const text = textOf(await caseworker.html(`/ui/consents/${consentId}`));
    expect(text).toContain('Here, at our organisation');
    expect(text).toContain('Referrals made under this consent');
    expect(text).toContain((await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.case_reference as string);
    expect(await caseworker.html(`/ui/consents/${consentId}`)).toContain(`href="/ui/referrals/${referralId}"`);
    expect(text).toContain('Withdraw the consent');
    expect(text).toContain('Each of them is told at once, must erase the data about her that it received');
    expect(text).toContain('She has withdrawn her consent. I understand that this cannot be undone.');
  });

  it('says who obtained it by name: a colleague here by her display name, one of another organisation as such (issue 18 item 7)', async () => {
    const admin = await gr.ctx.database.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
    await setDisplayName(gr.ctx.database, admin.id, 'Ana Georgiou', net.clock.now(), { kind: 'system', id: 'command-line' });
    const here = textOf(await caseworker.html(`/ui/consents/${consentId}`));
    expect(here).toContain('Ana Georgiou');
    expect(here).not.toContain(admin.id);
    const received = (await at.ctx.database.db.selectFrom('consents').select('id').where('origin', '=', gr.id).executeTakeFirstOrThrow()).id;
    const there = textOf(await (await signedInAs(at, 'caseworker', net.clock.now())).html(`/ui/consents/${received}`));
    expect(there).toContain(`A caseworker at ${gr.ctx.self.name}`);
    expect(there).not.toContain(admin.id);
  });

  it('shows an auditor the metadata but never the woman\'s data, nor a way to withdraw', async () => {
    const list = await auditor.html('/ui/consents');
    const detail = await auditor.html(`/ui/consents/${consentId}`);
    for (const html of [list, detail]) {
      expect(html).not.toContain(CANARY);
      expect(html).not.toContain(CANARY_STORY);
    }
    expect(textOf(detail)).toContain('Identity, Situation');
    expect(textOf(detail)).toContain('never the woman’s data');
    expect(detail).toContain((await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.case_reference as string);
    expect(detail).not.toContain(`href="/ui/referrals/${referralId}"`);
    expect(detail).not.toContain(`/ui/referrals/${referralId}`);
    expect(detail).not.toContain('/withdraw');
    const before = await snapshot(gr);
    const refused = await auditor.submit(`/ui/consents/${consentId}/withdraw`, { recipients: at.id, confirm: 'yes' }, `/ui/consents/${consentId}`);
    expect(refused.status).toBe(403);
    const after = await snapshot(gr);
    delete before.ui_sessions;
    delete after.ui_sessions;
    expect(after).toEqual(before);
  });

  it('lets a caseworker open the scanned form, and not an auditor', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4\n% a scanned consent form\n%%EOF\n');
    const put = await gr.request(`/api/v1/consents/${consentId}/form`, {
      method: 'PUT', headers: { authorization: `Bearer ${gr.token}`, 'content-type': 'application/pdf' }, body: pdf,
    });
    expect(put.status).toBe(200);
    expect(await caseworker.html(`/ui/consents/${consentId}`)).toContain(`href="/ui/consents/${consentId}/form"`);
    const response = await caseworker.go(`/ui/consents/${consentId}/form`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pdf);
    expect(await auditor.html(`/ui/consents/${consentId}`)).not.toContain('/form"');
    expect((await auditor.go(`/ui/consents/${consentId}/form`)).status).toBe(403);
  });

  it('answers an unknown or malformed id with a page that says so', async () => {
    expect((await caseworker.go('/ui/consents/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await caseworker.go('/ui/consents/nope')).status).toBe(404);
  });
});

describe('the signed form of a consent', () => {
  const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(`signed by ${CANARY}`)]);
  const upload = async (b: UiBrowser, bytes: Buffer, type: string) => {
    const csrf = tokenIn(await b.html(`/ui/consents/${consentId}`));
    const body = new FormData();
    body.set('_csrf', csrf);
    body.set('form_file', new Blob([bytes], { type }), 'form');
    const cookie = b.cookie();
    const response = await gr.app.fetch(new Request(`${gr.id}/ui/consents/${consentId}/form`, { method: 'POST', headers: { cookie }, body, redirect: 'manual' }));
    // As a browser would: the notice left for the next page goes in the jar.
    const notice = noticeCookie(response);
    if (notice) b.jar.set('refnet_notice', notice);
    return response;
  };

  it('is refused, changing nothing, when it is not a PDF, JPEG or PNG, or not what it says it is', async () => {
    const before = await snapshot(gr);
    const text = await upload(caseworker, Buffer.from('plain'), 'text/plain');
    expect(text.status).toBe(422);
    expect(textOf(await text.text())).toContain('The file must be a PDF, JPEG or PNG.');
    expect((await upload(caseworker, Buffer.from('GIF89a'), 'application/pdf')).status).toBe(422);
    const after = await snapshot(gr);
    delete before.ui_sessions;
    delete after.ui_sessions;
    expect(after).toEqual(before);
  });

  it('is attached by a caseworker, stored encrypted, and opened again as it was', async () => {
    const response = await upload(caseworker, PDF, 'application/pdf');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/ui/consents/${consentId}`);
    expect(noticeLeft(response)).toBe('consentAttachedNotice');
    const page = textOf(await caseworker.html(`/ui/consents/${consentId}`));
    expect(page).toContain('The signed form is attached.');
    expect(page).toContain('A form is attached already; a new one replaces it.');
    const download = await caseworker.go(`/ui/consents/${consentId}/form`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PDF);
    const stored = await gr.ctx.database.db.selectFrom('consent_forms').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(CANARY);
  });
});

describe('withdrawing a consent', () => {
  it('asks for an organisation and the confirmation first, and changes nothing without them', async () => {
    const page = `/ui/consents/${consentId}`;
    const before = await snapshot(gr);
    const none = await caseworker.submit(`${page}/withdraw`, { confirm: 'yes' }, page);
    expect(none.status).toBe(422);
    expect(textOf(await none.text())).toContain('Please choose at least one organisation.');
    const unconfirmed = await caseworker.submit(`${page}/withdraw`, { recipients: at.id }, page);
    expect(unconfirmed.status).toBe(422);
    expect(textOf(await unconfirmed.text())).toContain('Please tick the box to confirm that she withdrew her consent.');
    const after = await snapshot(gr);
    delete before.ui_sessions;
    delete after.ui_sessions;
    expect(after).toEqual(before);
  });

  it('withdraws it: the pending erasure is shown, the withdrawal reaches Austria, which erases and confirms', async () => {
    const page = `/ui/consents/${consentId}`;
    const response = await caseworker.submit(`${page}/withdraw`, { recipients: at.id, confirm: 'yes' }, page);
    expect(response.status).toBe(303);
    const pending = textOf(await caseworker.html(response.headers.get('location')!));
    expect(pending).toContain('The consent is withdrawn. The organisations are told to erase her data.');
    expect(pending).toContain('Organisations that have not yet confirmed that they erased her data: 1.');
    expect(pending).toContain('Not yet confirmed');
    expect(pending).toContain('The consent is withdrawn for every organisation it named.');

    await net.settle();
    const there = await api(at, 'GET', `/api/v1/referrals/${referralId}`);
    expect(there.body.state).toBe('consent-withdrawn');
    const confirmed = textOf(await caseworker.html(page));
    expect(confirmed).toContain('Every organisation asked has confirmed that it erased her data.');
    expect(confirmed).toContain('Withdrawn');
    expect(await caseworker.html('/ui/consents?state=withdrawn')).toContain(consentId);

    // In Austria the received consent is withdrawn too, and is not withdrawn from there.
    const atCaseworker = await signedInAs(at, 'caseworker', net.clock.now());
    const list = await atCaseworker.html('/ui/consents?state=withdrawn');
    const received = /href="\/ui\/consents\/([0-9a-f-]{36})"/.exec(list)?.[1];
    expect(received).toBeDefined();
    const atPage = textOf(await atCaseworker.html(`/ui/consents/${received}`));
    expect(atPage).toContain(`To ${gr.ctx.self.name}, which sent us the referral`);
    expect(atPage).toContain('that organisation records it');
    expect(atPage).not.toContain(CANARY);
  });
});

describe('consents you can recognise (issue 18 item 5)', () => {
  it('says whose consent it is (her initials or pseudonym) to caseworkers, never to auditors, and names its referrals by case reference', async () => {
    const list = await caseworker.html('/ui/consents');
    expect(list).toContain('<th scope="col">Her</th>');
    expect(textOf(list)).toContain(' Z. ');
    const detail = textOf(await caseworker.html(`/ui/consents/${consentId}`));
    expect(detail).toContain('Whose consent Z.');
    const caseRef = (await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.case_reference as string;
    expect(detail).toContain(caseRef);
    const forAuditor = await auditor.html('/ui/consents');
    expect(forAuditor).not.toContain('<th scope="col">Her</th>');
    expect(textOf(forAuditor)).not.toContain(' Z. ');
    expect(textOf(await auditor.html(`/ui/consents/${consentId}`))).not.toContain('Whose consent');
  });

  it('lets a caseworker withdraw it from the referral\'s page, saying what happens where, with a confirmation', async () => {
    const { referralId: other } = await sentReferral(net, gr, at, { client: { identity: { given_name: 'Mira', family_name: 'Vasquez' }, situation: { summary: 'Another case.' } } });
    const caseRef = (await api(gr, 'GET', `/api/v1/referrals/${other}`)).body.case_reference as string;
    const page = textOf(await caseworker.html(`/ui/referrals/${other}`));
    expect(page).toContain('Withdraw the consent');
    expect(page).toContain(`${atName()} (Austria) is told at once, must erase what it received about her under this consent (referrals ${caseRef})`);

    const unconfirmed = await caseworker.submit(`/ui/referrals/${other}/withdraw-consent`, {}, `/ui/referrals/${other}`);
    expect(unconfirmed.status).toBe(422);
    expectMarked(await unconfirmed.text(), 'withdraw-consent-confirm', /confirm|withdrawn/i);
    expect((await api(gr, 'GET', `/api/v1/referrals/${other}`)).body.state).not.toBe('consent-withdrawn');

    const done = await caseworker.submit(`/ui/referrals/${other}/withdraw-consent`, { confirm: 'yes' }, `/ui/referrals/${other}`);
    expect(done.status).toBe(303);
    await net.settle();
    expect((await api(gr, 'GET', `/api/v1/referrals/${other}`)).body.state).toBe('consent-withdrawn');
    expect((await api(at, 'GET', `/api/v1/referrals/${other}`)).body.state).toBe('consent-withdrawn');
    // Withdrawn: no longer offered, and refused if sent again.
    expect(await caseworker.html(`/ui/referrals/${other}`)).not.toContain('/withdraw-consent"');
    expect((await caseworker.submit(`/ui/referrals/${other}/withdraw-consent`, { confirm: 'yes' }, `/ui/referrals/${other}`)).status).toBe(409);
  });
});
