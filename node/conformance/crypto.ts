// The kit's own cryptography, written from the spec's text and nothing of the node's: Ed25519
// signatures and compact JWS (node:crypto signs, jose verifies and makes thumbprints), SHA-256,
// base64url, libsodium's XChaCha20-Poly1305 and sealed boxes, UUIDv7 and fingerprints. A node
// that shares a mistake with the node under test would pass; so nothing here is shared with it.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import sodiumModule from 'libsodium-wrappers-sumo';

export type Bytes = Uint8Array;

/** base64url without padding (RFC 4648 §5), as everywhere in the protocol. */
export const b64u = (data: Bytes | string): string => Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');

/** Strict base64url: the alphabet only, no padding, and the canonical encoding of what it decodes to. */
export function fromB64u(text: string): Bytes | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? new Uint8Array(bytes) : undefined;
}

/** Standard base64 with padding (RFC 4648 §4), as C2SP notes use. */
export const b64 = (data: Bytes): string => Buffer.from(data).toString('base64');

export function fromB64(text: string): Bytes | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export const utf8 = (text: string): Bytes => new Uint8Array(Buffer.from(text, 'utf8'));
export const fromUtf8 = (bytes: Bytes): string => Buffer.from(bytes).toString('utf8');

export function sha256(...parts: Array<Bytes | string>): Bytes {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
  return new Uint8Array(hash.digest());
}

export const concat = (...parts: Bytes[]): Bytes => new Uint8Array(Buffer.concat(parts));

export interface OkpJwk {
  kty: 'OKP';
  crv: 'Ed25519' | 'X25519';
  x: string;
  kid: string;
  use: 'sig' | 'enc';
  alg?: string;
}

/** RFC 7638 thumbprint (SHA-256, base64url) of an OKP public key. */
export const thumbprintOf = (key: { kty: string; crv: string; x: string }): Promise<string> =>
  calculateJwkThumbprint({ kty: key.kty, crv: key.crv, x: key.x }, 'sha256');

export interface KitSigningKey {
  jwk: OkpJwk;
  privateKey: KeyObject;
  /** The 32 raw bytes of the public key (note key IDs hash them). */
  publicRaw: Bytes;
}

export interface KitEncryptionKey {
  jwk: OkpJwk;
  publicKey: Bytes;
  privateKey: Bytes;
}

export async function newSigningKey(): Promise<KitSigningKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  const kid = await thumbprintOf({ kty: 'OKP', crv: 'Ed25519', x });
  return { jwk: { kty: 'OKP', crv: 'Ed25519', x, kid, use: 'sig' }, privateKey, publicRaw: fromB64u(x)! };
}

export async function newEncryptionKey(): Promise<KitEncryptionKey> {
  const sodium = await libsodium();
  const pair = sodium.crypto_box_keypair();
  const x = b64u(pair.publicKey);
  const kid = await thumbprintOf({ kty: 'OKP', crv: 'X25519', x });
  return { jwk: { kty: 'OKP', crv: 'X25519', x, kid, use: 'enc' }, publicKey: pair.publicKey, privateKey: pair.privateKey };
}

/** Raw Ed25519 over `message` with node:crypto. */
export const ed25519Sign = (message: Bytes, key: KeyObject): Bytes => new Uint8Array(sign(null, message, key));

export function ed25519Verify(message: Bytes, signature: Bytes, publicX: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicX }, format: 'jwk' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * A compact JWS with exactly this protected header (whatever it holds: the negative checks need
 * headers no JOSE library would write), signed with Ed25519.
 */
export function signCompact(header: Record<string, unknown>, payload: Bytes | string, key: KeyObject): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(payload)}`;
  return `${input}.${b64u(ed25519Sign(utf8(input), key))}`;
}

export interface VerifiedJws {
  header: Record<string, unknown>;
  payload: Bytes;
}

/** Verifies a compact JWS (EdDSA only) with an Ed25519 public key; undefined when it does not verify. */
export async function verifyCompact(jws: string, key: { x: string }): Promise<VerifiedJws | undefined> {
  try {
    const publicKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: key.x }, 'EdDSA');
    const { payload, protectedHeader } = await compactVerify(jws, publicKey, { algorithms: ['EdDSA'] });
    return { header: protectedHeader as Record<string, unknown>, payload };
  } catch {
    return undefined;
  }
}

/** The protected header and payload of a compact JWS, unverified; undefined when it is not one. */
export function decodeCompact(jws: string): { header: Record<string, unknown>; payload: Bytes; signature: Bytes } | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts.map(fromB64u);
  if (!h || !p || !s || s.length === 0) return undefined;
  try {
    const header: unknown = JSON.parse(fromUtf8(h));
    if (!header || typeof header !== 'object' || Array.isArray(header)) return undefined;
    return { header: header as Record<string, unknown>, payload: p, signature: s };
  } catch {
    return undefined;
  }
}

/** The payload of a compact JWS as JSON, unverified. */
export function jsonPayloadOf(jws: string): unknown {
  const decoded = decodeCompact(jws);
  if (!decoded) return undefined;
  try {
    return JSON.parse(fromUtf8(decoded.payload));
  } catch {
    return undefined;
  }
}

let sodiumReady: Promise<typeof sodiumModule> | undefined;

/** libsodium, once its WebAssembly is ready. */
export function libsodium(): Promise<typeof sodiumModule> {
  return (sodiumReady ??= sodiumModule.ready.then(() => sodiumModule));
}

export const CONTENT_KEY_BYTES = 32;
export const NONCE_BYTES = 24;

export const randomBytesOf = (n: number): Bytes => new Uint8Array(randomBytes(n));

/** XChaCha20-Poly1305-IETF encryption; the result ends with the 16-byte tag. */
export async function aeadEncrypt(key: Bytes, nonce: Bytes, plaintext: Bytes, ad: Bytes): Promise<Bytes> {
  const sodium = await libsodium();
  return sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
}

export async function aeadDecrypt(key: Bytes, nonce: Bytes, ciphertext: Bytes, ad: Bytes): Promise<Bytes | undefined> {
  const sodium = await libsodium();
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key);
  } catch {
    return undefined;
  }
}

export async function sealTo(message: Bytes, publicKey: Bytes): Promise<Bytes> {
  return (await libsodium()).crypto_box_seal(message, publicKey);
}

export async function openSealed(sealed: Bytes, key: Pick<KitEncryptionKey, 'publicKey' | 'privateKey'>): Promise<Bytes | undefined> {
  const sodium = await libsodium();
  try {
    return sodium.crypto_box_seal_open(sealed, key.publicKey, key.privateKey);
  } catch {
    return undefined;
  }
}

/** A UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, version 7, variant 10, random bits. */
export function uuidv7(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const isUuidV7 = (id: unknown): boolean =>
  typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id); // RFC 9562: either case

/** A version 4 UUID (well formed, but not the UUIDv7 an envelope id must be). */
export function uuidv4(): string {
  const bytes = randomBytes(16);
  bytes[6] = 0x40 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The spec's fingerprint: the first 20 bytes of the thumbprint in base32 (RFC 4648, upper case), 8 groups of 4. */
export function fingerprintOf(kid: string): string {
  const bytes = fromB64u(kid)?.slice(0, 20) ?? new Uint8Array();
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) text += BASE32[(value << (5 - bits)) & 31];
  return (text.match(/.{1,4}/g) ?? []).join('-');
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
