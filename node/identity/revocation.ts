// Key revocation statements (spec/federation.yaml, KeyRevocationClaims): a node's signing key
// declared compromised, signed by that very key (whoever holds it can only make it useless) or by
// the trust anchor of the network the node is listed in. This module owns the form: signing both
// kinds, and reading one before the receiver looks up the key it names.
import { CompactSign, compactVerify, importJWK, type CryptoKey } from 'jose';
import { readCompactJws } from '../crypto/compact-jws.js';
import type { components } from '../../spec/generated/federation.js';
import { decodeBase64UrlStrict, utf8 } from '../crypto/encoding.js';
import { validatorFor } from '../schema/validators.js';
import { importSigningPublicKey, thumbprint, type OkpPublicJwk, type SigningKey } from './keys.js';
import { verifyContinuityChain, type KeyContinuityClaims, type KeyContinuityStatement } from './continuity.js';

export type KeyRevocationClaims = components['schemas']['KeyRevocationClaims'];

export const REVOCATION_TYP = 'referral-key-revocation+jwt';
export const ANCHOR_ISSUER_PREFIX = 'urn:refnet:trust-anchor:';
/** A statement is a few hundred bytes; anything far larger is refused unread. */
export const MAX_REVOCATION_BYTES = 16 * 1024;

/** A trust anchor's key, as the anchor's operator holds it (peers/trust-list.ts). */
export interface AnchorSigningKey {
  kid: string;
  publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  privateKey: CryptoKey;
}

/**
 * The statement a node signs with the key it revokes, with the continuity statements that led to
 * that key (for peers that had not followed the last rotation yet).
 */
export function signOwnKeyRevocation(nodeId: string, revoked: SigningKey, nowSeconds: number, continuity: KeyContinuityStatement[] = []): Promise<string> {
  const claims: KeyRevocationClaims = {
    iss: nodeId, sub: nodeId, iat: nowSeconds, kid: revoked.kid, reason: 'key-compromise', ...(continuity.length > 0 ? { continuity } : {}),
  };
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: REVOCATION_TYP, kid: revoked.kid })
    .sign(revoked.privateKey);
}

/** The statement a trust anchor signs about a member node's key. */
export function signAnchorKeyRevocation(anchor: AnchorSigningKey, nodeId: string, kid: string, nowSeconds: number): Promise<string> {
  const claims: KeyRevocationClaims = { iss: `${ANCHOR_ISSUER_PREFIX}${anchor.kid}`, sub: nodeId, iat: nowSeconds, kid, reason: 'key-compromise' };
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: REVOCATION_TYP, kid: anchor.kid, jwk: anchor.publicJwk })
    .sign(anchor.privateKey);
}

export type ReadRevocation =
  | { ok: true; claims: KeyRevocationClaims; signer: { by: 'key' } | { by: 'trust-anchor'; kid: string; jwk: { x: string } } }
  | { ok: false; reason: string };

/** Reads a statement's form (not its signature: the key to check it with is the receiver's to find). */
export async function readKeyRevocation(jws: string): Promise<ReadRevocation> {
  const read = readCompactJws(jws);
  if (!read.ok) return { ok: false, reason: read.problem === 'not-compact' ? 'The statement is not a compact JWS.' : 'The statement is not a compact JWS with a JSON payload.' };
  const { header, payload: claims } = read;
  if (header.alg !== 'EdDSA' || header.typ !== REVOCATION_TYP || typeof header.kid !== 'string') {
    return { ok: false, reason: `The header is not that of a ${REVOCATION_TYP}.` };
  }
  if (!validatorFor('federation', 'KeyRevocationClaims')(claims)) return { ok: false, reason: 'The payload does not match KeyRevocationClaims.' };
  const statement = claims as KeyRevocationClaims;
  if (statement.iss === statement.sub) {
    if (header.kid !== statement.kid || header.jwk) return { ok: false, reason: 'A statement by the node itself is signed with the key it revokes.' };
    return { ok: true, claims: statement, signer: { by: 'key' } };
  }
  const jwk = header.jwk;
  if (
    statement.iss !== `${ANCHOR_ISSUER_PREFIX}${header.kid}` ||
    !jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || 'd' in jwk ||
    (await thumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x })) !== header.kid
  ) {
    return { ok: false, reason: 'A statement by a trust anchor carries the anchor\'s public key, whose thumbprint is its kid and issuer.' };
  }
  return { ok: true, claims: statement, signer: { by: 'trust-anchor', kid: header.kid, jwk: { x: jwk.x } } };
}

/** Whether the statement's signature verifies with `key` (the revoked key, or the anchor's). */
export async function revocationSignedWith(jws: string, key: OkpPublicJwk | { x: string }): Promise<boolean> {
  try {
    const imported = 'kid' in key ? await importSigningPublicKey(key) : await importJWK({ kty: 'OKP', crv: 'Ed25519', x: key.x }, 'EdDSA');
    await compactVerify(jws, imported, { algorithms: ['EdDSA'] });
    return true;
  } catch {
    return false;
  }
}

/**
 * The revoked key, when the statement's own continuity statements lead to it from the key pinned
 * here (a peer that had not followed the node's last rotation yet) and the statement is signed
 * with it; 'bad-signature' when they lead there but the signature fails. The statement's own
 * signature is checked before the chain: a forged statement costs one verification, not dozens.
 */
export async function revokedKeyReachedFrom(jws: string, claims: KeyRevocationClaims, pinnedKid: string): Promise<OkpPublicJwk | 'bad-signature' | undefined> {
  const last = claims.continuity?.at(-1);
  if (!last) return undefined;
  let lastClaims: unknown;
  try {
    lastClaims = JSON.parse(utf8.decode(decodeBase64UrlStrict(last.payload) ?? new Uint8Array()));
  } catch {
    return undefined;
  }
  if (!validatorFor('federation', 'KeyContinuityClaims')(lastClaims)) return undefined;
  const { next } = lastClaims as KeyContinuityClaims;
  if (next.kid !== claims.kid || next.crv !== 'Ed25519' || (await thumbprint(next)) !== next.kid) return undefined;
  if (!(await revocationSignedWith(jws, next))) return 'bad-signature';
  const chain = await verifyContinuityChain(claims.continuity!, claims.sub, next);
  return chain.ok && chain.keys.some((k) => k.kid === pinnedKid) ? next : undefined;
}
