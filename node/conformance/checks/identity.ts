// The target's identity document (spec: Identity document, getIdentityDocument, IdentityClaims)
// and its historical keys. What the document says is what the kit pins for the rest of the run.
import { validatorFor } from '../../schema/validators.js';
import { decodeCompact, fromUtf8, nowSeconds, thumbprintOf, verifyCompact } from '../crypto.js';
import { SPEC, type Findings } from '../report.js';
import { describe, type TargetClient, type TargetFacts } from '../target.js';

const DAY = 24 * 3600;

interface KeyJwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  use: string;
}

/** Runs the identity checks; the facts the kit pins, or undefined when the document is unusable. */
export async function checkIdentityDocument(client: TargetClient, targetId: string, findings: Findings): Promise<TargetFacts | undefined> {
  const answer = await client.send('/.well-known/referral-node');
  findings.expect('identity.status', 'GET /.well-known/referral-node answers 200 with at most 256 KiB', SPEC.identity, [
    answer.status === 200 ? undefined : `expected 200; got ${describe(answer)}`,
    Buffer.byteLength(answer.text) <= 256 * 1024 ? undefined : `the document is ${Buffer.byteLength(answer.text)} bytes`,
  ]);
  findings.expect('identity.content-type', 'the identity document is served as application/jwt', SPEC.identity, [
    answer.mediaType === 'application/jwt' ? undefined : `expected Content-Type application/jwt; got ${answer.headers.get('content-type') ?? 'none'}`,
  ]);
  findings.expect('identity.cache-control', 'the identity document carries Cache-Control: no-store and X-Content-Type-Options: nosniff', SPEC.conventions, [
    /(^|,)\s*no-store\s*(,|$)/i.test(answer.headers.get('cache-control') ?? '') ? undefined : `Cache-Control is ${answer.headers.get('cache-control') ?? 'absent'}`,
    (answer.headers.get('x-content-type-options') ?? '').toLowerCase() === 'nosniff' ? undefined : `X-Content-Type-Options is ${answer.headers.get('x-content-type-options') ?? 'absent'}`,
  ]);
  const jws = answer.text.trim();
  const decoded = answer.status === 200 ? decodeCompact(jws) : undefined;
  if (!decoded) {
    findings.fail('identity.jws', 'the identity document is a compact JWS', SPEC.identity, answer.status === 200 ? 'the body is not a compact JWS' : 'no document');
    return undefined;
  }
  const { header } = decoded;
  findings.expect('identity.header', 'its protected header is {"alg":"EdDSA","typ":"referral-node+jwt","kid":<signing kid>}, no crit', SPEC.identity, [
    header.alg === 'EdDSA' ? undefined : `alg is ${String(header.alg)}`,
    header.typ === 'referral-node+jwt' ? undefined : `typ is ${String(header.typ)}`,
    typeof header.kid === 'string' ? undefined : 'no string kid',
    'crit' in header ? 'the header has crit' : undefined,
  ]);
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(fromUtf8(decoded.payload)) as Record<string, unknown>;
  } catch {
    findings.fail('identity.schema', 'its payload matches IdentityClaims', SPEC.identityClaims, 'the payload is not JSON');
    return undefined;
  }
  const schemaOk = validatorFor('federation', 'IdentityClaims')(claims);
  findings.expect('identity.schema', 'its payload matches IdentityClaims', SPEC.identityClaims, [schemaOk ? undefined : 'the payload does not match the schema']);
  if (!schemaOk) return undefined;
  findings.expect('identity.issuer', 'iss and sub are the node id the document was fetched from', SPEC.identity, [
    claims.iss === targetId ? undefined : `iss is ${String(claims.iss)}, expected ${targetId}`,
    claims.sub === targetId ? undefined : `sub is ${String(claims.sub)}, expected ${targetId}`,
  ]);
  const now = nowSeconds();
  const iat = claims.iat as number;
  const exp = claims.exp as number;
  findings.expect('identity.lifetime', 'exp is in the future, at most 24 h after iat, and iat not ahead of the clock (beyond the skew)', SPEC.identity, [
    exp > now ? undefined : `exp ${exp} is not after now (${now})`,
    exp > iat && exp - iat <= DAY ? undefined : `exp − iat is ${exp - iat} s, more than ${DAY} or not positive`,
    iat <= now + 300 ? undefined : `iat ${iat} is ${iat - now} s ahead of the kit's clock`,
  ]);
  findings.expect('identity.fresh', 'the document served has at least half its lifetime left (re-signed at half of it)', SPEC.identityOp, [
    exp - now >= (exp - iat) / 2 - 60 ? undefined : `it has ${exp - now} s left of ${exp - iat}`,
  ]);

  const keys = (claims.jwks as { keys: KeyJwk[] }).keys;
  const kidProblems: string[] = [];
  for (const key of keys) {
    const paired = (key.crv === 'Ed25519' && key.use === 'sig') || (key.crv === 'X25519' && key.use === 'enc');
    if (!paired) kidProblems.push(`key ${key.kid} is ${key.crv} for ${key.use}`);
    if ((await thumbprintOf(key)) !== key.kid) kidProblems.push(`the kid ${key.kid} is not the RFC 7638 thumbprint of its key`);
  }
  const signingKeys = keys.filter((k) => k.crv === 'Ed25519');
  if (signingKeys.length !== 1) kidProblems.push(`jwks lists ${signingKeys.length} Ed25519 keys, not exactly one`);
  findings.expect('identity.keys', 'jwks: exactly one Ed25519 key (use sig), X25519 keys (use enc), every kid the RFC 7638 thumbprint of its key', SPEC.keys, kidProblems);
  const signingKey = keys.find((k) => k.kid === header.kid && k.crv === 'Ed25519' && k.use === 'sig');
  const encryptionKey = keys.find((k) => k.crv === 'X25519' && k.use === 'enc');
  const verified = signingKey ? await verifyCompact(jws, signingKey) : undefined;
  findings.expect('identity.signature', 'it verifies with the Ed25519 key of its own jwks named by the header\'s kid', SPEC.identity, [
    signingKey ? undefined : `no Ed25519 signing key with kid ${String(header.kid)} in jwks`,
    signingKey && !verified ? 'the signature does not verify' : undefined,
  ]);
  findings.expect('identity.encryption-key', 'it lists an X25519 encryption key (the first listed is the current one)', SPEC.identityClaims, [
    encryptionKey ? undefined : 'no X25519 key with use enc',
  ]);
  const versions = claims.protocol_versions as string[];
  findings.expect('identity.protocol-versions', 'protocol_versions are major version strings and include "1"', SPEC.identityClaims, [
    versions.every((v) => /^[1-9][0-9]*$/.test(v)) ? undefined : `protocol_versions is ${JSON.stringify(versions)}`,
    versions.includes('1') ? undefined : 'protocol_versions does not include "1"',
  ]);
  const types = claims.message_types as string[] | undefined;
  findings.expect('identity.message-types', 'message_types, when listed, include consent.withdraw and erasure.receipt (erasure is not optional)', SPEC.sending, [
    !types || (types.includes('consent.withdraw') && types.includes('erasure.receipt')) ? undefined : `message_types is ${JSON.stringify(types)}`,
  ]);
  const envelopes = (claims.endpoints as { envelopes: string }).envelopes;
  findings.expect('identity.endpoints', 'endpoints.envelopes is on the node id\'s own origin', SPEC.identityClaims, [
    sameOrigin(envelopes, targetId) ? undefined : `endpoints.envelopes is ${envelopes}, not on ${targetId}`,
  ]);

  const etag = answer.headers.get('etag');
  if (etag) {
    const again = await client.send('/.well-known/referral-node', { headers: { 'if-none-match': etag } });
    findings.expect('identity.etag', 'If-None-Match with the ETag served is answered 304', SPEC.identityOp, [
      again.status === 304 ? undefined : `expected 304; got ${describe(again)}`,
    ]);
  } else {
    findings.skip('identity.etag', 'If-None-Match with the ETag served is answered 304', SPEC.identityOp, 'the document was served without an ETag');
  }

  if (!signingKey || !verified || !encryptionKey) return undefined;
  await checkHistoricalKeys(client, targetId, signingKey, findings);
  return {
    id: targetId,
    signingKey: { kid: signingKey.kid, x: signingKey.x },
    encryptionKey: { kty: 'OKP', crv: 'X25519', x: encryptionKey.x, kid: encryptionKey.kid, use: 'enc' },
    ...(Array.isArray(claims.message_types) ? { messageTypes: claims.message_types as string[] } : {}),
    envelopesPath: envelopesPathOf(claims.endpoints, targetId),
  };
}

/**
 * The path the kit posts envelopes to: that of `endpoints.envelopes` when it is on the target's
 * origin (identity.endpoints fails the document otherwise), else the path this implementation serves.
 */
function envelopesPathOf(endpoints: unknown, targetId: string): string {
  const listed = (endpoints as { envelopes?: unknown } | undefined)?.envelopes;
  if (typeof listed !== 'string' || !sameOrigin(listed, targetId)) return '/federation/v1/envelopes';
  // Relative to the node id (which may have a path of its own), as every request of the kit is.
  const url = new URL(listed);
  const base = new URL(targetId).pathname.replace(/\/$/, '');
  const path = base && url.pathname.startsWith(`${base}/`) ? url.pathname.slice(base.length) : url.pathname;
  return `${path}${url.search}`;
}

function sameOrigin(url: string, nodeId: string): boolean {
  try {
    return new URL(url).origin === new URL(nodeId).origin;
  } catch {
    return false;
  }
}

async function checkHistoricalKeys(client: TargetClient, targetId: string, signingKey: { kid: string; x: string }, findings: Findings): Promise<void> {
  const answer = await client.send('/federation/v1/historical-keys');
  const problems: string[] = [];
  if (answer.status !== 200 || answer.mediaType !== 'application/jwt') {
    problems.push(`expected 200 application/jwt; got ${describe(answer)}`);
  } else {
    const jws = answer.text.trim();
    const decoded = decodeCompact(jws);
    const header = decoded?.header ?? {};
    if (header.typ !== 'referral-historical-keys+jwt' || header.alg !== 'EdDSA' || header.kid !== signingKey.kid) {
      problems.push(`its header is ${JSON.stringify(header)}, not alg EdDSA, typ referral-historical-keys+jwt, kid the current signing kid`);
    }
    const verified = await verifyCompact(jws, signingKey);
    if (!verified) problems.push('it does not verify with the current signing key');
    let claims: unknown;
    try {
      claims = verified ? JSON.parse(fromUtf8(verified.payload)) : undefined;
    } catch {
      claims = undefined;
    }
    if (verified && !validatorFor('federation', 'HistoricalKeysClaims')(claims)) problems.push('its payload does not match HistoricalKeysClaims');
    else if (verified && (claims as { iss: string }).iss !== targetId) problems.push(`its iss is ${(claims as { iss: string }).iss}`);
  }
  findings.expect('identity.historical-keys', 'GET /federation/v1/historical-keys: a JWS by the current signing key, payload HistoricalKeysClaims', SPEC.historicalKeys, problems);
}
