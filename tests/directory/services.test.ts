// The organisation's own services: described, read, changed, paused, resumed, made available or
// not, and removed, from the local API and the CLI; every change in the audit log; bad input and
// the wrong role refused, changing nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser } from '../../node/users/service.js';
import { cli, cliResult } from '../_util/cli.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { createTestNetwork, type Json, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { trainingService } from '../_util/services.js';

let net: TestNetwork;
let node: TestNode;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  net = await createTestNetwork(1);
  node = net.nodes[0]!;
  tokens.admin = node.token;
  for (const role of ['caseworker', 'auditor'] as const) {
    await createUser(node.ctx.database, { username: role, role }, net.clock.now());
    tokens[role] = await createApiToken(node.ctx.database, role, { label: 'test', days: node.ctx.limits.apiTokenDays }, net.clock.now());
  }
});
afterAll(() => net.close());

async function call(role: string, method: string, path: string, body?: unknown): Promise<Response> {
  return node.request(path, {
    method,
    headers: { authorization: `Bearer ${tokens[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
const checked = async (role: string, method: string, path: string, specPath: string, body?: unknown) =>
  (await expectMatchesSpec('local', method, specPath, await call(role, method, path, body))) as Json;
const auditActions = async () =>
  (await node.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'service.changed').orderBy('idx').execute()).map((r) => JSON.parse(r.entry).action as string);

describe('own services in the local API', () => {
  let id: string;

  it('are described by an administrator and read by everyone signed in', async () => {
    const created = await call('admin', 'POST', '/api/v1/services', trainingService());
    expect(created.status).toBe(201);
    const body = (await expectMatchesSpec('local', 'POST', '/api/v1/services', created)) as Json;
    id = body.id;
    expect(created.headers.get('location')).toBe(`/api/v1/services/${id}`);
    expect(body).toMatchObject({ ...trainingService(), status: 'active', accepting_referrals: true, created_at: net.clock.now().toISOString() });
    for (const role of ['admin', 'caseworker', 'auditor']) {
      expect((await checked(role, 'GET', '/api/v1/services', '/api/v1/services')).items).toEqual([body]);
      expect(await checked(role, 'GET', `/api/v1/services/${id}`, '/api/v1/services/{id}')).toEqual(body);
    }
  });

  it('are changed, paused, resumed and made available by those allowed to', async () => {
    net.clock.advance(60_000);
    const replaced = await checked('admin', 'PUT', `/api/v1/services/${id}`, '/api/v1/services/{id}', trainingService({ modes: ['in-person', 'online'], capacity: undefined }));
    expect(replaced).toMatchObject({ modes: ['in-person', 'online'], updated_at: net.clock.now().toISOString() });
    expect(replaced.capacity).toBeUndefined();
    expect((await checked('admin', 'POST', `/api/v1/services/${id}/pause`, '/api/v1/services/{id}/pause')).status).toBe('paused');
    expect((await checked('admin', 'POST', `/api/v1/services/${id}/resume`, '/api/v1/services/{id}/resume')).status).toBe('active');
    const available = await checked('caseworker', 'POST', `/api/v1/services/${id}/availability`, '/api/v1/services/{id}/availability', { accepting_referrals: false, available: 0 });
    expect(available).toMatchObject({ accepting_referrals: false, capacity: { available: 0 }, modes: ['in-person', 'online'] });
    expect(await auditActions()).toEqual(['created', 'updated', 'paused', 'resumed', 'availability']);
  });

  it.each([
    ['a caseworker describing a service', 'caseworker', 'POST', '/api/v1/services', trainingService(), 403],
    ['an auditor setting availability', 'auditor', 'POST', '/api/v1/services/{id}/availability', { available: 1 }, 403],
    ['a service without categories', 'admin', 'POST', '/api/v1/services', trainingService({ categories: [] }), 422],
    ['a category not in the taxonomy', 'admin', 'POST', '/api/v1/services', trainingService({ categories: ['knitting'] }), 422],
    ['a street address', 'admin', 'POST', '/api/v1/services', trainingService({ location: { country: 'AT', city: 'Wien', address: 'Hauptstraße 1' } }), 422],
    ['a field the schema does not know', 'admin', 'POST', '/api/v1/services', trainingService({ secret_note: 'x' }), 422],
    ['ages that contradict each other', 'admin', 'POST', '/api/v1/services', trainingService({ eligibility: { minimum_age: 30, maximum_age: 18 } }), 422],
    ['more places free than there are', 'admin', 'PUT', '/api/v1/services/{id}', trainingService({ capacity: { available: 13, maximum: 12 } }), 422],
    ['an availability above the maximum', 'admin', 'POST', '/api/v1/services/{id}/availability', { available: 99 }, 422],
    ['an empty availability', 'admin', 'POST', '/api/v1/services/{id}/availability', {}, 422],
    ['an unknown service', 'admin', 'POST', '/api/v1/services/0190a0b0-0000-7000-8000-00000000dead/pause', undefined, 404],
  ])('refuse %s, changing nothing', async (_name, role, method, path, body, status) => {
    // The availability above the maximum needs a maximum first.
    await call('admin', 'PUT', `/api/v1/services/${id}`, trainingService());
    await call(role as string, 'GET', '/api/v1/services'); // the token's last use is recorded by the sign-in, not by the refusal
    const before = await snapshot(node);
    const response = await call(role as string, method as string, (path as string).replace('{id}', id), body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await snapshot(node)).toEqual(before);
  });

  it('keep their state when described anew: a typo fixed does not reopen a full service', async () => {
    await call('admin', 'POST', `/api/v1/services/${id}/pause`);
    await call('caseworker', 'POST', `/api/v1/services/${id}/availability`, { accepting_referrals: false, available: 0 });
    const fixed = (await (await call('admin', 'PUT', `/api/v1/services/${id}`, trainingService({ name: { en: 'Vocational training in retail and in care' }, capacity: { available: 0, maximum: 12 } }))).json()) as Json;
    expect(fixed).toMatchObject({ status: 'paused', accepting_referrals: false, name: { en: 'Vocational training in retail and in care' } });
  });

  it('refuse a street address in a city, control characters, and more services than a directory holds', async () => {
    expect((await call('admin', 'POST', '/api/v1/services', trainingService({ location: { country: 'AT', city: 'Hauptstraße 1, 1010 Wien' } }))).status).toBe(422);
    expect((await call('admin', 'POST', '/api/v1/services', trainingService({ name: { en: 'Clear \u001b[2J screen' } }))).status).toBe(422);
    const now = net.clock.now().toISOString();
    const description = JSON.stringify(trainingService());
    await node.ctx.database.db
      .insertInto('services')
      .values(Array.from({ length: 500 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, description, status: 'active' as const, accepting_referrals: 1, created_at: now, updated_at: now })))
      .execute();
    const refused = await call('admin', 'POST', '/api/v1/services', trainingService());
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as Json).detail).toMatch(/at most 500 services/);
    await node.ctx.database.db.deleteFrom('services').where('id', 'like', '00000000-0000-4000-8000-%').execute();
  });

  it('are removed for good', async () => {
    const removed = await call('admin', 'DELETE', `/api/v1/services/${id}`);
    expect(removed.status).toBe(204);
    await expectMatchesSpec('local', 'DELETE', '/api/v1/services/{id}', removed);
    expect((await call('admin', 'GET', `/api/v1/services/${id}`)).status).toBe(404);
    expect((await auditActions()).at(-1)).toBe('deleted');
  });
});

describe('own services from the CLI', () => {
  it('are added, listed, made available, paused and removed', async () => {
    const file = join(node.dataDir, 'service.json');
    writeFileSync(file, JSON.stringify(trainingService({ name: { en: 'Legal counselling on asylum' }, categories: ['legal-aid-asylum'], capacity: undefined })));
    const added = JSON.parse(await cli('service', 'add', '--file', file, '--json', '--data', node.dataDir)) as Json;
    expect(added).toMatchObject({ status: 'active', categories: ['legal-aid-asylum'] });
    expect(await cli('service', 'list', '--data', node.dataDir)).toMatch(new RegExp(`${added.id} +Legal counselling on asylum +active +taking`));
    expect(await cli('service', 'availability', added.id, '--accepting', 'no', '--available', '2', '--data', node.dataDir)).toMatch(/not taking referrals now, 2 places free/);
    expect(await cli('service', 'pause', added.id, '--data', node.dataDir)).toMatch(/paused/);
    expect(await cli('service', 'show', added.id, '--data', node.dataDir)).toMatch(/Legal aid: asylum/);
    expect((await cliResult('service', 'availability', added.id, '--accepting', 'maybe', '--data', node.dataDir)).error?.message).toBe('--accepting takes yes or no.');
    writeFileSync(file, JSON.stringify({ name: { en: 'No categories' } }));
    expect((await cliResult('service', 'add', '--file', file, '--data', node.dataDir)).error?.message).toMatch(/does not match ServiceInput/);
    expect(await cli('service', 'delete', added.id, '--data', node.dataDir)).toBe(`Service ${added.id} removed.\n`);
    expect(await cli('service', 'list', '--data', node.dataDir)).toMatch(/No services yet/);
  });
});
