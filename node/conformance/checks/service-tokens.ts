// Service tokens (spec: Service tokens): what the target answers a request with no token, a
// malformed one, one for another request, an expired or replayed one, and one signed by a key it
// does not pin. Each is tried on GET /federation/v1/directory, which a trusted peer may read.
import { randomUUID } from 'node:crypto';
import { b64u, newSigningKey, nowSeconds, signCompact } from '../crypto.js';
import { SPEC } from '../report.js';
import { withToken, type RunContext } from '../run-context.js';
import { describe, problemMismatch, serviceToken } from '../target.js';

const PATH = '/federation/v1/directory';
/** Beyond any clock skew a node may allow (REFERRAL_NODE_CLOCK_SKEW_SECONDS is at most an hour). */
const FAR = 7200;

export async function checkServiceTokens(ctx: RunContext): Promise<void> {
  const { findings, kit, target } = ctx;
  const check = async (id: string, what: string, answer: Promise<Awaited<ReturnType<typeof withToken>>>, name: string, status: number) => {
    findings.expect(id, what, SPEC.tokens, [problemMismatch(await answer, name, status)]);
  };

  const valid = await withToken(ctx, 'GET', PATH);
  findings.expect('token.valid', 'a fresh token for this request is accepted', SPEC.tokens, [valid.status === 200 ? undefined : `expected 200; got ${describe(valid)}`]);

  await check('token.required', 'no Authorization header → 401 service-token-required', ctx.client.send(PATH), 'service-token-required', 401);
  await check('token.malformed', 'a token that is not a compact JWS → 401 malformed-service-token', withToken(ctx, 'GET', PATH, { token: 'not-a.jws' }), 'malformed-service-token', 401);
  await check(
    'token.wrong-typ',
    'a token whose typ is not referral-service+jwt → 401 malformed-service-token',
    withToken(ctx, 'GET', PATH, { header: { typ: 'JWT' } }),
    'malformed-service-token',
    401,
  );
  await check(
    'token.claims',
    'a token whose claims do not match ServiceTokenClaims (no jti) → 401 malformed-service-token',
    withToken(ctx, 'GET', PATH, { claims: { jti: undefined } }),
    'malformed-service-token',
    401,
  );
  await check(
    'token.crit',
    'a token with crit in its protected header → 401 malformed-service-token',
    withToken(ctx, 'GET', PATH, { header: { crit: ['urn:refnet:conformance-kit'], 'urn:refnet:conformance-kit': true } }),
    'malformed-service-token',
    401,
  );
  await check(
    'token.alg-none',
    'an unsigned token (alg none) → 401 malformed-service-token',
    Promise.resolve().then(() => {
      const iat = nowSeconds();
      const claims = { iss: kit.nodeId, aud: target.id, htm: 'GET', htu: `${target.id}${PATH}`, iat, exp: iat + 60, jti: randomUUID() };
      const token = `${b64u(JSON.stringify({ alg: 'none', typ: 'referral-service+jwt', kid: kit.signing.jwk.kid }))}.${b64u(JSON.stringify(claims))}.`;
      return withToken(ctx, 'GET', PATH, { token });
    }),
    'malformed-service-token',
    401,
  );
  await check('token.aud', 'a token for another node (aud) → 403 token-not-for-this-request', withToken(ctx, 'GET', PATH, { claims: { aud: 'https://another-node.example' } }), 'token-not-for-this-request', 403);
  await check(
    'token.htu',
    'a token for another URL (htu) → 403 token-not-for-this-request',
    withToken(ctx, 'GET', PATH, { claims: { htu: `${target.id}/federation/v1/log/checkpoint` } }),
    'token-not-for-this-request',
    403,
  );
  await check('token.htm', 'a token for another method (htm) → 403 token-not-for-this-request', withToken(ctx, 'GET', PATH, { claims: { htm: 'POST' } }), 'token-not-for-this-request', 403);
  const past = nowSeconds() - FAR;
  await check('token.expired', 'a token that expired (beyond the clock skew) → 401 service-token-expired', withToken(ctx, 'GET', PATH, { claims: { iat: past, exp: past + 60 } }), 'service-token-expired', 401);
  const future = nowSeconds() + FAR;
  await check('token.future', 'a token issued in the future (beyond the clock skew) → 401 service-token-expired', withToken(ctx, 'GET', PATH, { claims: { iat: future, exp: future + 60 } }), 'service-token-expired', 401);

  await check(
    'token.lifetime',
    'a token that lives longer than 60 s (exp − iat) → 401 service-token-expired',
    withToken(ctx, 'GET', PATH, { claims: { exp: nowSeconds() + 3600 } }),
    'service-token-expired',
    401,
  );

  const once = serviceToken(kit.signer, target.id, 'GET', PATH);
  const first = await withToken(ctx, 'GET', PATH, { token: once });
  const second = await withToken(ctx, 'GET', PATH, { token: once });
  findings.expect('token.replayed', 'the same token twice: the second use → 401 service-token-replayed', SPEC.tokens, [
    first.status === 200 ? undefined : `the first use: expected 200; got ${describe(first)}`,
    problemMismatch(second, 'service-token-replayed', 401),
  ]);

  const stranger = await newSigningKey();
  await check(
    'token.unknown-key',
    'a token signed with a key the target did not pin for the kit → 403 bad-signature',
    withToken(ctx, 'GET', PATH, { token: serviceToken({ iss: kit.nodeId, kid: stranger.jwk.kid, privateKey: stranger.privateKey }, target.id, 'GET', PATH) }),
    'bad-signature',
    403,
  );
  const wrongSignature = serviceToken({ iss: kit.nodeId, kid: kit.signing.jwk.kid, privateKey: stranger.privateKey }, target.id, 'GET', PATH);
  await check('token.bad-signature', 'a token naming the kit\'s key but signed by another → 403 bad-signature', withToken(ctx, 'GET', PATH, { token: wrongSignature }), 'bad-signature', 403);
  const otherIssuer = signCompact(
    { alg: 'EdDSA', typ: 'referral-service+jwt', kid: stranger.jwk.kid },
    JSON.stringify({ iss: 'http://127.0.0.1:9', aud: target.id, htm: 'GET', htu: `${target.id}${PATH}`, iat: nowSeconds(), exp: nowSeconds() + 60, jti: randomUUID() }),
    stranger.privateKey,
  );
  await check('token.unknown-issuer', 'a token from a node the target does not know → 403 bad-signature', withToken(ctx, 'GET', PATH, { token: otherIssuer }), 'bad-signature', 403);
}
