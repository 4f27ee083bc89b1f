// Service tokens: how a peer authenticates a federation request other than an envelope (which is
// signed itself). A token is a JWS (EdDSA) by the calling node, for one node (`aud`), one method
// and URL (`htm`, `htu`, as in RFC 9449), valid at most 60 s, and used once (`jti`).
import type { SigningPeer } from './store.js';
import { randomUUID } from 'node:crypto';
import { CompactSign, decodeProtectedHeader } from 'jose';
import type { NodeContext } from '../context.js';
import { nowSeconds } from '../context.js';
import { decodeBase64UrlStrict, utf8 } from '../crypto/encoding.js';
import type { SigningKey } from '../identity/keys.js';
import { verifySignedByPeer } from './signed-by-peer.js';
import { catalogued, type ProblemCatalogue, type DomainError } from '../errors.js';
import { validatorFor } from '../schema/validators.js';
import type { components } from '../../spec/generated/federation.js';

export const SERVICE_TOKEN_TYP = 'referral-service+jwt';
export const SERVICE_TOKEN_MAX_LIFETIME = 60;

export type ServiceTokenClaims = components['schemas']['ServiceTokenClaims'];

/** A token for one request to `aud`: method and path of that request. `jti` is fresh unless given (spec/vectors only). */
export async function createServiceToken(
  issuer: { nodeId: string; signingKey: SigningKey },
  request: { aud: string; method: string; path: string },
  nowSecs: number,
  jti: string = randomUUID(),
): Promise<string> {
  const claims: ServiceTokenClaims = {
    iss: issuer.nodeId,
    aud: request.aud,
    htm: request.method.toUpperCase(),
    htu: `${request.aud}${request.path}`,
    iat: nowSecs,
    exp: nowSecs + SERVICE_TOKEN_MAX_LIFETIME,
    jti,
  };
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: SERVICE_TOKEN_TYP, kid: issuer.signingKey.kid })
    .sign(issuer.signingKey.privateKey);
}

export const serviceTokenProblems = {
  'service-token-required': [401, 'Service token required', 'Send Authorization: Bearer <service token> signed by your node.'],
  'malformed-service-token': [401, 'Malformed service token', 'The service token is not a well-formed referral-service+jwt.'],
  'untrusted-sender': [403, 'Untrusted sender', 'This node does not currently trust the calling node.'],
  'sender-suspended': [403, 'Caller suspended', 'This node has suspended the calling node for now.'],
  'sender-revoked': [403, 'Caller revoked', 'This node has revoked its trust in the calling node for good.'],
  'bad-signature': [403, 'Signature not verified', 'This node could not verify the service token\'s signature with a key it holds for the sending node; it does not say whether it knows that node. Check the node id and the key it was signed with.'],
  'token-not-for-this-request': [403, 'Token not for this request', 'The token names another node, method or URL.'],
  'service-token-expired': [401, 'Service token expired', 'Make a fresh token for each request; it lives at most 60 s.'],
  'service-token-replayed': [401, 'Service token already used', 'Make a fresh token (new jti) for each request.'],
} as const satisfies ProblemCatalogue;

export type ServiceTokenProblem = keyof typeof serviceTokenProblems;

export function serviceTokenProblem(name: ServiceTokenProblem): DomainError {
  const unauthenticated = serviceTokenProblems[name][0] === 401;
  return catalogued(serviceTokenProblems, name, unauthenticated ? { challenge: 'Bearer realm="referral-federation"' } : {});
}

export type ServiceTokenVerification =
  | { ok: true; peer: SigningPeer; claims: ServiceTokenClaims }
  | { ok: false; problem: ServiceTokenProblem };

const fail = (problem: ServiceTokenProblem): ServiceTokenVerification => ({ ok: false, problem });

function parseClaims(payload: Uint8Array): ServiceTokenClaims | undefined {
  try {
    const claims: unknown = JSON.parse(utf8.decode(payload));
    return validatorFor('federation', 'ServiceTokenClaims')(claims) ? (claims as ServiceTokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a token for the request `method path` on this node, in this order: form, known and
 * trusted caller, pinned key, signature, meant for this request, fresh, not used before. A
 * token that passes is recorded as used.
 */
export async function verifyServiceToken(
  ctx: NodeContext,
  token: string | undefined,
  request: { method: string; path: string },
): Promise<ServiceTokenVerification> {
  if (!token) return fail('service-token-required');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => decodeBase64UrlStrict(p) === undefined)) return fail('malformed-service-token');
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return fail('malformed-service-token');
  }
  const claims = parseClaims(decodeBase64UrlStrict(parts[1])!);
  if (header.alg !== 'EdDSA' || header.typ !== SERVICE_TOKEN_TYP || typeof header.kid !== 'string' || header.crit !== undefined || !claims) {
    return fail('malformed-service-token');
  }
  const signed = await verifySignedByPeer(ctx, token, { iss: claims.iss, kid: header.kid });
  if (!signed.ok) return fail(signed.problem);
  const { peer } = signed;
  const expectedUrl = `${ctx.self.nodeId}${request.path}`;
  if (claims.aud !== ctx.self.nodeId || claims.htm !== request.method.toUpperCase() || claims.htu !== expectedUrl) {
    return fail('token-not-for-this-request');
  }
  const now = nowSeconds(ctx.clock);
  const skew = ctx.limits.clockSkewSeconds;
  if (claims.exp <= now - skew || claims.iat > now + skew || claims.exp - claims.iat > SERVICE_TOKEN_MAX_LIFETIME) {
    return fail('service-token-expired');
  }
  const recorded = await ctx.database.transaction(async (tx) => {
    await tx.deleteFrom('service_token_uses').where('exp', '<', now - skew).execute();
    const inserted = await tx
      .insertInto('service_token_uses')
      .values({ iss: claims.iss, jti: claims.jti, exp: claims.exp + skew })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return inserted.numInsertedOrUpdatedRows === 1n;
  });
  if (!recorded) return fail('service-token-replayed');
  return { ok: true, peer, claims };
}
