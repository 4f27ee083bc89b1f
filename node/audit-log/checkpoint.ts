// Checkpoints of the audit log: the C2SP tlog-checkpoint body (origin, tree size, root hash) and
// the C2SP signed-note envelope with Ed25519 signatures, byte-compatible with Go's sumdb/note.
import { createHash, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

export const ROOT_HASH_BYTES = 32;
const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const SIGNATURE_TYPE_ED25519 = 0x01;
/** Go's sumdb/note limit; the spec asks verifiers to accept at least 16. */
const MAX_SIGNATURES = 100;
const SIGNATURE_PREFIX = '\u2014 ';

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

export type CheckpointParse =
  | { ok: true; checkpoint: Checkpoint; extensionLines: string[] }
  | { ok: false; reason: 'malformed-checkpoint'; detail: string };

export interface NoteSigner {
  name: string;
  /** The raw 32-byte Ed25519 public key, for the key hash. */
  publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface NoteVerifier {
  name: string;
  publicKey: Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export type NoteRefusal = 'malformed-note' | 'invalid-signature' | 'no-known-signature' | 'ambiguous-verifier';

export type OpenedNote = { ok: true; text: string; verifiedBy: string[] } | { ok: false; reason: NoteRefusal; detail: string };

/** The checkpoint note text: "<origin>\n<size>\n<base64 root hash>\n". */
export function checkpointBody({ origin, size, rootHash }: Checkpoint): string {
  if (origin === '' || /[\u0000-\u001f]/.test(origin) || !isWellFormed(origin)) {
    throw new RangeError('A checkpoint origin is one non-empty line without control characters.');
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('A checkpoint size is a non-negative integer.');
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== ROOT_HASH_BYTES) {
    throw new RangeError(`A checkpoint root hash is ${ROOT_HASH_BYTES} bytes.`);
  }
  return `${origin}\n${size}\n${base64(rootHash)}\n`;
}

/** Parses a checkpoint note text (tlog-checkpoint "Note text"); extension lines are returned as they are. */
export function parseCheckpointBody(text: string): CheckpointParse {
  const malformed = (detail: string): CheckpointParse => ({ ok: false, reason: 'malformed-checkpoint', detail });
  if (typeof text !== 'string' || !text.endsWith('\n')) return malformed('The text does not end with a newline.');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return malformed('A checkpoint has at least three lines.');
  if (lines.some((line) => line === '')) return malformed('A checkpoint has no empty lines.');
  const [origin, sizeText, rootText, ...extensionLines] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) return malformed('The tree size is not a decimal number without leading zeros.');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return malformed('The tree size is too large.');
  const rootHash = decodeBase64Strict(rootText);
  if (!rootHash || rootHash.length !== ROOT_HASH_BYTES) return malformed(`The root hash is not the base64 of ${ROOT_HASH_BYTES} bytes.`);
  return { ok: true, checkpoint: { origin, size, rootHash }, extensionLines };
}

/**
 * The signed-note key ID: the first four bytes, big-endian, of
 * SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key).
 */
export function keyHash(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, SIGNATURE_TYPE_ED25519)).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

/** Signs a note text (ending in a newline) and returns the note with its one signature line. */
export async function signNote(text: string, signer: NoteSigner): Promise<string> {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new RangeError('A note text ends with a newline.');
  if (!isWellFormed(text) || CONTROL_CHARACTER.test(text)) {
    throw new RangeError('A note text is well-formed Unicode without control characters other than newline.');
  }
  if (!isValidKeyName(signer.name)) throw new RangeError(`"${signer.name}" is not a valid note key name.`);
  if (signer.publicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw new RangeError('The signer public key is not a raw Ed25519 key.');
  const signature = await signer.sign(utf8Encode(text));
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_BYTES) {
    throw new RangeError('The signer did not return an Ed25519 signature.');
  }
  const blob = new Uint8Array(4 + signature.length);
  new DataView(blob.buffer).setUint32(0, keyHash(signer.name, signer.publicKey));
  blob.set(signature, 4);
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${base64(blob)}\n`;
}

/**
 * Opens a signed note as Go's note.Open does: signatures by keys not among the verifiers are
 * ignored, a known key's signature must verify (or the whole note is refused), and at least one
 * must. Repeated signatures by one known key count once.
 */
export async function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): Promise<OpenedNote> {
  const refuse = (reason: NoteRefusal, detail: string): OpenedNote => ({ ok: false, reason, detail });
  const message = typeof note === 'string' ? note : utf8DecodeStrict(note);
  if (typeof message !== 'string' || !isWellFormed(message)) return refuse('malformed-note', 'The note is not UTF-8.');
  if (CONTROL_CHARACTER.test(message)) return refuse('malformed-note', 'The note contains control characters.');

  const split = message.lastIndexOf('\n\n');
  if (split < 0) return refuse('malformed-note', 'No blank line separates the text from the signatures.');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) return refuse('malformed-note', 'The signature lines do not end with a newline.');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return refuse('malformed-note', `More than ${MAX_SIGNATURES} signatures.`);

  const signatures: Array<{ name: string; hash: number; signature: Uint8Array }> = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return refuse('malformed-note', 'A signature line does not start with an em dash and a space.');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const blob = space < 0 ? undefined : decodeBase64Strict(rest.slice(space + 1));
    if (!isValidKeyName(name) || !blob || blob.length < 5) return refuse('malformed-note', 'A signature line is malformed.');
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    signatures.push({ name, hash: view.getUint32(0), signature: blob.subarray(4) });
  }

  const known = verifiers.map((verifier) => ({ verifier, hash: keyHash(verifier.name, verifier.publicKey) }));
  const bytes = utf8Encode(text);
  const verified = new Set<string>();
  const verifiedBy: string[] = [];
  for (const { name, hash, signature } of signatures) {
    const matches = known.filter((k) => k.verifier.name === name && k.hash === hash);
    if (matches.length === 0) continue;
    const id = `${name}+${hex8(hash)}`;
    if (matches.length > 1) return refuse('ambiguous-verifier', `More than one verifier for ${id}.`);
    if (verified.has(id)) continue;
    if (!(await verifiesSafely(matches[0]!.verifier, bytes, signature))) {
      return refuse('invalid-signature', `The signature by ${id} does not verify.`);
    }
    verified.add(id);
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) return refuse('no-known-signature', 'No signature by a known key.');
  return { ok: true, text, verifiedBy };
}

/** A note signer over a node:crypto Ed25519 private key. */
export function ed25519SignerFromNodeCrypto(name: string, privateKey: KeyObject): NoteSigner {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('The note signing key must be an Ed25519 private key.');
  }
  if (!isValidKeyName(name)) throw new RangeError(`"${name}" is not a valid note key name.`);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
  return {
    name,
    publicKey,
    sign: async (message) => new Uint8Array(cryptoSign(null, message, privateKey)),
  };
}

/** A note verifier for a raw 32-byte Ed25519 public key. */
export function ed25519Verifier(name: string, publicKeyRaw: Uint8Array): NoteVerifier {
  if (!(publicKeyRaw instanceof Uint8Array) || publicKeyRaw.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new RangeError('An Ed25519 public key is 32 bytes.');
  }
  const publicKey = new Uint8Array(publicKeyRaw);
  const keyObject = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
  return {
    name,
    publicKey,
    verify: async (message, signature) => {
      if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
      try {
        return cryptoVerify(null, message, keyObject, signature);
      } catch {
        return false;
      }
    },
  };
}

// A verifier that throws is treated as one that refuses: opening a note never throws.
async function verifiesSafely(verifier: NoteVerifier, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return (await verifier.verify(message, signature)) === true;
  } catch {
    return false;
  }
}

// ASCII control characters other than newline; DEL is allowed, as in Go's note.Open.
const CONTROL_CHARACTER = /[\u0000-\u0009\u000b-\u001f]/;

/** Non-empty, no Unicode space (Go's unicode.IsSpace is the White_Space property), no plus. */
function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name !== '' && isWellFormed(name) && !/[\p{White_Space}+]/u.test(name);
}

/** No lone surrogates, so that UTF-8 encoding is lossless. */
function isWellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard padded base64 (RFC 4648 §4), canonical only: undefined for anything else. */
function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function utf8Encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
