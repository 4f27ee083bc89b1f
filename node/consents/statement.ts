// Erasure statements: a node's signed word that it erased the personal data of a referral. They
// hold no personal data, so the organisation they are addressed to keeps them as evidence.
import { CompactSign } from 'jose';
import type { components } from '../../spec/generated/federation.js';
import { b64u, decodeBase64UrlStrict, sha256, utf8 } from '../crypto/encoding.js';
import { verifyWithKeyNamed, type OkpPublicJwk, type SigningKey } from '../identity/keys.js';
import { validatorFor } from '../schema/validators.js';

export type ErasureStatementClaims = components['schemas']['ErasureStatementClaims'];
export const STATEMENT_TYP = 'erasure-statement+jws';

export async function signErasureStatement(claims: ErasureStatementClaims, signingKey: SigningKey): Promise<string> {
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: STATEMENT_TYP, kid: signingKey.kid })
    .sign(signingKey.privateKey);
}

export interface ExpectedStatement {
  iss: string;
  aud: string;
  referralId: string;
}

/**
 * The claims when the statement is signed by one of `keys` (the signer's signing keys, by kid:
 * one made before a rotation names an earlier key) and says what is expected; undefined otherwise.
 */
export async function verifyErasureStatement(statement: string, keys: ReadonlyMap<string, OkpPublicJwk>, expected: ExpectedStatement): Promise<ErasureStatementClaims | undefined> {
  const verified = await verifyWithKeyNamed(statement, keys);
  if (!verified || verified.protectedHeader.typ !== STATEMENT_TYP) return undefined;
  try {
    const claims = JSON.parse(utf8.decode(verified.payload)) as ErasureStatementClaims;
    return matches(claims, expected) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The claims of a statement whose signer's key is not known here (an onward recipient that is not
 * our peer, relayed by one that is): read, shape-checked and matched, but not verified.
 */
export function readUnverifiedStatement(statement: string, expected: ExpectedStatement): ErasureStatementClaims | undefined {
  // Kept as received, unverified: nothing in it but what a statement holds, written as
  // signErasureStatement writes it (no spaces, no repeated or extra members, a 64-byte
  // signature), so that the one relaying it cannot store text in it here.
  const parts = statement.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]{86}$/.test(parts[2]!)) return undefined;
  const canonical = (segment: string): Record<string, unknown> | undefined => {
    const bytes = decodeBase64UrlStrict(segment);
    if (!bytes) return undefined;
    try {
      const text = utf8.decode(bytes);
      const value: unknown = JSON.parse(text);
      return value && typeof value === 'object' && !Array.isArray(value) && JSON.stringify(value) === text ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const header = canonical(parts[0]!);
  const claims = canonical(parts[1]!) as ErasureStatementClaims | undefined;
  if (!header || !claims) return undefined;
  const headerKeys = Object.keys(header).sort().join(',');
  if (headerKeys !== 'alg,kid,typ' || header.typ !== STATEMENT_TYP || header.alg !== 'EdDSA' || typeof header.kid !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(header.kid)) {
    return undefined;
  }
  return matches(claims, expected) ? claims : undefined;
}

function matches(claims: ErasureStatementClaims, expected: ExpectedStatement): boolean {
  return (
    validatorFor('federation', 'ErasureStatementClaims')(claims) &&
    claims.iss === expected.iss &&
    claims.aud === expected.aud &&
    claims.referral_id === expected.referralId
  );
}

/** What the audit log keeps of a statement: b64url(SHA-256(statement)). */
export const statementDigest = (statement: string): string => b64u.encode(sha256(statement));
