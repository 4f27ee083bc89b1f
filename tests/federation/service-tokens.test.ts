// Service tokens for federation requests: accepted once from a trusted peer for exactly the
// request they name, and refused with the right problem in every other case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { CompactSign } from 'jose';
import { utf8 } from '../../node/crypto/encoding.js';
import { nowSeconds } from '../../node/context.js';
import { generateSigningKey } from '../../node/identity/keys.js';
import { DomainError } from '../../node/errors.js';
import { problemResponse } from '../../node/http/problem.js';
import { createServiceToken } from '../../node/peers/service-token.js';
import { requirePeer, type PeerEnv } from '../../node/http/require-peer.js';
import { addPending, createTestNetwork, snapshot, trust, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let a: TestNode; // calls
let b: TestNode; // is called
let c: TestNode; // known to b, not trusted
let d: TestNode; // unknown to b
let app: Hono;

beforeAll(async () => {
  net = await createTestNetwork(4, { trust: false });
  [a, b, c, d] = net.nodes as [TestNode, TestNode, TestNode, TestNode];
  await trust(b, a);
  await addPending(b, c);
  // A federation route behind the middleware, with the node's way of writing problems.
  app = new Hono();
  const guarded = new Hono<PeerEnv>();
  guarded.use('*', requirePeer(b.ctx));
  guarded.get('/federation/v1/test-resource', (ctx) => ctx.json({ caller: ctx.get('peer').id }));
  app.route('/', guarded);
  app.onError((error, ctx) => (error instanceof DomainError ? problemResponse(ctx, error) : ctx.text('unexpected', 500)));
});
afterAll(() => net.close());

const PATH = '/federation/v1/test-resource';
const tokenFrom = (node: TestNode, request: Partial<{ aud: string; method: string; path: string }> = {}, at = nowSeconds(net.clock)) =>
  createServiceToken({ nodeId: node.id, signingKey: node.ctx.self.signingKey }, { aud: b.id, method: 'GET', path: PATH, ...request }, at);

async function call(token?: string, method = 'GET', path = PATH): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await app.fetch(new Request(`${b.id}${path}`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }));
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

async function expectRefused(token: string | undefined, status: number, problem: string) {
  const { status: got, body, headers } = await call(token);
  expect(got).toBe(status);
  expect(body.type).toBe(`urn:refnet:problem:${problem}`);
  expect(headers.get('content-type')).toBe('application/problem+json');
  if (status === 401) expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
}

describe('a service token', () => {
  it('lets a trusted peer make exactly the request it names, once', async () => {
    const token = await tokenFrom(a);
    const first = await call(token);
    expect(first).toMatchObject({ status: 200, body: { caller: a.id } });
    await expectRefused(token, 401, 'service-token-replayed');
  });

  it('is required, and must be well formed', async () => {
    await expectRefused(undefined, 401, 'service-token-required');
    await expectRefused('not-a-token', 401, 'malformed-service-token');
    const noJti = await new CompactSign(utf8.encode(JSON.stringify({ iss: a.id, aud: b.id, htm: 'GET', htu: `${b.id}${PATH}`, iat: 1, exp: 2 })))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'referral-service+jwt', kid: a.ctx.self.signingKey.kid })
      .sign(a.ctx.self.signingKey.privateKey);
    await expectRefused(noJti, 401, 'malformed-service-token');
  });

  it('is refused from an unknown or untrusted node, or with a key that is not pinned (the first and last alike, as a bad signature)', async () => {
    await expectRefused(await tokenFrom(d), 403, 'bad-signature');
    await expectRefused(await tokenFrom(c), 403, 'untrusted-sender');
    const { key } = await generateSigningKey();
    await expectRefused(await createServiceToken({ nodeId: a.id, signingKey: key }, { aud: b.id, method: 'GET', path: PATH }, nowSeconds(net.clock)), 403, 'bad-signature');
  });

  it('is refused when its signature does not verify', async () => {
    const [h, p, s] = (await tokenFrom(a)).split('.');
    await expectRefused(`${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`, 403, 'bad-signature');
  });

  it('is refused for another node, method or path', async () => {
    await expectRefused(await tokenFrom(a, { aud: d.id }), 403, 'token-not-for-this-request');
    await expectRefused(await tokenFrom(a, { method: 'POST' }), 403, 'token-not-for-this-request');
    await expectRefused(await tokenFrom(a, { path: '/federation/v1/other' }), 403, 'token-not-for-this-request');
  });

  it('is refused when expired or issued in the future, and changes nothing then', async () => {
    const skew = b.ctx.limits.clockSkewSeconds;
    const before = await snapshot(b);
    await expectRefused(await tokenFrom(a, {}, nowSeconds(net.clock) - 60 - skew - 5), 401, 'service-token-expired');
    await expectRefused(await tokenFrom(a, {}, nowSeconds(net.clock) + skew + 5), 401, 'service-token-expired');
    expect(await snapshot(b)).toEqual(before);
  });

  it('forgets used tokens once they could no longer be accepted anyway', async () => {
    await call(await tokenFrom(a));
    net.clock.advance((60 + 2 * b.ctx.limits.clockSkewSeconds + 5) * 1000);
    await call(await tokenFrom(a));
    const rows = await b.ctx.database.db.selectFrom('service_token_uses').selectAll().execute();
    expect(rows).toHaveLength(1);
  });
});
