// Symmetric encryption used everywhere in the node: XChaCha20-Poly1305-IETF from libsodium.
// The same construction protects envelope bodies in transit and data at rest.
import { loadSodium } from './sodium.js';

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;

export interface Sealed {
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

export async function randomBytes(length: number): Promise<Uint8Array> {
  const sodium = await loadSodium();
  return sodium.randombytes_buf(length);
}

/** The nonce is drawn at random unless given (given only to reproduce known ciphertexts: spec/vectors). */
export async function aeadEncrypt(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array, givenNonce?: Uint8Array): Promise<Sealed> {
  const sodium = await loadSodium();
  if (givenNonce && givenNonce.length !== AEAD_NONCE_BYTES) throw new RangeError(`An AEAD nonce is ${AEAD_NONCE_BYTES} bytes.`);
  const nonce = givenNonce ?? sodium.randombytes_buf(AEAD_NONCE_BYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData, null, nonce, key);
  return { nonce, ciphertext };
}

/** Returns undefined when the ciphertext, nonce or associated data was altered. */
export async function aeadDecrypt(
  key: Uint8Array,
  sealed: Sealed,
  associatedData: Uint8Array,
): Promise<Uint8Array | undefined> {
  const sodium = await loadSodium();
  if (sealed.nonce.length !== AEAD_NONCE_BYTES || key.length !== AEAD_KEY_BYTES) return undefined;
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed.ciphertext, associatedData, sealed.nonce, key);
  } catch {
    return undefined;
  }
}

/** crypto_box_seal: anonymous encryption of a short secret (a content key) to an X25519 key. */
export async function sealToPublicKey(message: Uint8Array, recipientPublicKey: Uint8Array): Promise<Uint8Array> {
  const sodium = await loadSodium();
  return sodium.crypto_box_seal(message, recipientPublicKey);
}

export async function openSealed(
  sealed: Uint8Array,
  publicKey: Uint8Array,
  privateKey: Uint8Array,
): Promise<Uint8Array | undefined> {
  const sodium = await loadSodium();
  try {
    return sodium.crypto_box_seal_open(sealed, publicKey, privateKey);
  } catch {
    return undefined;
  }
}

export async function generateX25519KeyPair(): Promise<{ publicKey: Uint8Array; privateKey: Uint8Array }> {
  const sodium = await loadSodium();
  const { publicKey, privateKey } = sodium.crypto_box_keypair();
  return { publicKey, privateKey };
}

export async function x25519PublicKeyOf(privateKey: Uint8Array): Promise<Uint8Array> {
  const sodium = await loadSodium();
  return sodium.crypto_scalarmult_base(privateKey);
}
