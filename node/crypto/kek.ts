// The key-encryption key (KEK): it encrypts the node's private keys and the data keys of
// stored payloads. It lives outside the database: in REFERRAL_NODE_KEK, in a key file outside the
// data folder (REFERRAL_NODE_KEK_FILE) or a systemd credential, or in kek.key in the data folder
// (created with mode 0600 by `init`); config/kek-source.ts chooses. Whoever has the database but
// not the KEK reads nothing.
import { hkdfSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AEAD_KEY_BYTES, aeadDecrypt, aeadEncrypt, randomBytes } from './aead.js';
import { b64u, decodeBase64UrlStrict, utf8 } from './encoding.js';

export interface Kek {
  /** Encrypts a secret bound to a purpose label; returns `nonce.ciphertext` in base64url. */
  wrap(secret: Uint8Array, purpose: string): Promise<string>;
  /** Throws when the wrapped secret was altered or belongs to another purpose or KEK. */
  unwrap(wrapped: string, purpose: string): Promise<Uint8Array>;
  /** A 32-byte key for one purpose, the same in every process with this KEK (HKDF-SHA-256). */
  derive(purpose: string): Uint8Array;
}

export class KekError extends Error {}

export function parseKek(text: string, source: string): Uint8Array {
  const bytes = decodeBase64UrlStrict(text.trim());
  if (!bytes || bytes.length !== AEAD_KEY_BYTES) {
    throw new KekError(`${source} must be the base64url encoding of 32 random bytes (43 characters).`);
  }
  return bytes;
}

export async function createKekFile(path: string): Promise<void> {
  const key = await randomBytes(AEAD_KEY_BYTES);
  writeFileSync(path, `${b64u.encode(key)}\n`, { mode: 0o600, flag: 'wx' });
}

/** The KEK in a key file; `setting` says which setting named the file, when it is not the data folder's kek.key. */
export function readKekFile(path: string, setting?: string): Uint8Array {
  if (!existsSync(path)) {
    throw new KekError(
      setting
        ? `No key-encryption key at ${setting}: restore the file, or correct the setting.`
        : `No key-encryption key: set REFERRAL_NODE_KEK or restore the key file ${path} (or give the key's file in REFERRAL_NODE_KEK_FILE, or as the systemd credential referral-node-kek).`,
    );
  }
  return parseKek(readFileSync(path, 'utf8'), setting ?? path);
}

export function kekFromBytes(key: Uint8Array): Kek {
  return {
    derive: (purpose) => new Uint8Array(hkdfSync('sha256', key, new Uint8Array(0), utf8.encode(`referral-node ${purpose}`), 32)),
    async wrap(secret, purpose) {
      const { nonce, ciphertext } = await aeadEncrypt(key, secret, utf8.encode(purpose));
      return `${b64u.encode(nonce)}.${b64u.encode(ciphertext)}`;
    },
    async unwrap(wrapped, purpose) {
      const [nonceText, ciphertextText] = wrapped.split('.');
      const nonce = decodeBase64UrlStrict(nonceText);
      const ciphertext = decodeBase64UrlStrict(ciphertextText);
      const secret =
        nonce && ciphertext ? await aeadDecrypt(key, { nonce, ciphertext }, utf8.encode(purpose)) : undefined;
      if (!secret) throw new KekError('A stored secret cannot be opened: wrong key-encryption key, or altered data.');
      return secret;
    },
  };
}
