// The directory (spec: getDirectory): a JWS by the target's signing key with typ
// referral-directory+jwt and DirectoryClaims, served to a trusted peer with an ETag.
import { validatorFor } from '../../schema/validators.js';
import { decodeCompact, jsonPayloadOf, nowSeconds, verifyCompact } from '../crypto.js';
import { SPEC } from '../report.js';
import { withToken, type RunContext } from '../run-context.js';
import { describe } from '../target.js';

const PATH = '/federation/v1/directory';

export async function checkDirectory(ctx: RunContext): Promise<void> {
  const { findings, target } = ctx;
  const answer = await withToken(ctx, 'GET', PATH);
  const problems: string[] = [];
  if (answer.status !== 200 || answer.mediaType !== 'application/jwt') {
    findings.fail('directory.signed', 'GET /federation/v1/directory: a JWS (referral-directory+jwt) by the target\'s signing key, payload DirectoryClaims', SPEC.directory, `expected 200 application/jwt; got ${describe(answer)}`);
    return;
  }
  const jws = answer.text.trim();
  const header = decodeCompact(jws)?.header ?? {};
  if (header.alg !== 'EdDSA' || header.typ !== 'referral-directory+jwt' || header.kid !== target.signingKey.kid) {
    problems.push(`its header is ${JSON.stringify(header)}, not alg EdDSA, typ referral-directory+jwt, kid the target's signing kid`);
  }
  if (!(await verifyCompact(jws, target.signingKey))) problems.push('it does not verify with the target\'s signing key');
  const claims = jsonPayloadOf(jws) as Record<string, unknown> | undefined;
  if (!validatorFor('federation', 'DirectoryClaims')(claims)) {
    problems.push('its payload does not match DirectoryClaims');
  } else {
    const { iss, iat, exp, taxonomy_version } = claims as { iss: string; iat: number; exp: number; taxonomy_version: number };
    if (iss !== target.id) problems.push(`its iss is ${iss}, not ${target.id}`);
    if (exp <= nowSeconds()) problems.push('it has expired');
    if (exp - iat > 24 * 3600) problems.push(`it is valid for ${exp - iat} s, more than 24 h`);
    ctx.server.taxonomyVersion = taxonomy_version;
  }
  findings.expect('directory.signed', 'GET /federation/v1/directory: a JWS (referral-directory+jwt) by the target\'s signing key, payload DirectoryClaims, unexpired, valid at most 24 h', SPEC.directory, problems);
  const etag = answer.headers.get('etag');
  if (!etag) {
    findings.fail('directory.etag', 'the directory comes with an ETag, and If-None-Match with it is answered 304', SPEC.directory, 'no ETag header');
    return;
  }
  const again = await withToken(ctx, 'GET', PATH, { headers: { 'if-none-match': etag } });
  findings.expect('directory.etag', 'the directory comes with an ETag, and If-None-Match with it is answered 304', SPEC.directory, [
    again.status === 304 ? undefined : `expected 304; got ${describe(again)}`,
  ]);
}
