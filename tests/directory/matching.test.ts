// Matching across the directories a node holds: what fits a client's needs, best first, with why
// each fits and what does not (language, eligibility, capacity, area), and a referral started
// from a match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser } from '../../node/users/service.js';
import { syncPeerDirectories } from '../../node/directory/sync.js';
import { demoServices } from '../../node/demo/services.js';
import { cli } from '../_util/cli.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode; // the caseworker in Athens searches from here; it has services of its own
let at: TestNode; // Vienna
let it3: TestNode; // Rome

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
  for (const [node, key] of [[gr, 'gr'], [at, 'at'], [it3, 'it']] as const) {
    for (const service of demoServices[key]) expect((await api(node, 'POST', '/api/v1/services', service)).status).toBe(201);
  }
  await syncPeerDirectories(gr.ctx, { force: true });
});
afterAll(() => net.close());

const match = async (query: Json) => {
  const response = await gr.request('/api/v1/match', { method: 'POST', headers: { authorization: `Bearer ${gr.token}`, 'content-type': 'application/json' }, body: JSON.stringify(query) });
  expect(response.status).toBe(200);
  return (await expectMatchesSpec('local', 'POST', '/api/v1/match', response)) as Json;
};
const names = (found: Json) => found.results.map((r: Json) => r.service.name.en);
const details = (list: Json[]) => list.map((r) => `${r.criterion}: ${r.detail}`);

describe('matching', () => {
  it('finds vocational training in Austria for an Arabic-speaking asylum seeker with a child, and says why', async () => {
    const found = await match({ needs: ['vocational-training'], country: 'AT', languages: ['ar', 'en'], gender: 'female', age: 29, legal_status: 'asylum-seeker', with_children: true });
    expect(found.searched).toEqual({ services: 9, peers: 2 });
    const [first] = found.results;
    expect(first).toMatchObject({ organization: { node_id: at.id, country: 'AT', own: false }, referable: true, misfits: [] });
    expect(first.service.name.en).toBe('Vocational training in retail and care');
    expect(details(first.reasons)).toEqual([
      'need: Vocational training and apprenticeships', 'place: in AT', 'language: works in ar, en', 'eligibility: for women',
      'eligibility: age 29 within its range', 'eligibility: serves asylum-seeker', 'children: children can come too', 'availability: 3 places free',
    ]);
    // The same, structured: what a client translates (the English sentence may be reworded).
    expect(first.reasons.map((r: Json) => [r.code, r.values])).toEqual([
      ['need-exact', { category: 'vocational-training' }], ['place-country', { country: 'AT' }], ['language-shared', { languages: 'ar,en' }], ['women', {}],
      ['age-within', { age: '29' }], ['status-served', { status: 'asylum-seeker' }], ['children-welcome', {}], ['places-free', { count: '3' }],
    ]);
  });

  it('ranks a service in her language above one that is not, and says so', async () => {
    const found = await match({ needs: ['language-courses'], languages: ['ar'] });
    expect(names(found)).toEqual(['Greek for work, evening classes', 'Italian courses for adults']);
    expect(found.results[0].organization.own).toBe(true);
    expect(found.results[0].referable).toBe(false);
    expect(details(found.results[1].misfits)).toEqual(['language: works in it, en, fr, not ar']);
    expect(found.results[1].misfits[0]).toMatchObject({ code: 'language-none', values: { languages: 'it,en,fr', asked: 'ar' } });
  });

  it('says what does not fit in eligibility and capacity, and ranks it lower', async () => {
    const young = await match({ needs: ['vocational-training'], country: 'AT', age: 16, legal_status: 'undocumented' });
    expect(details(young.results[0].misfits)).toEqual(['eligibility: from age 18', 'eligibility: serves asylum-seeker, international-protection, residence-permit, eu-citizen, not undocumented']);
    const counselling = await match({ needs: ['psychological-support'], country: 'AT' });
    expect(counselling.results[0]).toMatchObject({ referable: false });
    expect(details(counselling.results[0].misfits)).toEqual(['availability: not taking referrals now', 'availability: no place free now']);
  });

  it('keeps to the country asked, except for what is given online', async () => {
    expect(names(await match({ needs: ['safe-housing'], country: 'GR' }))).toEqual(['Safe house for women and their children']);
    expect(names(await match({ needs: ['safe-housing'], country: 'IT' }))).toEqual(['Protected accommodation and social inclusion']);
    const online = await match({ needs: ['language-courses'], country: 'AT' });
    expect(names(online)).toEqual(['Greek for work, evening classes', 'Italian courses for adults']);
    expect(details(online.results[1].misfits)).toEqual(['place: in IT, not AT; given online']);
    expect(online.results[1].misfits[0]).toMatchObject({ code: 'place-elsewhere', values: { country: 'IT', asked: 'AT', modes: 'online' } });
  });

  it('meets a broad need with a narrower service, and a narrow one with a broader service', async () => {
    const housing = { ...demoServices.gr[0]!, name: { en: 'Housing advice' }, categories: ['accommodation'], capacity: undefined };
    expect((await api(gr, 'POST', '/api/v1/services', housing)).status).toBe(201);
    const broad = await match({ needs: ['legal-aid'], country: 'IT' });
    expect(details(broad.results[0].reasons)[0]).toBe('need: Legal aid: labour rights (a kind of Legal aid)');
    expect(broad.results[0].reasons[0]).toMatchObject({ code: 'need-narrower', values: { category: 'legal-aid-labour-rights', need: 'legal-aid' } });
    const narrow = await match({ needs: ['emergency-shelter'], country: 'GR' });
    expect(names(narrow)).toEqual(['Housing advice']);
    expect(details(narrow.results[0].reasons)[0]).toBe('need: Accommodation (broader than Emergency shelter)');
    expect(narrow.results[0].reasons[0]).toMatchObject({ code: 'need-broader', values: { category: 'accommodation', need: 'emergency-shelter' } });
  });

  it('lists a service once, though several of its categories meet the needs', async () => {
    const found = await match({ needs: ['legal-aid'], country: 'GR' });
    // Its two categories (asylum, residence) both meet legal aid; the desk in Rome answers by phone.
    expect(names(found)).toEqual(['Asylum and residence legal counselling', 'Labour rights desk']);
    expect(details(found.results[0].reasons)[0]).toBe('need: Legal aid: asylum (a kind of Legal aid)');
  });

  it('counts each need by the best of the service\'s categories, whatever their order', async () => {
    for (const categories of [['accommodation', 'emergency-shelter'], ['emergency-shelter', 'accommodation']]) {
      expect((await api(gr, 'POST', '/api/v1/services', { ...demoServices.gr[0]!, name: { en: `Shelter ${categories[0]}` }, categories, capacity: undefined })).status).toBe(201);
    }
    const found = await match({ needs: ['emergency-shelter'], country: 'GR' });
    const shelters = found.results.filter((r: Json) => r.service.name.en.startsWith('Shelter '));
    expect(shelters.map((r: Json) => r.score)).toEqual([shelters[0].score, shelters[0].score]);
    for (const r of shelters) expect(details(r.reasons)[0]).toBe('need: Emergency shelter');
    const both = await match({ needs: ['legal-aid', 'legal-aid-asylum'], country: 'GR' });
    expect(both.results[0].misfits).toEqual([]);
    expect(details(both.results[0].reasons).slice(0, 2)).toEqual(['need: Legal aid: asylum (a kind of Legal aid)', 'need: Legal aid: asylum']);
    for (const r of shelters) expect((await api(gr, 'DELETE', `/api/v1/services/${r.service.id}`)).status).toBe(204);
  });

  it('refuses a region or a city without a country', async () => {
    expect((await api(gr, 'POST', '/api/v1/match', { needs: ['employment'], city: 'Vienna' })).status).toBe(422);
  });

  it('leaves out paused services and those of peers no longer trusted', async () => {
    const id = (await api(at, 'GET', '/api/v1/services')).body.items[0].id as string;
    await api(at, 'POST', `/api/v1/services/${id}/pause`);
    await syncPeerDirectories(gr.ctx, { force: true });
    expect(names(await match({ needs: ['vocational-training'], country: 'AT' }))).toEqual([]);
    await api(at, 'POST', `/api/v1/services/${id}/resume`);
    await syncPeerDirectories(gr.ctx, { force: true });
    expect(names(await match({ needs: ['vocational-training'], country: 'AT' }))).toEqual(['Vocational training in retail and care']);
    await api(gr, 'POST', '/api/v1/peers/suspend', { id: at.id });
    expect(names(await match({ needs: ['vocational-training'], country: 'AT' }))).toEqual([]);
    await api(gr, 'POST', '/api/v1/peers/restore', { id: at.id });
  });

  it('is for caseworkers and administrators, and refuses a query not of its form', async () => {
    await createUser(gr.ctx.database, { username: 'auditor', role: 'auditor' }, net.clock.now());
    const auditor = await createApiToken(gr.ctx.database, 'auditor', { label: 'test', days: gr.ctx.limits.apiTokenDays }, net.clock.now());
    const asAuditor = await gr.request('/api/v1/match', { method: 'POST', headers: { authorization: `Bearer ${auditor}`, 'content-type': 'application/json' }, body: '{"needs":["employment"]}' });
    expect(asAuditor.status).toBe(403);
    const bad = await api(gr, 'POST', '/api/v1/match', { needs: ['knitting'] });
    expect(bad.status).toBe(422);
  });
});

describe('a referral started from a match', () => {
  it('names the service, which the receiver sees', async () => {
    const [first] = (await match({ needs: ['vocational-training'], country: 'AT', languages: ['ar'] })).results;
    const created = await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(first.organization.node_id, { needs: ['vocational-training'] }), service_id: first.service.id });
    expect(created.status).toBe(201);
    await net.settle();
    expect((await api(at, 'GET', `/api/v1/referrals/${created.body.id}`)).body.content).toMatchObject({ service_id: first.service.id, needs: ['vocational-training'] });
  });

  it('is refused for a service paused or not taking referrals, also when a draft is sent later', async () => {
    const services = (await api(at, 'GET', '/api/v1/services')).body.items as Json[];
    const counselling = services.find((x) => x.name.en === 'Trauma-informed counselling')!;
    const refused = await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(at.id), service_id: counselling.id });
    expect(refused.status).toBe(422);
    expect(refused.body.title).toBe('Not taking referrals');
    const training = services.find((x) => x.name.en === 'Vocational training in retail and care')!;
    const draft = await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(at.id), service_id: training.id, draft: true });
    expect(draft.status).toBe(201);
    await api(at, 'POST', `/api/v1/services/${training.id}/pause`);
    await syncPeerDirectories(gr.ctx, { force: true });
    const sent = await api(gr, 'POST', `/api/v1/referrals/${draft.body.id}/send`);
    expect(sent.status).toBe(422);
    expect(sent.body.title).toBe('Service paused');
    await api(at, 'POST', `/api/v1/services/${training.id}/resume`);
    await syncPeerDirectories(gr.ctx, { force: true });
    expect((await api(gr, 'POST', `/api/v1/referrals/${draft.body.id}/send`)).status).toBe(200);
  });

  it('can name a service when a received case is referred on', async () => {
    const request = referralRequest(at.id);
    const { body } = await api(gr, 'POST', '/api/v1/referrals', { ...request, consent: { ...request.consent, onward_referral: { allowed: true } } });
    await net.settle();
    expect((await api(at, 'POST', `/api/v1/referrals/${body.id}/accept`, {})).status).toBe(200);
    await net.settle();
    await syncPeerDirectories(at.ctx, { force: true });
    const rome = ((await api(it3, 'GET', '/api/v1/services')).body.items as Json[]).find((x) => x.name.en === 'Italian courses for adults')!;
    const unknown = await api(at, 'POST', `/api/v1/referrals/${body.id}/refer-onward`, { to: it3.id, reason: 'She is moving to Rome.', service_id: '0190a0b0-0000-7000-8000-00000000beef' });
    expect(unknown.status).toBe(422);
    const onward = await api(at, 'POST', `/api/v1/referrals/${body.id}/refer-onward`, { to: it3.id, reason: 'She is moving to Rome.', service_id: rome.id });
    expect(onward.status).toBe(201);
    await net.settle();
    expect((await api(it3, 'GET', `/api/v1/referrals/${onward.body.id}`)).body.content).toMatchObject({ service_id: rome.id, onward_of: { referral_id: body.id } });
  });

  it('is refused, changing nothing, for a service not in that organisation\'s directory', async () => {
    const before = await snapshot(gr);
    const refused = await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(it3.id), service_id: '0190a0b0-0000-7000-8000-00000000beef' });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/not in the current directory of/);
    expect(await snapshot(gr)).toEqual(before);
  });

  it('takes the query from a file, so that what is said about her stays out of the shell history', async () => {
    const file = `${gr.dataDir}/query.json`;
    (await import('node:fs')).writeFileSync(file, JSON.stringify({ needs: ['vocational-training'], country: 'AT', age: 16, legal_status: 'undocumented' }));
    const out = await cli('match', '--file', file, '--data', gr.dataDir);
    expect(out).toMatch(/does not fit: from age 18; serves .*, not undocumented/);
  });

  it('is found from the CLI, with why and how to refer', async () => {
    const out = await cli('match', '--need', 'vocational-training', '--country', 'AT', '--language', 'ar,en', '--with-children', '--data', gr.dataDir);
    expect(out).toMatch(/^Searched 10 services, this organisation's and 2 peers'; 1 fits a need\./);
    expect(out).toMatch(/1\. Vocational training in retail and care: Test organisation AT, Vienna, AT \[score \d+\]/);
    expect(out).toMatch(/fits: Vocational training and apprenticeships; in AT; works in ar, en; children can come too; 3 places free/);
    expect(out).toMatch(new RegExp(`refer: "to": "${at.id}", "service_id": "[0-9a-f-]{36}"`));
  });
});

describe('a directory that expires', () => {
  it('is no longer matched, and a fresh one is at once', async () => {
    expect(names(await match({ needs: ['vocational-training'], country: 'AT' }))).toEqual(['Vocational training in retail and care']);
    net.clock.advance(25 * 60 * 60_000);
    expect(names(await match({ needs: ['vocational-training'], country: 'AT' }))).toEqual([]);
    await syncPeerDirectories(gr.ctx, { force: true });
    expect(names(await match({ needs: ['vocational-training'], country: 'AT' }))).toEqual(['Vocational training in retail and care']);
  });
});
