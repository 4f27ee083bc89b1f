// Consent records: recorded by caseworkers, named by referrals, checked before anything is sent,
// with an optional scanned form stored encrypted; auditors read the metadata and never the form.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../_util/cli.js';
import { createApiToken, createUser } from '../../node/users/service.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode;
let auditorToken: string;

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
  const now = net.clock.now();
  await createUser(gr.ctx.database, { username: 'auditor', role: 'auditor' }, now);
  auditorToken = await createApiToken(gr.ctx.database, 'auditor', { label: 'test', days: gr.ctx.limits.apiTokenDays }, now);
});
afterAll(() => net.close());

const inDays = (days: number) => new Date(net.clock.now().getTime() + days * 86_400_000).toISOString();

function consentInput(overrides: Json = {}): Json {
  return {
    categories: ['identity', 'situation'],
    purposes: ['referral', 'service-provision'],
    recipients: [at.id, it3.id],
    method: 'written',
    language: 'ro',
    valid_until: inDays(180),
    ...overrides,
  };
}

async function recordConsent(overrides: Json = {}): Promise<Json> {
  const { status, body } = await api(gr, 'POST', '/api/v1/consents', consentInput(overrides));
  expect(status, JSON.stringify(body)).toBe(201);
  return body;
}

function referralUnder(consentId: string, to: string, overrides: Json = {}): Json {
  const { consent: _inline, ...request } = referralRequest(to);
  return { ...request, consent_id: consentId, ...overrides };
}

async function asAuditor(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await gr.request(path, {
    method,
    headers: { authorization: `Bearer ${auditorToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await expectMatchesSpec('local', method, path, response)) as Json };
}

describe('a consent record', () => {
  it('is recorded with who obtained it, how, in which language and until when', async () => {
    const consent = await recordConsent();
    expect(consent).toMatchObject({
      origin: 'self', categories: ['identity', 'situation'], recipients: [at.id, it3.id], method: 'written', language: 'ro',
      status: 'in-force', withdrawn_for: [], referrals: [], erasures: [],
    });
    expect(consent.obtained_by).toMatch(/^[0-9a-f-]{36}$/);
    expect(consent.obtained_at).toBe(net.clock.now().toISOString());
    expect((await api(gr, 'GET', `/api/v1/consents/${consent.id}`)).body).toEqual(consent);
  });

  it('is refused when it is not in force, is dated in the future, or names a recipient that is not a node URL; nothing is written', async () => {
    const before = await snapshot(gr);
    for (const bad of [
      { valid_until: '2020-01-01T00:00:00Z' },
      { obtained_at: inDays(2) },
      { recipients: ['not a url'] },
      { purposes: [] },
      { method: 'telepathy' },
      { language: 'Arabic, through her cousin Samira' },
    ]) {
      const { status, body } = await api(gr, 'POST', '/api/v1/consents', consentInput(bad));
      expect(status, JSON.stringify(bad)).toBe(422);
      expect(body.type).toBe('urn:refnet:problem:invalid-request');
    }
    expect(await snapshot(gr)).toEqual(before);
  });

  it('lets a referral name it, and the receiver records the consent it came with', async () => {
    const consent = await recordConsent();
    const { status, body } = await api(gr, 'POST', '/api/v1/referrals', referralUnder(consent.id, at.id));
    expect(status).toBe(201);
    await net.settle();
    const sent = (await api(gr, 'GET', `/api/v1/referrals/${body.id}`)).body;
    expect(sent.consent_id).toBe(consent.id);
    const received = (await api(at, 'GET', `/api/v1/referrals/${body.id}`)).body;
    expect(received.content.consent).toMatchObject({ id: consent.id, recipients: [at.id], categories: ['identity', 'situation'] });
    const onReceiver = (await api(at, 'GET', `/api/v1/consents/${received.consent_id}`)).body;
    expect(onReceiver).toMatchObject({ origin: gr.id, origin_consent_id: consent.id, recipients: [at.id], status: 'in-force' });
    expect(onReceiver.referrals).toEqual([{ id: body.id, case_reference: expect.stringMatching(/^AT-\d{4}-\d{4}$/), direction: 'incoming', peer_id: gr.id, state: 'delivered' }]);
    expect((await api(gr, 'GET', `/api/v1/consents/${consent.id}`)).body.referrals).toEqual([
      { id: body.id, case_reference: expect.stringMatching(/^GR-\d{4}-\d{4}$/), direction: 'outgoing', peer_id: at.id, state: 'delivered' },
    ]);
  });

  it('refuses a referral to an organisation it does not name, with data outside it, or with two consents; nothing is written', async () => {
    const consent = await recordConsent({ recipients: [it3.id], categories: ['situation'] });
    const before = await snapshot(gr);
    const cases: Array<[Json, string]> = [
      [referralUnder(consent.id, at.id), 'urn:refnet:problem:consent-violation'],
      [referralUnder(consent.id, it3.id), 'urn:refnet:problem:consent-violation'], // the client data includes identity
      [referralUnder('6f1d1f6e-8a8e-4b8e-9d7e-0c1d2e3f4a5b', it3.id), 'urn:refnet:problem:consent-violation'],
      [{ ...referralUnder(consent.id, it3.id), consent: referralRequest(it3.id).consent }, 'urn:refnet:problem:invalid-request'],
      [(({ consent: _c, ...rest }) => rest)(referralRequest(it3.id)), 'urn:refnet:problem:consent-violation'],
    ];
    for (const [request, type] of cases) {
      const { status, body } = await api(gr, 'POST', '/api/v1/referrals', request);
      expect(status, JSON.stringify(body)).toBe(422);
      expect(body.type).toBe(type);
    }
    expect(await snapshot(gr)).toEqual(before);
  });

  it('received from another organisation cannot be used to send the case elsewhere', async () => {
    const consent = await recordConsent();
    const { body } = await api(gr, 'POST', '/api/v1/referrals', referralUnder(consent.id, at.id));
    await net.settle();
    const received = (await api(at, 'GET', `/api/v1/referrals/${body.id}`)).body;
    const refused = await api(at, 'POST', '/api/v1/referrals', referralUnder(received.consent_id, it3.id));
    expect(refused).toMatchObject({ status: 422, body: { type: 'urn:refnet:problem:consent-violation' } });
  });
});

describe('the scanned consent form', () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('CANARY-FORM-Maria-Popescu-signature'), Buffer.alloc(2048, 7)]);

  const put = (node: TestNode, id: string, body: Uint8Array, type: string, token = node.token) =>
    node.request(`/api/v1/consents/${id}/form`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

  it('is stored encrypted and given back unchanged to caseworkers and admins', async () => {
    const consent = await recordConsent();
    const response = await put(gr, consent.id, pdf, 'application/pdf');
    expect(response.status).toBe(200);
    const body = (await expectMatchesSpec('local', 'PUT', `/api/v1/consents/${consent.id}/form`, response)) as Json;
    expect(body.form).toEqual({ media_type: 'application/pdf', size: pdf.length, attached_at: net.clock.now().toISOString() });

    const back = await gr.request(`/api/v1/consents/${consent.id}/form`, { headers: { authorization: `Bearer ${gr.token}` } });
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('application/pdf');
    // Saved as a file named by the consent's id, never opened as a page, never cached, its type never guessed.
    expect(back.headers.get('content-disposition')).toBe(`attachment; filename="consent-${consent.id}.pdf"`);
    expect(back.headers.get('x-content-type-options')).toBe('nosniff');
    expect(back.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await back.arrayBuffer())).toEqual(pdf);

    for (const file of readdirSync(gr.dataDir)) {
      expect(readFileSync(join(gr.dataDir, file)).includes('CANARY-FORM'), file).toBe(false);
    }
  });

  it('is refused when too large, of another type, or not what its type says; nothing is written', async () => {
    const consent = await recordConsent();
    const before = await snapshot(gr);
    expect((await put(gr, consent.id, Buffer.from('plain text'), 'text/plain')).status).toBe(415);
    expect((await put(gr, consent.id, Buffer.from('GIF89a....'), 'image/png')).status).toBe(422);
    expect((await put(gr, consent.id, Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(10 * 1024 * 1024)]), 'application/pdf')).status).toBe(413);
    expect(await snapshot(gr)).toEqual(before);
  });

  it('is refused (415) for a content type that names a property every object has; it answered 500 (npm run fuzz found it)', async () => {
    const consent = await recordConsent();
    const before = await snapshot(gr);
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const response = await put(gr, consent.id, Buffer.from('%PDF-1.7'), type);
      expect(response.status, type).toBe(415);
      expect(((await expectMatchesSpec('local', 'PUT', `/api/v1/consents/${consent.id}/form`, response)) as Json).type).toBe('urn:refnet:problem:unsupported-media-type');
    }
    expect(await snapshot(gr)).toEqual(before);
  });

  it('is never shown to an auditor, who reads the consent metadata', async () => {
    const consent = await recordConsent();
    expect((await put(gr, consent.id, pdf, 'application/pdf')).status).toBe(200);
    const metadata = await asAuditor('GET', `/api/v1/consents/${consent.id}`);
    expect(metadata.status).toBe(200);
    expect(metadata.body.form.media_type).toBe('application/pdf');
    expect((await asAuditor('GET', '/api/v1/consents')).body.items.map((c: Json) => c.id)).toContain(consent.id);
    expect((await asAuditor('GET', `/api/v1/consents/${consent.id}/form`)).status).toBe(403);
    expect((await asAuditor('POST', '/api/v1/consents', consentInput())).status).toBe(403);
    expect((await asAuditor('POST', `/api/v1/consents/${consent.id}/withdraw`, {})).status).toBe(403);
    expect((await asAuditor('GET', `/api/v1/referrals`)).status).toBe(403);
  });
});

describe('two withdrawals at the same moment', () => {
  it('for different recipients both count', async () => {
    const consent = await recordConsent();
    const [first, second] = await Promise.all([
      api(gr, 'POST', `/api/v1/consents/${consent.id}/withdraw`, { recipients: [at.id] }),
      api(gr, 'POST', `/api/v1/consents/${consent.id}/withdraw`, { recipients: [it3.id] }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const after = (await api(gr, 'GET', `/api/v1/consents/${consent.id}`)).body;
    expect(after.status).toBe('withdrawn');
    expect([...after.withdrawn_for].sort()).toEqual([at.id, it3.id].sort());
  });
});

describe('the list of consent records', () => {
  it('pages through records, newest first, and filters by status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      net.clock.advance(1000);
      ids.push((await recordConsent()).id);
    }
    const first = await api(gr, 'GET', '/api/v1/consents?limit=2');
    expect(first.body.items.map((c: Json) => c.id)).toEqual([ids[2], ids[1]]);
    const second = await api(gr, 'GET', `/api/v1/consents?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(second.body.items[0].id).toBe(ids[0]);
    await api(gr, 'POST', `/api/v1/consents/${ids[1]}/withdraw`, {});
    const withdrawn = await api(gr, 'GET', '/api/v1/consents?status=withdrawn');
    const withdrawnIds = withdrawn.body.items.map((c: Json) => c.id);
    expect(withdrawnIds).toContain(ids[1]);
    expect(withdrawnIds).not.toContain(ids[0]);
    expect(withdrawn.body.items.every((c: Json) => c.status === 'withdrawn')).toBe(true);
    expect((await api(gr, 'GET', '/api/v1/consents?status=gone')).status).toBe(400);
    expect((await api(gr, 'GET', '/api/v1/consents?cursor=nonsense')).status).toBe(400);
  });
});

describe('the CLI', () => {
  it('records, lists, shows, attaches a form and withdraws', async () => {
    const file = join(gr.dataDir, '..', 'consent.json');
    const formFile = join(gr.dataDir, '..', 'form.png');
    const { obtained_at: _omitted, ...input } = consentInput({ valid_until: new Date(Date.now() + 90 * 86_400_000).toISOString() });
    writeFileSync(file, JSON.stringify(input));
    writeFileSync(formFile, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 1)]));
    const recorded = JSON.parse(await cli('consent', 'record', '--file', file, '--json', '--user', 'admin', '--data', gr.dataDir)) as Json;
    expect(recorded).toMatchObject({ status: 'in-force', recipients: [at.id, it3.id] });
    expect(await cli('consent', 'list', '--status', 'in-force', '--data', gr.dataDir)).toContain(recorded.id);
    expect(await cli('consent', 'attach-form', recorded.id, '--file', formFile, '--user', 'admin', '--data', gr.dataDir)).toMatch(/stored encrypted/);
    expect(await cli('consent', 'withdraw', recorded.id, '--recipient', it3.id, '--user', 'admin', '--data', gr.dataDir)).toMatch(/partly-withdrawn/);
    const shown = JSON.parse(await cli('consent', 'show', recorded.id, '--json', '--data', gr.dataDir)) as Json;
    expect(shown).toMatchObject({ withdrawn_for: [it3.id], form: { media_type: 'image/png', size: 108 } });
    await expect(cli('consent', 'show', '6f1d1f6e-8a8e-4b8e-9d7e-0c1d2e3f4a5b', '--data', gr.dataDir)).rejects.toThrow(/no consent record/);
    await expect(cli('consent', 'attach-form', recorded.id, '--file', file, '--user', 'admin', '--data', gr.dataDir)).rejects.toThrow(/\.pdf, \.jpg/);
  });
});
