// Byte encodings used on the wire and in storage. base64url comes from jose (RFC 4648 §5,
// no padding); base32 is only for the human-readable fingerprint.
import { base64url } from 'jose';
import { createHash } from 'node:crypto';

export const b64u = {
  encode: (bytes: Uint8Array | string): string => base64url.encode(bytes),
  decode: (text: string): Uint8Array => base64url.decode(text),
};

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Strict decoding for untrusted input: undefined instead of an exception or a lenient guess. */
export function decodeBase64UrlStrict(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  try {
    return base64url.decode(text);
  } catch {
    return undefined;
  }
}

export const utf8 = {
  encode: (text: string): Uint8Array => new TextEncoder().encode(text),
  decode: (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes),
};

export function sha256(bytes: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, upper case, no padding. */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
