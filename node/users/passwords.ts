// Password hashing with argon2id (libsodium's crypto_pwhash_str, interactive limits).
import { loadSodium } from '../crypto/sodium.js';

export async function hashPassword(password: string): Promise<string> {
  const sodium = await loadSodium();
  return sodium.crypto_pwhash_str(password, sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const sodium = await loadSodium();
  try {
    return sodium.crypto_pwhash_str_verify(hash, password);
  } catch {
    return false;
  }
}

/** A random password for a new account, printed once: 20 characters from a readable alphabet. */
export async function generatePassword(): Promise<string> {
  const sodium = await loadSodium();
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let out = '';
  while (out.length < 20) {
    const byte = sodium.randombytes_uniform(alphabet.length);
    out += alphabet[byte];
  }
  return out.replace(/(.{5})(?=.)/g, '$1-');
}
