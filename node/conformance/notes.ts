// C2SP signed notes as the spec uses them, for the kit: tlog-checkpoint bodies signed with
// Ed25519 note signatures (type 0x01), and tlog-cosignature/v1 lines (type 0x04), with the key
// IDs SHA-256(<name> || 0x0A || <type> || <public key>)[:4]. Written from the C2SP texts.
import type { KeyObject } from 'node:crypto';
import { b64, concat, ed25519Sign, ed25519Verify, fromB64, sha256, utf8, type Bytes } from './crypto.js';

export const NOTE_ED25519 = 0x01;
export const COSIGNATURE_V1 = 0x04;
const DASH = '\u2014 ';

/** A node id's log origin (also its checkpoint key name): no scheme, `/audit-log`, `+` as `%2B`. */
export const logOriginOf = (nodeId: string): string => `${nodeId.replace(/^[a-z]+:\/\//, '')}/audit-log`.replace(/\+/g, '%2B');

/** A node id's witness name: no scheme, then `/witness`. */
export const witnessNameOf = (nodeId: string): string => `${nodeId.replace(/^[a-z]+:\/\//, '')}/witness`;

export function noteKeyId(name: string, type: number, publicRaw: Bytes): Bytes {
  return sha256(utf8(name), Uint8Array.of(0x0a, type), publicRaw).slice(0, 4);
}

export const checkpointBody = (origin: string, size: number, root: Bytes): string => `${origin}\n${size}\n${b64(root)}\n`;

/** The signed note: the text, a blank line, then the signer's line. */
export function signNote(text: string, name: string, key: { privateKey: KeyObject; publicRaw: Bytes }): string {
  const signature = ed25519Sign(utf8(text), key.privateKey);
  return `${text}\n${DASH}${name} ${b64(concat(noteKeyId(name, NOTE_ED25519, key.publicRaw), signature))}\n`;
}

export interface ParsedCheckpoint {
  text: string;
  origin: string;
  size: number;
  root: Bytes;
  extensions: string[];
  signatureLines: string[];
}

/** A signed checkpoint note taken apart; a sentence saying why when it is not one. */
export function parseSignedCheckpoint(note: string): ParsedCheckpoint | string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return 'it is not a signed note (no blank line before the signatures, or no final newline)';
  const text = note.slice(0, split + 1);
  const signatureLines = note.slice(split + 2, -1).split('\n');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (!origin || !sizeText || !/^(0|[1-9][0-9]*)$/.test(sizeText)) return 'the checkpoint body has no origin line or no tree size';
  const root = rootText === undefined ? undefined : fromB64(rootText);
  if (!root || root.length !== 32) return 'the checkpoint\'s root hash is not standard base64 of 32 bytes';
  if (signatureLines.some((line) => !line.startsWith(DASH))) return 'a signature line does not begin with "— "';
  return { text, origin, size: Number(sizeText), root, extensions, signatureLines };
}

/** Splits `— <name> <base64 blob>`. */
function splitLine(line: string): { name: string; blob: Bytes } | undefined {
  if (!line.startsWith(DASH)) return undefined;
  const rest = line.slice(DASH.length);
  const space = rest.lastIndexOf(' ');
  if (space <= 0) return undefined;
  const blob = fromB64(rest.slice(space + 1));
  return blob ? { name: rest.slice(0, space), blob } : undefined;
}

/** Checks a note signature line by `name` (type 0x01); undefined when it verifies, else why not. */
export function noteSignatureProblem(line: string, text: string, name: string, publicX: string, publicRaw: Bytes): string | undefined {
  const parsed = splitLine(line);
  if (!parsed) return `the line "${line.slice(0, 60)}" is not a note signature line`;
  if (parsed.name !== name) return `the line is signed by the key name "${parsed.name}", not "${name}"`;
  if (parsed.blob.length !== 4 + 64) return `the signature blob is ${parsed.blob.length} bytes, not 68 (key ID and Ed25519 signature)`;
  const expected = noteKeyId(name, NOTE_ED25519, publicRaw);
  if (!expected.every((byte, i) => parsed.blob[i] === byte)) return 'the key ID is not SHA-256(name || 0x0A || 0x01 || public key)[:4]';
  if (!ed25519Verify(utf8(text), parsed.blob.slice(4), publicX)) return 'the Ed25519 signature does not verify over the checkpoint text';
  return undefined;
}

export const cosignedMessage = (text: string, timestamp: number): Bytes => utf8(`cosignature/v1\ntime ${timestamp}\n${text}`);

/** A tlog-cosignature/v1 line (without its newline) by the witness `name` at `timestamp`. */
export function cosignLine(text: string, timestamp: number, name: string, key: { privateKey: KeyObject; publicRaw: Bytes }): string {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(timestamp));
  const signature = ed25519Sign(cosignedMessage(text, timestamp), key.privateKey);
  return `${DASH}${name} ${b64(concat(noteKeyId(name, COSIGNATURE_V1, key.publicRaw), new Uint8Array(time), signature))}`;
}

/** Checks a cosignature line by the witness `name`; its timestamp, or why it does not verify. */
export function checkCosignature(line: string, text: string, name: string, publicX: string, publicRaw: Bytes): { timestamp: number } | string {
  const parsed = splitLine(line);
  if (!parsed) return `"${line.slice(0, 60)}" is not a note signature line`;
  if (parsed.name !== name) return `the cosignature names "${parsed.name}", not the witness name "${name}"`;
  if (parsed.blob.length !== 4 + 8 + 64) return `the cosignature blob is ${parsed.blob.length} bytes, not 76 (key ID, timestamp, signature)`;
  const expected = noteKeyId(name, COSIGNATURE_V1, publicRaw);
  if (!expected.every((byte, i) => parsed.blob[i] === byte)) return 'the key ID is not SHA-256(name || 0x0A || 0x04 || public key)[:4]';
  const timestamp = Number(Buffer.from(parsed.blob.slice(4, 12)).readBigUInt64BE(0));
  if (!ed25519Verify(cosignedMessage(text, timestamp), parsed.blob.slice(12), publicX)) {
    return 'the Ed25519 signature does not verify over "cosignature/v1\\ntime <timestamp>\\n" and the checkpoint text';
  }
  return { timestamp };
}
