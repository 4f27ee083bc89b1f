// What every response says about itself (node/http/response-headers.ts): every operation of both
// specs, asked once with an admin's token and once without, answers with no-store, nosniff and no
// referrer, and every error it gives is a problem document; the web interface's pages keep their
// own policy; HSTS comes only from a node whose public URL is https.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { loadSpec, type SpecName } from '../../node/schema/validators.js';
import { createServerApp } from '../../server/app.js';
import { STRICT_TRANSPORT_SECURITY } from '../../node/http/response-headers.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let node: TestNode;
/** The same node's app, as it is built when its public URL is https (a proxy speaks http to it). */
let overHttps: Hono;

beforeAll(async () => {
  net = await createTestNetwork(1, { trust: false });
  node = net.nodes[0]!;
  overHttps = createServerApp({ ...node.ctx, self: { ...node.ctx.self, nodeId: 'https://node.example.org' } }, () => {});
});
afterAll(() => net.close());

/** Every operation of both specs, its path parameters filled with fresh ids. */
const operations = (['local', 'federation'] as SpecName[]).flatMap((spec) =>
  Object.entries(loadSpec(spec).paths as Record<string, Record<string, unknown>>).flatMap(([template, methods]) =>
    Object.keys(methods)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => ({ spec, method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, () => randomUUID()) })),
  ),
);

function expectStandardHeaders(response: Response, what: string): void {
  expect(response.headers.get('cache-control'), what).toBe('no-store');
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(response.headers.get('strict-transport-security'), `${what}: HSTS from a node whose URL is http`).toBeNull();
}

/** An error's body: a problem document, never empty. */
async function expectProblem(response: Response, what: string): Promise<void> {
  expect(response.headers.get('content-type'), what).toBe('application/problem+json');
  const problem = (await response.json()) as { type?: string; status?: number };
  expect(problem.type, what).toMatch(/^urn:refnet:problem:/);
  expect(problem.status, what).toBe(response.status);
}

describe('every response of the APIs', () => {
  it('says no-store, nosniff and no-referrer, for an admin and for no one, and every error is a problem document', async () => {
    const statuses = new Set<number>();
    for (const { spec, method, path } of operations) {
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined;
      for (const token of [node.token, undefined]) {
        const what = `${method} ${path} ${token ? 'as an admin' : 'without a token'}`;
        const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) };
        const response = await node.request(path, { method, headers, ...(body ? { body } : {}) });
        statuses.add(response.status);
        expectStandardHeaders(response, what);
        if (response.status >= 400) await expectProblem(response.clone(), what);
        await expectMatchesSpec(spec, method, path, response);
      }
    }
    // The walk saw answers of every kind: successes, refusals of the caller and of the request.
    expect([...statuses].some((s) => s < 300)).toBe(true);
    for (const status of [401, 404, 415, 422]) expect(statuses).toContain(status);
  });

  it('says the same where there is no route, for any method', async () => {
    const admin = { authorization: `Bearer ${node.token}` };
    for (const [method, path] of [['GET', '/nowhere'], ['DELETE', '/healthz'], ['OPTIONS', '/.well-known/referral-node'], ['GET', '/federation/v1/nowhere'], ['GET', '/%zz']] as const) {
      const response = await node.request(path, { method, headers: admin });
      expect(response.status, `${method} ${path}`).toBe(404);
      expectStandardHeaders(response, `${method} ${path}`);
      await expectProblem(response, `${method} ${path}`);
    }
  });

  it('keeps the public identity document out of caches, with its ETag', async () => {
    const document = await node.request('/.well-known/referral-node');
    expect(document.headers.get('cache-control')).toBe('no-store');
    const etag = document.headers.get('etag')!;
    const unchanged = await node.request('/.well-known/referral-node', { headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);
    expectStandardHeaders(unchanged, 'an unchanged identity document');
  });
});

describe('the web interface', () => {
  it('keeps its own policy and referrer policy, and is not cached unless it says so', async () => {
    for (const path of ['/ui/login', '/ui/nowhere', '/ui/overview']) {
      const response = await node.request(path, { redirect: 'manual' });
      expect(response.headers.get('cache-control'), path).toBe('no-store');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
    }
    // The error page of the interface, not an empty body.
    const missing = await node.request('/ui/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await missing.text()).toContain('<html');
    // A form sent to no page: the node's not-found problem, with the interface's headers.
    const nowhere = await node.request('/ui/nowhere', { method: 'POST' });
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers.get('cache-control')).toBe('no-store');
    await expectProblem(nowhere, 'POST /ui/nowhere');
    // Its one stylesheet may be kept a while.
    expect((await node.request('/ui/style.css')).headers.get('cache-control')).toBe('public, max-age=300');
  });
});

describe('HSTS', () => {
  it('is sent on every response, pages and errors included, by a node whose public URL is https', async () => {
    for (const [method, path, status] of [
      ['GET', '/healthz', 200],
      ['GET', '/.well-known/referral-node', 200],
      ['GET', '/api/v1/node', 401],
      ['POST', '/federation/v1/envelopes', 415],
      ['GET', '/nowhere', 404],
      ['GET', '/ui/login', 200],
      ['GET', '/ui/nowhere', 404],
    ] as const) {
      const response = await overHttps.fetch(new Request(`http://127.0.0.1:7100${path}`, { method }));
      expect(response.status, `${method} ${path}`).toBe(status);
      expect(response.headers.get('strict-transport-security'), `${method} ${path}`).toBe(STRICT_TRANSPORT_SECURITY);
      expect(response.headers.get('cache-control'), `${method} ${path}`).toBe('no-store');
    }
  });

  it('is never sent by a node whose public URL is http', async () => {
    for (const path of ['/healthz', '/api/v1/node', '/nowhere', '/ui/login']) {
      expect((await node.request(path)).headers.get('strict-transport-security'), path).toBeNull();
    }
  });
});
