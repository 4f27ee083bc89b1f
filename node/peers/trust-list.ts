// The network trust list (spec/federation.yaml, TrustListClaims): a compact JWS by a network's
// trust anchor listing member nodes and their signing keys. This module owns its form: the
// anchor's key file, the unsigned list its operator edits, signing, and verification against
// the anchor thumbprint a node was configured with.
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { readCompactJws } from '../crypto/compact-jws.js';
import type { components } from '../../spec/generated/federation.js';
import { utf8 } from '../crypto/encoding.js';
import { thumbprint } from '../identity/keys.js';
import { validatorFor } from '../schema/validators.js';

export type TrustListClaims = components['schemas']['TrustListClaims'];
export type TrustListMember = TrustListClaims['members'][number];

export const TRUST_LIST_TYP = 'referral-trust-list+jwt';
export { DEFAULT_VALID_DAYS, KID_PATTERN, MAX_VALID_DAYS } from './validity.js';

/** The unsigned list the anchor's operator edits: the network's name and its members. */
export interface UnsignedTrustList {
  network: string;
  members: TrustListMember[];
}

export interface AnchorKey {
  kid: string;
  publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  privateKey: CryptoKey;
}

export class TrustListError extends Error {}

/** A fresh Ed25519 anchor key as a private JWK (with its thumbprint as kid). */
export async function generateAnchorJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x!, d: jwk.d!, kid: await thumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x! }) };
}

export async function anchorKeyFrom(text: string): Promise<AnchorKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new TrustListError('The key file is not JSON; give the file `trustlist create` wrote.');
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.d !== 'string') {
    throw new TrustListError('The key file does not hold an Ed25519 private key; give the file `trustlist create` wrote.');
  }
  const publicJwk = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x };
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK({ ...publicJwk, d: jwk.d, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
  } catch {
    throw new TrustListError('The key file does not hold a usable Ed25519 private key.');
  }
  return { kid: await thumbprint(publicJwk), publicJwk, privateKey };
}

export function signTrustList(claims: TrustListClaims, key: AnchorKey): Promise<string> {
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: TRUST_LIST_TYP, kid: key.kid, jwk: key.publicJwk })
    .sign(key.privateKey);
}

export type TrustListVerification =
  | { ok: true; claims: TrustListClaims }
  | { ok: false; reason: string };

/**
 * Checks a list as a follower must before applying it: form, header, the anchor key's
 * thumbprint against the configured one, signature, schema, and times. `notBefore` is the iat
 * of the list applied last: an older list is refused, so no one can roll the node back to it.
 */
export async function verifyTrustList(
  jws: string,
  anchorKid: string,
  nowSeconds: number,
  options: { clockSkewSeconds: number; notBefore?: number | undefined },
): Promise<TrustListVerification> {
  const read = readCompactJws(jws);
  if (!read.ok) return { ok: false, reason: read.problem === 'not-compact' ? 'The trust list is not a compact JWS.' : 'The trust list is not a compact JWS with a JSON payload.' };
  const { header, payload: claims } = read;
  if (header.alg !== 'EdDSA' || header.typ !== TRUST_LIST_TYP) return { ok: false, reason: `The trust list header is not that of a ${TRUST_LIST_TYP}.` };
  const jwk = header.jwk;
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || 'd' in jwk) {
    return { ok: false, reason: 'The trust list header does not carry the anchor\'s public Ed25519 key.' };
  }
  const kid = await thumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x });
  if (kid !== anchorKid || header.kid !== anchorKid) {
    return { ok: false, reason: 'The trust list is not signed by the configured trust anchor key.' };
  }
  try {
    await compactVerify(jws, await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'EdDSA'), { algorithms: ['EdDSA'] });
  } catch {
    return { ok: false, reason: 'The trust list signature does not verify.' };
  }
  if (!validatorFor('federation', 'TrustListClaims')(claims)) return { ok: false, reason: 'The trust list does not match the protocol schema.' };
  const list = claims as TrustListClaims;
  if (list.exp <= nowSeconds) return { ok: false, reason: 'The trust list has expired; the anchor must sign it again.' };
  if (list.iat > nowSeconds + options.clockSkewSeconds) return { ok: false, reason: 'The trust list is dated in the future.' };
  if (options.notBefore !== undefined && list.iat < options.notBefore) {
    return { ok: false, reason: 'The trust list is older than the one applied last.' };
  }
  return { ok: true, claims: list };
}
