// The node's own keys: one Ed25519 signing key (JWS, EdDSA) and a current X25519 encryption key.
// Public halves are JWKs with RFC 7638 thumbprints as `kid`; private halves are only ever stored
// wrapped by the KEK.
import { BoundedCache } from '../util/bounded-cache.js';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type CompactVerifyResult, type CryptoKey, type JWK } from 'jose';
import { generateX25519KeyPair } from '../crypto/aead.js';
import { b64u, base32 } from '../crypto/encoding.js';

export interface OkpPublicJwk {
  kty: 'OKP';
  crv: 'Ed25519' | 'X25519';
  x: string;
  kid: string;
  use: 'sig' | 'enc';
  alg?: string;
}

export interface SigningKey {
  kid: string;
  publicJwk: OkpPublicJwk;
  privateKey: CryptoKey;
}

export interface EncryptionKey {
  kid: string;
  publicJwk: OkpPublicJwk;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export async function thumbprint(jwk: { kty: string; crv: string; x: string }): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256');
}

/** The signing key's thumbprint in a form two administrators can read to each other. */
export function readableFingerprint(kid: string): string {
  const text = base32(b64u.decode(kid).slice(0, 20));
  return text.match(/.{4}/g)!.join('-');
}

export async function generateSigningKey(): Promise<{ key: SigningKey; privateJwk: JWK }> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const key = await signingKeyFromPrivateJwk(privateJwk);
  return { key, privateJwk };
}

export async function signingKeyFromPrivateJwk(privateJwk: JWK): Promise<SigningKey> {
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || !privateJwk.x || !privateJwk.d) {
    throw new Error('The stored signing key is not an Ed25519 private JWK.');
  }
  const kid = await thumbprint({ kty: 'OKP', crv: 'Ed25519', x: privateJwk.x });
  const privateKey = (await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
  return {
    kid,
    privateKey,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: privateJwk.x, kid, use: 'sig', alg: 'EdDSA' },
  };
}

export async function generateEncryptionKey(): Promise<EncryptionKey> {
  const { publicKey, privateKey } = await generateX25519KeyPair();
  return encryptionKeyFrom(publicKey, privateKey);
}

export async function encryptionKeyFrom(publicKey: Uint8Array, privateKey: Uint8Array): Promise<EncryptionKey> {
  const x = b64u.encode(publicKey);
  const kid = await thumbprint({ kty: 'OKP', crv: 'X25519', x });
  return { kid, publicKey, privateKey, publicJwk: { kty: 'OKP', crv: 'X25519', x, kid, use: 'enc' } };
}

/** Peers' public signing keys as WebCrypto imported them, by their bytes: imported once, not at each request. */
const importedPublicKeys = new BoundedCache<string, Promise<CryptoKey>>(4_096);

export function importSigningPublicKey(jwk: OkpPublicJwk): Promise<CryptoKey> {
  const key = `${jwk.crv}:${jwk.x}`;
  const imported = importedPublicKeys.get(key, () => importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'EdDSA') as Promise<CryptoKey>);
  // A key that failed to import is not kept: the next call tries again (and fails the same way).
  imported.catch(() => importedPublicKeys.forget(key));
  return imported;
}

/**
 * Verifies a compact JWS with the key its header names, among `keys` (by kid): a node's
 * signatures made before it rotated its signing key name an earlier key of its chain. Undefined
 * when the key is not among them or the signature does not verify.
 */
export async function verifyWithKeyNamed(jws: string, keys: ReadonlyMap<string, OkpPublicJwk>): Promise<CompactVerifyResult | undefined> {
  try {
    const key = keys.get(String(decodeProtectedHeader(jws).kid));
    if (!key) return undefined;
    return await compactVerify(jws, await importSigningPublicKey(key), { algorithms: ['EdDSA'] });
  } catch {
    return undefined;
  }
}
