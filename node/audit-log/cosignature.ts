// C2SP tlog-cosignature v1 with Ed25519: a witness's timestamped statement that, as of that
// time, the checkpoint is the largest consistent tree it has seen of the log. The note signature
// line is "— <witness name> base64(key ID || u64 timestamp || signature)", the key ID
// SHA-256(name || 0x0A || 0x04 || public key)[:4], and the signed message
// "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint's note text.
import { createHash } from 'node:crypto';
import type { NoteSigner } from './checkpoint.js';
import { ed25519Verifier } from './checkpoint.js';

const COSIGNATURE_V1_ED25519 = 0x04;
const SIGNATURE_PREFIX = '\u2014 ';
const BLOB_BYTES = 4 + 8 + 64;
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  return createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, COSIGNATURE_V1_ED25519)).update(publicKey).digest().readUInt32BE(0);
}

export function cosignedMessage(noteText: string, timestamp: number): Uint8Array {
  return new TextEncoder().encode(`cosignature/v1\ntime ${timestamp}\n${noteText}`);
}

/** The cosignature line (without its newline) on a checkpoint note text, at `timestamp` (POSIX seconds). */
export async function cosignCheckpoint(noteText: string, timestamp: number, signer: NoteSigner): Promise<string> {
  if (!noteText.endsWith('\n')) throw new RangeError('A note text ends with a newline.');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('A cosignature timestamp is a non-negative integer.');
  const signature = await signer.sign(cosignedMessage(noteText, timestamp));
  const blob = Buffer.alloc(BLOB_BYTES);
  blob.writeUInt32BE(cosignatureKeyId(signer.name, signer.publicKey), 0);
  blob.writeBigUInt64BE(BigInt(timestamp), 4);
  Buffer.from(signature).copy(blob, 12);
  return `${SIGNATURE_PREFIX}${signer.name} ${blob.toString('base64')}`;
}

export type CosignatureCheck =
  | { ok: true; timestamp: number }
  /** other-key: the line is not by this witness (another name or key ID): ignore it. */
  | { ok: false; reason: 'other-key' | 'malformed' | 'invalid-signature' };

/** Checks one signature line as a cosignature by the witness `name` with the raw Ed25519 key. */
export async function verifyCosignature(
  line: string,
  noteText: string,
  witness: { name: string; publicKey: Uint8Array },
): Promise<CosignatureCheck> {
  if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: 'malformed' };
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return { ok: false, reason: 'malformed' };
  if (rest.slice(0, space) !== witness.name) return { ok: false, reason: 'other-key' };
  const text = rest.slice(space + 1);
  const blob = Buffer.from(text, 'base64');
  if (blob.toString('base64') !== text || blob.length < 4) return { ok: false, reason: 'malformed' };
  if (blob.readUInt32BE(0) !== cosignatureKeyId(witness.name, witness.publicKey)) return { ok: false, reason: 'other-key' };
  if (blob.length !== BLOB_BYTES) return { ok: false, reason: 'malformed' };
  const timestamp = blob.readBigUInt64BE(4);
  if (timestamp > MAX_TIMESTAMP || timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'malformed' };
  const verifier = ed25519Verifier(witness.name, witness.publicKey);
  const valid = await verifier.verify(cosignedMessage(noteText, Number(timestamp)), new Uint8Array(blob.subarray(12)));
  return valid ? { ok: true, timestamp: Number(timestamp) } : { ok: false, reason: 'invalid-signature' };
}

/** The signature lines of a signed note (after the last blank line), without their newlines. */
export function signatureLines(note: string): string[] {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return [];
  return note.slice(split + 2, -1).split('\n');
}

/** The note text (the checkpoint body) of a signed note: everything up to the blank line. */
export function noteText(note: string): string {
  const split = note.lastIndexOf('\n\n');
  return split < 0 ? note : note.slice(0, split + 1);
}
