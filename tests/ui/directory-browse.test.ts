// The partners' services in the web interface: a Greek caseworker browses every service of the
// trusted peers' current directories (Austria's and Italy's), narrows the list by need (a broader
// one finding its narrower kinds), country, language, organisation, who it is open to, whether it
// takes referrals now and words of its name; opens one to read all its directory says; and refers
// a woman to it, the new-referral flow starting with it chosen and ending in a referral Austria
// receives for that service. Ids from the network are untrusted: one that names nothing is a 404
// and changes nothing. A suspended or revoked peer's services are not shown; auditors see none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePeerState } from '../../node/peers/service.js';
import { syncPeerDirectories } from '../../node/directory/sync.js';
import type { DirectoryService } from '../../node/directory/services.js';
import { listReferrals } from '../../node/referrals/service.js';
import { browseHref, browseServices, filtersFrom, PAGE_SIZE, type PeerService } from '../../admin-ui/pages/directory/filters.js';
import { trainingService } from '../_util/services.js';
import { api, createTestNetwork, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf, tokenIn, type FormInput, type UiBrowser } from '../_util/ui-browser.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode; // the Italian organisation (`it` is vitest's)
let b: UiBrowser;
const ids = { training: '', legal: '', shelter: '', counselling: '', own: '' };

const LEGAL = trainingService({
  name: { de: 'Asylrechtsberatung Graz' },
  description: { de: 'Beratung im Asylverfahren, auch am Telefon.' },
  categories: ['legal-aid-asylum'],
  languages: ['de', 'fa'],
  modes: ['in-person', 'phone'],
  location: { country: 'AT', region: 'Steiermark', city: 'Graz' },
  service_areas: [],
  eligibility: { legal_statuses: ['asylum-seeker'], children_accepted: false },
  capacity: undefined,
  accepting_referrals: false,
});
const SHELTER = trainingService({
  name: { en: 'Night shelter for young women', de: 'Notschlafstelle für junge Frauen' },
  description: { en: 'Beds for the night, breakfast and a social worker.' },
  categories: ['emergency-shelter'],
  languages: ['de', 'en'],
  service_areas: [],
  eligibility: { women_only: true, maximum_age: 25 },
  capacity: { available: 2 },
  status: 'paused',
});
const COUNSELLING = trainingService({
  name: { en: 'Trauma counselling online', it: 'Consulenza sul trauma online' },
  description: { en: 'Weekly sessions with a psychologist, by video.' },
  categories: ['psychological-support'],
  languages: ['it', 'en'],
  modes: ['online'],
  location: { country: 'IT', region: 'Lazio', city: 'Roma' },
  service_areas: [{ country: 'GR' }],
  eligibility: undefined,
  capacity: undefined,
});

const created = async (node: TestNode, service: Record<string, unknown>) => {
  const { status, body } = await api(node, 'POST', '/api/v1/services', JSON.parse(JSON.stringify(service)));
  expect(status).toBe(201);
  return body.id as string;
};

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
  // The Austrian organisation gives a contact in its directory, as if it had been set up with one (test nodes have none).
  at.ctx.self.contact = 'office@brueckenhaus.example';
  ids.training = await created(at, trainingService());
  ids.legal = await created(at, LEGAL);
  ids.shelter = await created(at, SHELTER);
  ids.counselling = await created(it3, COUNSELLING);
  ids.own = await created(gr, trainingService({ name: { en: 'Our own counselling in Athens' }, location: { country: 'GR', city: 'Athens' }, service_areas: [] }));
  await syncPeerDirectories(gr.ctx, { force: true });
  b = await signedInAs(gr, 'caseworker', net.clock.now());
});
afterAll(() => net.close());

const NAMES = {
  training: 'Vocational training in retail and care',
  legal: 'Asylrechtsberatung Graz',
  shelter: 'Night shelter for young women',
  counselling: 'Trauma counselling online',
};
type Name = keyof typeof NAMES;

/** The services a filtered list shows, by the names above, in the order shown. */
async function listed(query: string): Promise<Name[]> {
  const html = await b.html(`/ui/directory/services${query}`);
  const rows = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  const names = [...rows.matchAll(/<th scope="row"><a href="[^"]*">(?:<span lang="[^"]+">)?([^<]+)/g)].map((m) => m[1]!);
  return names.map((n) => (Object.keys(NAMES) as Name[]).find((k) => NAMES[k] === n) ?? (n as Name));
}

const detailPath = (node: TestNode, id: string) => `/ui/directory/services/${id}?peer=${encodeURIComponent(node.id)}`;
const withoutSessions = (s: Record<string, unknown[]>) => ({ ...s, ui_sessions: [] });

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** The hidden fields of a step's form, as a browser would send them. */
function carried(html: string): Record<string, string[]> {
  const form = /<form method="post" action="[^"]*" class="nr-form">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  const fields: Record<string, string[]> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) (fields[unescape(m[1]!)] ??= []).push(unescape(m[2]!));
  return fields;
}
/** The checkboxes of the needs that a page shows ticked. */
const ticked = (html: string) => [...html.matchAll(/<input type="checkbox" id="need-[^"]+" name="need" value="([^"]+)" checked=""/g)].map((m) => m[1]!);
async function next(action: string, page: string, entered: FormInput): Promise<{ status: number; html: string; response: Response }> {
  const response = await b.go(`/ui/referrals/new${action}`, { form: { ...carried(page), ...entered } });
  return { status: response.status, html: response.status === 303 ? '' : await response.text(), response };
}
const hrefOf = (html: string, text: string) => unescape(new RegExp(`<a (?:class="[^"]*" )?href="([^"]+)">${text}</a>`).exec(html)?.[1] ?? '');

describe('the partners\' services', () => {
  it('are reached from the directory page and from our services', async () => {
    for (const page of ['/ui/directory', '/ui/services']) expect(await b.html(page)).toMatch(/href="\/ui\/directory\/services">Partners’ services</);
  });

  it('lists every service of the trusted partners, with its organisation, place, needs, languages and availability', async () => {
    const html = await b.html('/ui/directory/services');
    const text = textOf(html);
    expect(text).toContain('Services found: 4');
    expect(await listed('')).toEqual(['legal', 'shelter', 'training', 'counselling']); // by organisation, then by name
    expect(text).toContain('Vocational training in retail and care Wien, Austria Test organisation AT (Austria) Vocational training and apprenticeships, Language courses German, English, Arabic Takes referrals now. 3 of 12 places free.');
    expect(text).toContain('Trauma counselling online Roma, Lazio, Italy Test organisation IT (Italy) Psychological and trauma support Italian, English');
    expect(text).toContain('Paused Its organisation paused it: still listed, but it takes no referrals for now.');
    expect(text).toContain('Does not take referrals now.');
    // A name the directory has only in German is marked as German.
    expect(html).toContain('<span lang="de">Asylrechtsberatung Graz</span>');
    // Our own services are not among the partners'.
    expect(text).not.toContain('Our own counselling in Athens');
    // Only those taking referrals now can be referred to from the list.
    const refer = [...html.matchAll(/href="(\/ui\/referrals\/new\?service=[^"]+)"/g)].map((m) => decodeURIComponent(unescape(m[1]!).split('=')[1]!));
    expect(refer.sort()).toEqual([`${at.id} ${ids.training}`, `${it3.id} ${ids.counselling}`].sort());
    // Filters have labels, the group of who it is open to a legend, the table column headers.
    expect(html).toContain('<form method="get" action="/ui/directory/services" class="filters dir-filters">');
    for (const id of ['dir-q', 'dir-need', 'dir-country', 'dir-language', 'dir-peer', 'dir-status', 'dir-age', 'dir-children', 'dir-women-only', 'dir-taking']) expect(html).toContain(`<label for="${id}">`);
    expect(html).toContain('<legend>Open to her</legend>');
    expect(html).toContain('<th scope="col">Needs it serves</th>');
  });

  it('narrows by need, a broader need finding its narrower kinds', async () => {
    expect(await listed('?need=legal-aid')).toEqual(['legal']);
    expect(await listed('?need=legal-aid-asylum')).toEqual(['legal']);
    expect(await listed('?need=accommodation')).toEqual(['shelter']);
    expect(await listed('?need=language-courses')).toEqual(['training']);
    expect(await listed('?need=safe-housing')).toEqual([]);
    expect(textOf(await b.html('/ui/directory/services?need=safe-housing'))).toContain('Services found: 0 No service fits these filters.');
    // The broader category is offered with all its kinds, in a group with its narrower ones.
    const html = await b.html('/ui/directory/services?need=accommodation');
    expect(html).toContain('<optgroup label="Accommodation"><option value="accommodation" selected="">Accommodation: all kinds</option><option value="emergency-shelter">Emergency shelter</option>');
  });

  it('narrows by country (where it is or takes women from), language and organisation', async () => {
    expect(await listed('?country=GR')).toEqual(['counselling']);
    expect(await listed('?country=IT')).toEqual(['counselling']);
    expect(await listed('?country=AT')).toEqual(['legal', 'shelter', 'training']);
    expect(await listed('?language=fa')).toEqual(['legal']);
    expect(await listed('?language=it')).toEqual(['counselling']);
    expect(await listed(`?peer=${encodeURIComponent(it3.id)}`)).toEqual(['counselling']);
    // Only what the services have is offered.
    const html = await b.html('/ui/directory/services');
    expect(html).toContain('<option value="fa">Persian</option>');
    expect(html).not.toContain('<option value="FR">');
  });

  it('narrows by who it is open to: her status, her age, her children, women only', async () => {
    expect(await listed('?status=undocumented')).toEqual(['shelter', 'counselling']);
    expect(await listed('?status=asylum-seeker')).toEqual(['legal', 'shelter', 'training', 'counselling']);
    expect(await listed('?age=17')).toEqual(['legal', 'shelter', 'counselling']);
    expect(await listed('?age=30')).toEqual(['legal', 'training', 'counselling']);
    expect(await listed('?children=yes')).toEqual(['shelter', 'training', 'counselling']);
    expect(await listed('?women_only=yes')).toEqual(['shelter', 'training']);
    expect(await listed('?status=undocumented&age=30')).toEqual(['counselling']);
  });

  it('narrows to those taking referrals now, and by words of the name in any of its languages', async () => {
    expect(await listed('?taking=yes')).toEqual(['training', 'counselling']);
    expect(await listed('?q=graz')).toEqual(['legal']);
    expect(await listed('?q=NOTSCHLAF')).toEqual(['shelter']);
    expect(await listed('?q=trauma&taking=yes')).toEqual(['counselling']);
    const text = textOf(await b.html('/ui/directory/services?q=trauma&taking=yes'));
    expect(text).toContain('Services found: 1');
    expect(text).toContain('Show all services');
  });

  it('ignores a filter value it does not offer, and says an age that is not one beside its field', async () => {
    expect(await listed('?need=not-a-need&country=ZZ&language=xx&peer=http%3A%2F%2Fevil.test&status=alien')).toEqual(['legal', 'shelter', 'training', 'counselling']);
    const html = await b.html('/ui/directory/services?age=abc');
    expect(await listed('?age=abc')).toHaveLength(4);
    expect(html).toContain('aria-invalid="true" aria-describedby="dir-age-error"');
    expect(textOf(html)).toContain('An age is a whole number from 0 to 120.');
    expect(html).toContain('value="abc"');
  });

  it('shows a service\'s page with everything its directory says, and the way to refer her to it', async () => {
    const html = await b.html(detailPath(at, ids.training));
    const text = textOf(html);
    expect(html).toContain('<h1>Vocational training in retail and care</h1>');
    for (const fact of [
      'Organisation Test organisation AT (Austria) Contact of the organisation office@brueckenhaus.example Languages of the organisation English',
      'Availability Takes referrals now. 3 of 12 places free.',
      'Description Twelve-month training with a recognised certificate, German lessons included.',
      'Categories Vocational training and apprenticeships, Language courses',
      'Languages German, English, Arabic',
      'How the service is given In person',
      'Where the service is Wien, Austria',
      'Also takes women from Niederösterreich, Austria',
      'For women only Yes',
      'Ages From 18 years',
      'Residence status Asylum seeker, International protection',
      'Can she come with her children? Yes',
      'Places 3 of 12 places free.',
      'Contact for other organisations training@brueckenhaus.example · +43 1 555 0100',
      'Directory signed by the organisation',
      'Directory received here',
    ]) expect(text).toContain(fact);
    expect(hrefOf(html, 'Refer to this service')).toBe(`/ui/referrals/new?service=${encodeURIComponent(`${at.id} ${ids.training}`)}`);

    // Texts the directory has only in German are marked so, on an English page.
    const legal = await b.html(detailPath(at, ids.legal));
    expect(legal).toContain('<span lang="de">Beratung im Asylverfahren, auch am Telefon.</span>');
    expect(textOf(legal)).toContain('A referral cannot be sent to this service now: it does not take referrals.');
    expect(legal).not.toContain('/ui/referrals/new?service=');
    expect(textOf(await b.html(detailPath(at, ids.shelter)))).toContain('A referral cannot be sent to this service now: its organisation paused it.');
    // An organisation whose directory gives no contact: none said.
    const counselling = textOf(await b.html(detailPath(it3, ids.counselling)));
    expect(counselling).toContain('Organisation Test organisation IT (Italy) Languages of the organisation English');
    expect(counselling).not.toContain('Contact of the organisation');
  });

  it('answers an unknown or malformed id with a plain 404 page, and changes nothing', async () => {
    const before = withoutSessions(await snapshot(gr));
    for (const path of [
      `/ui/directory/services/${ids.training}`, // no organisation
      `/ui/directory/services/not-a-uuid?peer=${encodeURIComponent(at.id)}`,
      `/ui/directory/services/00000000-0000-4000-8000-000000000000?peer=${encodeURIComponent(at.id)}`,
      detailPath(it3, ids.training), // another organisation's id
      detailPath(gr, ids.own), // our own service is not a partner's
      `/ui/directory/services/${ids.training}?peer=${encodeURIComponent('javascript:alert(1)')}`,
      `/ui/directory/services/${ids.training}?peer=${'x'.repeat(5000)}`,
      `/ui/directory/services/%E0%A4%A?peer=x`,
    ]) {
      const response = await b.go(path);
      expect(response.status, path).toBe(404);
      expect(textOf(await response.text()), path).toContain('Page not found');
    }
    expect(withoutSessions(await snapshot(gr))).toEqual(before);
  });

  it('starts a new referral with the service chosen, and ends in a referral Austria receives for it', async () => {
    const detail = await b.html(detailPath(at, ids.training));
    const needs = await b.go(hrefOf(detail, 'Refer to this service'));
    expect(needs.status).toBe(200);
    const needsHtml = await needs.text();
    const needsText = textOf(needsHtml);
    expect(needsText).toContain('Step 1 of 5: Needs');
    expect(needsText).toContain('Chosen service: Vocational training in retail and care (Test organisation AT, Austria)');
    expect(needsText).toContain('What it offers is ticked below.');
    expect(ticked(needsHtml).sort()).toEqual(['language-courses', 'vocational-training']);
    expect(carried(needsHtml).choice).toEqual([`${at.id} ${ids.training}`]);

    // She needs the training only: the service stays chosen among the matches.
    const matches = await next('/match', needsHtml, { _csrf: tokenIn(needsHtml), need: ['vocational-training'], urgency: 'urgent', speaks: ['ar'] });
    expect(matches.status).toBe(200);
    expect(matches.html).toMatch(new RegExp(`<input type="radio" name="choice" id="choice-\\d+" value="${at.id} ${ids.training}" checked=""`));
    expect(textOf(matches.html)).not.toContain('The service chosen before is not among those');

    const consent = await next('/consent', matches.html, { choice: `${at.id} ${ids.training}` });
    expect(consent.status).toBe(200);
    expect(textOf(consent.html)).toContain('Chosen service: Vocational training in retail and care (Test organisation AT, Austria)');
    const details = await next('/details', consent.html, {
      category: ['situation'], purpose: ['referral'], method: 'verbal', consent_language: 'ar',
      valid_until: new Date(net.clock.now().getTime() + 100 * 86_400_000).toISOString().slice(0, 10), onward: 'no', explained: 'yes',
    });
    expect(details.status).toBe(200);
    const review = await next('/review', details.html, { 'situation.summary': 'Wants to work in care.', reason: 'She asked for this training by name.' });
    expect(review.status).toBe(200);
    const sent = await next('/send', review.html, {});
    expect(sent.status).toBe(303);
    const id = sent.response.headers.get('location')!.slice('/ui/referrals/'.length);

    await net.settle();
    expect((await listReferrals(at.ctx, { direction: 'incoming', limit: 50 })).items.map((r) => r.id)).toContain(id);
    expect((await api(at, 'GET', `/api/v1/referrals/${id}`)).body.content.service_id).toBe(ids.training);
  });

  it('says so when the service chosen in the directory does not fit the needs given', async () => {
    const needs = await b.html(`/ui/referrals/new?service=${encodeURIComponent(`${at.id} ${ids.training}`)}`);
    // In Italy, where the training (in person, in Vienna) is not.
    const matches = await next('/match', needs, { _csrf: tokenIn(needs), need: ['vocational-training'], urgency: 'routine', country: 'IT' });
    expect(matches.status).toBe(200);
    expect(textOf(matches.html)).toContain('The service chosen before is not among those that fit these needs and take referrals now.');
    // Carried anyway to the next step, it is refused as any choice that is not among the matches.
    const refused = await next('/consent', matches.html, { choice: `${at.id} ${ids.training}` });
    expect(refused.status).toBe(422);
    expect(textOf(refused.html)).toContain('The chosen service no longer fits these needs, or no longer takes referrals.');
  });

  it('does not let a service that takes no referrals, an unknown one or our own be chosen', async () => {
    const before = withoutSessions(await snapshot(gr));
    for (const [id, sentence] of [[ids.legal, 'This service does not take referrals now'], [ids.shelter, 'This service does not take referrals now']] as const) {
      const response = await b.go(`/ui/referrals/new?service=${encodeURIComponent(`${at.id} ${id}`)}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(textOf(html)).toContain(sentence);
      expect(carried(html).choice).toBeUndefined();
      expect(ticked(html).length).toBeGreaterThan(0);
    }
    for (const value of [`${gr.id} ${ids.own}`, `${at.id} 00000000-0000-4000-8000-000000000000`, `${at.id}`, 'nonsense', `${at.id} ${ids.training} more`, `${it3.id} ${ids.training}`]) {
      const response = await b.go(`/ui/referrals/new?service=${encodeURIComponent(value)}`);
      expect(response.status, value).toBe(404);
      const html = await response.text();
      expect(textOf(html), value).toContain('This service is not in an up-to-date directory of a trusted organisation held here.');
      expect(carried(html).choice, value).toBeUndefined();
      expect(ticked(html), value).toEqual([]);
    }
    // A service not taking referrals, carried as the choice by hand, is refused at the next step.
    const needs = await b.html(`/ui/referrals/new?service=${encodeURIComponent(`${at.id} ${ids.legal}`)}`);
    const matches = await next('/match', needs, { _csrf: tokenIn(needs), need: ['legal-aid-asylum'], urgency: 'routine' });
    const refused = await next('/consent', matches.html, { choice: `${at.id} ${ids.legal}` });
    expect(refused.status).toBe(422);
    expect(withoutSessions(await snapshot(gr))).toEqual(before);
  });

  it('is for caseworkers and administrators; auditors, who see no service page, see none of it', async () => {
    const admin = await signedInAs(gr, 'admin', net.clock.now());
    expect((await admin.go('/ui/directory/services')).status).toBe(200);
    expect((await admin.go(detailPath(at, ids.training))).status).toBe(200);
    const auditor = await signedInAs(gr, 'auditor', net.clock.now());
    for (const path of ['/ui/directory/services', detailPath(at, ids.training), `/ui/referrals/new?service=${encodeURIComponent(`${at.id} ${ids.training}`)}`]) {
      expect((await auditor.go(path)).status, path).toBe(403);
    }
  });

  it('leaves out a suspended partner\'s services while it is suspended, and a revoked one\'s for good', async () => {
    await changePeerState(gr.ctx.database, it3.id, 'suspend', net.clock.now());
    expect(await listed('')).toEqual(['legal', 'shelter', 'training']);
    expect((await b.go(detailPath(it3, ids.counselling))).status).toBe(404);
    expect((await b.go(`/ui/referrals/new?service=${encodeURIComponent(`${it3.id} ${ids.counselling}`)}`)).status).toBe(404);
    expect(await b.html('/ui/directory/services')).not.toContain(`value="${it3.id}"`);

    await changePeerState(gr.ctx.database, it3.id, 'restore', net.clock.now());
    expect(await listed('')).toEqual(['legal', 'shelter', 'training', 'counselling']);

    await changePeerState(gr.ctx.database, at.id, 'revoke', net.clock.now(), undefined, 'no-longer-partner');
    expect(await listed('')).toEqual(['counselling']);
    expect((await b.go(detailPath(at, ids.training))).status).toBe(404);
  });
});

describe('the partners\' services, page by page', () => {
  const service = (n: number): PeerService => ({
    peer: { id: 'http://node-at.test', name: 'AT', country: 'AT' },
    service: {
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: { en: `Service ${String(n).padStart(3, '0')}` }, description: { en: 'A service.' },
      categories: ['employment'], languages: ['de'], modes: ['in-person'], location: { country: 'AT' }, status: 'active', accepting_referrals: true, updated_at: '2025-01-01T00:00:00.000Z',
    } satisfies DirectoryService,
  });
  const entries = Array.from({ length: PAGE_SIZE + 3 }, (_, i) => service(i + 1));
  const choices = { countries: ['AT'], languages: ['de'], peers: [{ id: 'http://node-at.test', name: 'AT' }] };

  it('shows fifty to a page, counts them all, and takes a page beyond the last as the last', () => {
    const first = browseServices(entries, filtersFrom({}, choices).filters, 'en');
    expect(first.total).toBe(PAGE_SIZE + 3);
    expect(first.shown).toHaveLength(PAGE_SIZE);
    expect(first.shown[0]!.service.name.en).toBe('Service 001');
    const second = browseServices(entries, filtersFrom({ page: '2' }, choices).filters, 'en');
    expect([second.page, second.shown.map((e) => e.service.name.en)]).toEqual([2, ['Service 051', 'Service 052', 'Service 053']]);
    expect(browseServices(entries, filtersFrom({ page: '99' }, choices).filters, 'en').page).toBe(2);
    expect(browseServices(entries, filtersFrom({ page: '-1' }, choices).filters, 'en').page).toBe(1);
  });

  it('keeps the filters in the address of the next and previous pages', () => {
    const { filters } = filtersFrom({ need: 'employment', language: 'de', age: '30', taking: 'yes', q: 'a b', page: '3' }, choices);
    expect(browseHref(filters, 2)).toBe('/ui/directory/services?need=employment&language=de&age=30&taking=yes&q=a+b&page=2');
    expect(browseHref(filters, 1)).toBe('/ui/directory/services?need=employment&language=de&age=30&taking=yes&q=a+b');
  });
});
