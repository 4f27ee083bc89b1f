// Our services and the network's directory in the web interface: an administrator describes a
// service with the form (a refused one says why in a sentence, keeps what was typed and changes
// nothing), changes, pauses, publishes again and deletes it; a caseworker says how many places
// are free; a partner node sees each change once it syncs its directories; the directory page
// shows how fresh each partner's directory is, syncs on demand and exports HSDS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listServices } from '../../node/directory/services.js';
import { createTestNetwork, snapshot, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { trainingService } from '../_util/services.js';
import { noticeLeft, signedInAs, textOf, type FormInput, type UiBrowser } from '../_util/ui-browser.js';

let net: TestNetwork;
let gr: TestNode; // syncs at's directory
let at: TestNode; // describes its services
let admin: UiBrowser;
let caseworker: UiBrowser;
let auditor: UiBrowser;
let grAdmin: UiBrowser;
let serviceId: string;

/** Everything but the sessions, whose last-seen time moves with every request. */
const changes = async (node: TestNode) => {
  const all = await snapshot(node);
  delete all.ui_sessions;
  return all;
};
const services = () => listServices(at.ctx.database.db);
const auditActions = async () =>
  (await at.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'service.changed').orderBy('idx').execute()).map((r) => JSON.parse(r.entry).action as string);
/** at's services as gr holds them from its last sync. */
const heldByGr = async (): Promise<Json[]> => {
  const row = await gr.ctx.database.db.selectFrom('peer_directories').select('services').where('peer_id', '=', at.id).executeTakeFirst();
  return row?.services ? (JSON.parse(row.services) as Json[]) : [];
};
/** gr's administrator presses "Sync now", a minute later (a directory is signed to the second). */
const syncOnGr = async () => {
  net.clock.advance(60_000);
  const response = await grAdmin.submit('/ui/directory/sync', {}, '/ui/directory');
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe('/ui/directory');
  expect(noticeLeft(response)).toBe('dirSynced');
};

/** The form as a person fills it in for the demo's training in Vienna. */
const trainingForm = (overrides: FormInput = {}): FormInput => ({
  name_en: 'Vocational training in retail and care',
  name_de: 'Berufsausbildung im Handel und in der Pflege',
  description_en: 'Twelve-month training with a recognised certificate, German lessons included.',
  categories: ['vocational-training', 'language-courses'],
  languages: ['de', 'en'],
  other_languages: 'ar',
  modes: ['in-person'],
  country: 'AT',
  region: 'Wien',
  city: 'Wien',
  area_0_country: 'AT',
  area_0_region: 'Niederösterreich',
  area_1_country: '',
  area_1_region: '',
  women_only: 'yes',
  minimum_age: '18',
  maximum_age: '',
  legal_statuses: ['asylum-seeker', 'international-protection'],
  children: 'yes',
  available: '3',
  maximum: '12',
  email: 'training@brueckenhaus.example',
  phone: '+43 1 555 0100',
  url: '',
  status: 'active',
  accepting: 'yes',
  ...overrides,
});

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  admin = await signedInAs(at, 'admin', net.clock.now());
  caseworker = await signedInAs(at, 'caseworker', net.clock.now());
  auditor = await signedInAs(at, 'auditor', net.clock.now());
  grAdmin = await signedInAs(gr, 'admin', net.clock.now());
});
afterAll(() => net.close());

describe('our services', () => {
  it('says there are none yet, and offers administrators to describe one', async () => {
    const text = textOf(await admin.html('/ui/services'));
    expect(text).toContain('There are no services yet. Describe the first one.');
    expect(await admin.html('/ui/services')).toContain('href="/ui/services/new"');
    expect(await caseworker.html('/ui/services')).not.toContain('href="/ui/services/new"');
  });

  it('offers every field of a service, categories grouped under their broader kind', async () => {
    const html = await admin.html('/ui/services/new');
    const text = textOf(html);
    for (const label of ['Name of the service', 'Description', 'Categories', 'Languages', 'How the service is given', 'Country', 'Region', 'City', 'Also takes women from', 'For women only', 'Lowest age', 'Highest age', 'Residence status', 'Can she come with her children?', 'Other conditions', 'Places free now', 'Places in total', 'E-mail', 'Phone', 'Website', 'Publish it now', 'Takes referrals now']) {
      expect(text, label).toContain(label);
    }
    // Safe housing is listed under accommodation.
    expect(html).toMatch(/id="svc-cat-accommodation"[\s\S]*?<ul>[\s\S]*?id="svc-cat-emergency-shelter"[\s\S]*?id="svc-cat-safe-housing"/);
    expect(text).toContain('Save the service');
  });

  it('refuses a service without a name or a category, says so, keeps what was typed, and changes nothing', async () => {
    const before = await changes(at);
    const response = await admin.submit('/ui/services', trainingForm({ name_en: '', name_de: '', categories: [] }), '/ui/services/new');
    expect(response.status).toBe(422);
    const html = await response.text();
    const text = textOf(html);
    expect(text).toContain('The service was not saved. Please correct this:');
    expect(text).toContain('Please fill in “Name of the service”.');
    expect(text).toContain('Please fill in “Categories”.');
    expect(html).toContain('Twelve-month training with a recognised certificate');
    expect(html).toContain('value="training@brueckenhaus.example"');
    expect(await changes(at)).toEqual(before);
  });

  it('refuses a street address, an impossible phone number and ages that contradict, each in a sentence', async () => {
    const before = await changes(at);
    const address = await admin.submit('/ui/services', trainingForm({ city: 'Wien', region: 'Mariahilfer Straße 12', phone: 'call us' }), '/ui/services/new');
    expect(address.status).toBe(422);
    const text = textOf(await address.text());
    expect(text).toContain('Please check “Region”. Write only a name, without numbers. Never a street address.');
    expect(text).toContain('Please check “Phone”.');
    const ages = await admin.submit('/ui/services', trainingForm({ minimum_age: '30', maximum_age: '20' }), '/ui/services/new');
    expect(ages.status).toBe(422);
    expect(textOf(await ages.text())).toContain('The lowest age is higher than the highest age.');
    expect(await changes(at)).toEqual(before);
  });

  it('describes a service with the form, as the local API would have it', async () => {
    const response = await admin.submit('/ui/services', trainingForm(), '/ui/services/new');
    expect(response.status).toBe(303);
    const [service] = await services();
    serviceId = service!.id;
    expect(response.headers.get('location')).toBe(`/ui/services/${serviceId}`);
    expect(noticeLeft(response)).toBe('svcCreated');
    expect(service).toMatchObject({
      ...trainingService(),
      status: 'active',
      accepting_referrals: true,
    });
    expect(await auditActions()).toEqual(['created']);
    const page = textOf(await admin.html(`/ui/services/${serviceId}`));
    expect(page).toContain('The service is saved. Other organisations see it at their next directory update.');
    expect(page).toContain('Vocational training and apprenticeships');
  });

  it('lists it with its categories, state, places, languages and last change', async () => {
    const text = textOf(await caseworker.html('/ui/services'));
    expect(text).toContain('Vocational training in retail and care');
    expect(text).toContain('Vocational training and apprenticeships, Language courses');
    expect(text).toContain('Published');
    expect(text).toContain('Takes referrals now. 3 of 12 places free.');
    expect(text).toContain('German, English, Arabic');
  });

  it('shows the categories in the reader\'s language', async () => {
    const greek = await signedInAs(at, 'caseworker', net.clock.now());
    await greek.submit('/ui/language', { language: 'el' });
    const text = textOf(await greek.html('/ui/services'));
    expect(text).toContain('Επαγγελματική κατάρτιση και μαθητεία');
    expect(text).toContain('Δημοσιευμένη');
    // Written in English and German only: shown in English, marked as English.
    expect(await greek.html('/ui/services')).toContain('<span lang="en">Vocational training in retail and care</span>');
  });

  it('is shown on gr once gr syncs its directories', async () => {
    await syncOnGr();
    const [held] = await heldByGr();
    expect(held).toMatchObject({ id: serviceId, status: 'active', accepting_referrals: true, capacity: { available: 3, maximum: 12 } });
  });

  it('is described again with the form filled in, its state kept', async () => {
    const form = await admin.html(`/ui/services/${serviceId}/edit`);
    expect(form).toContain('value="Vocational training in retail and care"');
    expect(form).toMatch(/id="svc-cat-language-courses" name="categories" value="language-courses" checked/);
    const before = await changes(at);
    const refused = await admin.submit(`/ui/services/${serviceId}`, trainingForm({ modes: [], status: '', accepting: '' }), `/ui/services/${serviceId}/edit`);
    expect(refused.status).toBe(422);
    expect(textOf(await refused.text())).toContain('Please fill in “How the service is given”.');
    expect(await changes(at)).toEqual(before);

    net.clock.advance(60_000);
    const saved = await admin.submit(`/ui/services/${serviceId}`, trainingForm({ modes: ['in-person', 'online'], status: '', accepting: '' }), `/ui/services/${serviceId}/edit`);
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/ui/services/${serviceId}`);
    expect(noticeLeft(saved)).toBe('svcSaved');
    const [service] = await services();
    expect(service).toMatchObject({ modes: ['in-person', 'online'], status: 'active', accepting_referrals: true, updated_at: net.clock.now().toISOString() });
  });

  it('is paused and published again by an administrator, and gr sees each', async () => {
    const paused = await admin.submit(`/ui/services/${serviceId}/pause`, {}, `/ui/services/${serviceId}`);
    expect(paused.headers.get('location')).toBe(`/ui/services/${serviceId}`);
    expect(noticeLeft(paused)).toBe('svcPaused');
    expect((await services())[0]!.status).toBe('paused');
    const page = textOf(await admin.html(`/ui/services/${serviceId}`));
    expect(page).toContain('Still listed, but not offered to other organisations.');
    expect(page).toContain('Publish the service again');
    await syncOnGr();
    expect((await heldByGr())[0]).toMatchObject({ id: serviceId, status: 'paused' });

    const resumed = await admin.submit(`/ui/services/${serviceId}/resume`, {}, `/ui/services/${serviceId}`);
    expect(resumed.headers.get('location')).toBe(`/ui/services/${serviceId}`);
    expect(noticeLeft(resumed)).toBe('svcResumed');
    expect((await services())[0]!.status).toBe('active');
    await syncOnGr();
    expect((await heldByGr())[0]).toMatchObject({ id: serviceId, status: 'active' });
  });

  it('has its places changed by a caseworker, never above its total, and gr sees it', async () => {
    const page = textOf(await caseworker.html(`/ui/services/${serviceId}`));
    expect(page).toContain('Places free now (of 12)');
    expect(page).not.toContain('Pause the service');
    const before = await changes(at);
    const tooMany = await caseworker.submit(`/ui/services/${serviceId}/availability`, { accepting: 'yes', available: '13' }, `/ui/services/${serviceId}`);
    expect(tooMany.status).toBe(422);
    const refused = await tooMany.text();
    expect(textOf(refused)).toContain('There cannot be more than 12 places free: that is the total.');
    expect(refused).toContain('value="13"');
    expect(await changes(at)).toEqual(before);

    const saved = await caseworker.submit(`/ui/services/${serviceId}/availability`, { accepting: 'no', available: '0' }, `/ui/services/${serviceId}`);
    expect(saved.headers.get('location')).toBe(`/ui/services/${serviceId}`);
    expect(noticeLeft(saved)).toBe('svcAvailabilitySaved');
    expect((await services())[0]).toMatchObject({ accepting_referrals: false, capacity: { available: 0, maximum: 12 } });
    expect(textOf(await caseworker.html('/ui/services'))).toContain('Does not take referrals now. 0 of 12 places free.');
    await syncOnGr();
    expect((await heldByGr())[0]).toMatchObject({ accepting_referrals: false, capacity: { available: 0, maximum: 12 } });
  });

  it('is not changed by a caseworker or an auditor beyond its places', async () => {
    const before = await changes(at);
    for (const action of ['pause', 'delete', 'edit']) {
      const path = action === 'edit' ? `/ui/services/${serviceId}` : `/ui/services/${serviceId}/${action}`;
      expect((await caseworker.submit(path, { confirm: 'yes' }, '/ui/services')).status).toBe(403);
    }
    expect((await auditor.go('/ui/services')).status).toBe(403);
    expect((await auditor.submit(`/ui/services/${serviceId}/availability`, { available: '5' })).status).toBe(403);
    expect(await changes(at)).toEqual(before);
  });

  it('is deleted only once the administrator read that the directory will no longer list it', async () => {
    const confirm = textOf(await admin.html(`/ui/services/${serviceId}/delete`));
    expect(confirm).toContain('The directory will no longer list it.');
    expect(confirm).toContain('Delete for good');
    const before = await changes(at);
    const unconfirmed = await admin.submit(`/ui/services/${serviceId}/delete`, {}, `/ui/services/${serviceId}/delete`);
    expect(unconfirmed.status).toBe(422);
    expect(await changes(at)).toEqual(before);

    const deleted = await admin.submit(`/ui/services/${serviceId}/delete`, { confirm: 'yes' }, `/ui/services/${serviceId}/delete`);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/ui/services');
    expect(noticeLeft(deleted)).toBe('svcDeleted');
    expect(await services()).toEqual([]);
    expect(await auditActions()).toEqual(['created', 'updated', 'paused', 'resumed', 'availability', 'deleted']);
    expect((await admin.go(`/ui/services/${serviceId}`)).status).toBe(404);
    await syncOnGr();
    expect(await heldByGr()).toEqual([]);
  });

  it('answers an address that names no service with a page that says so', async () => {
    for (const path of ['/ui/services/not-a-uuid', '/ui/services/not-a-uuid/edit', `/ui/services/${serviceId}/delete`]) {
      const response = await admin.go(path);
      expect(response.status, path).toBe(404);
      expect(textOf(await response.text())).toContain('There is no page at this address.');
    }
  });
});

describe('the directory of the network', () => {
  it('shows each partner\'s directory as up to date, with its services, after a sync', async () => {
    await syncOnGr();
    const text = textOf(await grAdmin.html('/ui/directory'));
    expect(text).toContain('Every partner organisation was asked. The table shows what came back.');
    expect(text).toContain('Test organisation AT');
    expect(text).toContain('Up to date');
    expect(text).toContain('Sync now');
  });

  it('says a partner\'s directory was never received, until a caseworker syncs it', async () => {
    const third = await signedInAs(at, 'caseworker', net.clock.now());
    expect(textOf(await third.html('/ui/directory'))).toContain('Never received');
    const response = await third.submit('/ui/directory/sync', {}, '/ui/directory');
    expect(response.status).toBe(303);
    const text = textOf(await third.html('/ui/directory'));
    expect(text).toContain('Test organisation GR');
    expect(text).toContain('Up to date');
    expect(text).not.toContain('Never received');
    expect((await auditor.submit('/ui/directory/sync', {})).status).toBe(403);
  });

  it('exports our services in HSDS form, and the whole network\'s for administrators only', async () => {
    await admin.submit('/ui/services', trainingForm(), '/ui/services/new');
    const own = await caseworker.go('/ui/directory/hsds');
    expect(own.status).toBe(200);
    expect(own.headers.get('content-disposition')).toContain('attachment');
    const body = (await own.json()) as Json;
    expect(body.hsds_version).toBe('3.0');
    expect(body.organizations[0].services.map((s: Json) => s.name)).toEqual(['Vocational training in retail and care']);
    expect(await caseworker.html('/ui/directory')).not.toContain('/ui/directory/hsds/network');
    expect((await caseworker.go('/ui/directory/hsds/network')).status).toBe(403);
    const network = await grAdmin.go('/ui/directory/hsds/network');
    expect(network.status).toBe(200);
    expect(((await network.json()) as Json).organizations.length).toBeGreaterThanOrEqual(1);
  });
});
