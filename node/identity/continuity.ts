// Signing-key continuity: when a node replaces its signing key, it says so in a statement signed
// by both the key it replaces and the key it introduces (spec/federation.yaml,
// KeyContinuityStatement), and its identity document carries every such statement, oldest
// first. A peer that pinned any key of that chain follows it to the current key; a new key that
// no chain leads to is never followed (peers/refresh.ts raises an alert instead).
import { flattenedVerify, GeneralSign } from 'jose';
import type { components } from '../../spec/generated/federation.js';
import { decodeBase64UrlStrict, utf8 } from '../crypto/encoding.js';
import { validatorFor } from '../schema/validators.js';
import { importSigningPublicKey, thumbprint, type OkpPublicJwk, type SigningKey } from './keys.js';

export type KeyContinuityStatement = components['schemas']['KeyContinuityStatement'];
export type KeyContinuityClaims = components['schemas']['KeyContinuityClaims'];

export const CONTINUITY_TYP = 'referral-key-continuity+jws';

export async function signContinuityStatement(nodeId: string, previous: SigningKey, next: SigningKey, nowSeconds: number): Promise<KeyContinuityStatement> {
  const claims: KeyContinuityClaims = { iss: nodeId, iat: nowSeconds, previous: previous.publicJwk, next: next.publicJwk };
  const signer = new GeneralSign(utf8.encode(JSON.stringify(claims)));
  signer.addSignature(previous.privateKey).setProtectedHeader({ alg: 'EdDSA', typ: CONTINUITY_TYP, kid: previous.kid });
  signer.addSignature(next.privateKey).setProtectedHeader({ alg: 'EdDSA', typ: CONTINUITY_TYP, kid: next.kid });
  const jws = await signer.sign();
  return { payload: jws.payload, signatures: jws.signatures.map((s) => ({ protected: s.protected!, signature: s.signature })) };
}

export type ChainVerification =
  | { ok: true; keys: OkpPublicJwk[]; statements: Array<{ claims: KeyContinuityClaims; statement: KeyContinuityStatement }> }
  | { ok: false; reason: string };

/**
 * Checks a node's chain of continuity statements and returns its signing keys, oldest first,
 * ending with `current` (which is all there is when the chain is empty). Every statement must be
 * the node's, signed by both keys it names, and follow on from the one before; the last must
 * introduce `current`.
 */
export async function verifyContinuityChain(statements: readonly unknown[], nodeId: string, current: OkpPublicJwk): Promise<ChainVerification> {
  const keys: OkpPublicJwk[] = [];
  const verified: Array<{ claims: KeyContinuityClaims; statement: KeyContinuityStatement }> = [];
  for (const [index, statement] of statements.entries()) {
    const checked = await verifyContinuityStatement(statement, nodeId);
    if (!checked.ok) return { ok: false, reason: `Continuity statement ${index + 1}: ${checked.reason}` };
    const { claims } = checked;
    const before = keys.at(-1);
    if (before && before.kid !== claims.previous.kid) {
      return { ok: false, reason: `Continuity statement ${index + 1} does not follow on from the one before it.` };
    }
    if (keys.some((k) => k.kid === claims.next.kid) || claims.previous.kid === claims.next.kid) {
      return { ok: false, reason: `Continuity statement ${index + 1} goes back to a key used before.` };
    }
    if (!before) keys.push(claims.previous);
    keys.push(claims.next);
    verified.push({ claims, statement: statement as KeyContinuityStatement });
  }
  if (keys.length === 0) return { ok: true, keys: [current], statements: [] };
  if (keys.at(-1)!.kid !== current.kid) return { ok: false, reason: 'The continuity chain does not end at the key that signs the document.' };
  return { ok: true, keys, statements: verified };
}

async function verifyContinuityStatement(input: unknown, nodeId: string): Promise<{ ok: true; claims: KeyContinuityClaims } | { ok: false; reason: string }> {
  if (!validatorFor('federation', 'KeyContinuityStatement')(input)) return { ok: false, reason: 'not a KeyContinuityStatement.' };
  const statement = input as KeyContinuityStatement;
  const payload = decodeBase64UrlStrict(statement.payload);
  let claims: unknown;
  try {
    claims = payload && JSON.parse(utf8.decode(payload));
  } catch {
    return { ok: false, reason: 'the payload is not JSON.' };
  }
  if (!validatorFor('federation', 'KeyContinuityClaims')(claims)) return { ok: false, reason: 'the payload is not KeyContinuityClaims.' };
  const { iss, previous, next } = claims as KeyContinuityClaims;
  if (iss !== nodeId) return { ok: false, reason: `it was issued by ${iss}, not by ${nodeId}.` };
  for (const key of [previous, next]) {
    if (key.crv !== 'Ed25519' || key.use !== 'sig' || (await thumbprint(key)) !== key.kid) {
      return { ok: false, reason: 'it names a key that is not an Ed25519 signing key with its thumbprint as kid.' };
    }
  }
  // First signature by the key replaced, second by the key introduced: both must verify.
  for (const [signature, key] of [[statement.signatures[0]!, previous], [statement.signatures[1]!, next]] as const) {
    try {
      const { protectedHeader } = await flattenedVerify({ payload: statement.payload, ...signature }, await importSigningPublicKey(key), { algorithms: ['EdDSA'] });
      if (protectedHeader?.typ !== CONTINUITY_TYP || protectedHeader.kid !== key.kid) return { ok: false, reason: 'a signature header is not that of a continuity statement.' };
    } catch {
      return { ok: false, reason: `it is not signed by ${key === previous ? 'the key it replaces' : 'the key it introduces'}.` };
    }
  }
  return { ok: true, claims: claims as KeyContinuityClaims };
}
