// Checks an audit bundle on its own, away from the node: the entries are consecutive, every
// checkpoint is signed by the node's key (taken from its self-signed identity document; after a
// signing-key rotation, a key of its continuity chain, never going back to an earlier one) and
// commits to the root of exactly its first `size` entries, and every cosignature verifies with
// the key of a witness in the bundle. Findings are results, not exceptions: a tampered bundle
// yields a list of what is wrong, each with where.
import { leafHash, nodeHash, rootOf } from './merkle.js';
import { openNote, parseCheckpointBody, type NoteVerifier } from './checkpoint.js';
import { noteText, signatureLines, verifyCosignature } from './cosignature.js';
import { logOrigin, logVerifier, rawEd25519Key, witnessKeyName } from './log-identity.js';
import { AUDIT_BUNDLE_FORMAT } from './bundle.js';
import { verifyIdentityDocument, type VerifiedIdentity } from '../identity/document.js';
import { HISTORICAL_KEYS_TYP, type HistoricalKey } from '../identity/historical-keys.js';
import { keysOfBundleIdentity, type BundleIdentity } from './bundle-identity.js';
import { verifyWithKeyNamed, type OkpPublicJwk } from '../identity/keys.js';
import { validatorFor } from '../schema/validators.js';
import { utf8 } from '../crypto/encoding.js';

export type IntegrityCheck =
  | 'bundle-format'
  | 'node-identity'
  | 'historical-keys'
  | 'witness-identity'
  | 'entry-malformed'
  | 'entry-index'
  | 'checkpoint-signature'
  | 'checkpoint-key-order'
  | 'checkpoint-malformed'
  | 'checkpoint-origin'
  | 'checkpoint-order'
  | 'checkpoint-beyond-entries'
  | 'checkpoint-root'
  | 'cosignature-invalid'
  | 'cosignature-unknown-witness';

export interface IntegrityFinding {
  check: IntegrityCheck;
  message: string;
  /** The entry index, or the checkpoint's position in the bundle, the finding is about. */
  entry?: number;
  checkpoint?: number;
  witness?: string;
}

export interface IntegrityReport {
  ok: boolean;
  findings: IntegrityFinding[];
  /** What was checked, for a summary line. */
  counts: { entries: number; checkpoints: number; cosignatures: number };
}

interface Bundle {
  format: string;
  node_id: string;
  identity: string;
  entries: unknown[];
  checkpoints: unknown[];
  witnesses: BundleIdentity[];
  historical_keys?: unknown;
}

export async function verifyBundleIntegrity(input: unknown): Promise<IntegrityReport> {
  const findings: IntegrityFinding[] = [];
  const counts = { entries: 0, checkpoints: 0, cosignatures: 0 };
  const report = (): IntegrityReport => ({ ok: findings.length === 0, findings, counts });
  if (!isBundle(input)) {
    findings.push({ check: 'bundle-format', message: `This is not a ${AUDIT_BUNDLE_FORMAT} bundle: it lacks node_id, identity, entries, checkpoints or witnesses.` });
    return report();
  }
  const bundle = input;

  // The node's key, from its identity document. Its expiry does not matter here: the document
  // is only where the key comes from, and a bundle is checked long after it was made.
  const identity = await verifyIdentityDocument(bundle.identity, 0, bundle.node_id, 'evidence');
  if (!identity.ok) {
    findings.push({ check: 'node-identity', message: `The node's identity document does not verify: ${identity.reason}` });
  }
  const witnessKeys = new Map<string, { nodeId: string; publicKeys: Uint8Array[] }>();
  for (const witness of bundle.witnesses) {
    const checked = await keysOfBundleIdentity(witness);
    if (!checked.ok) {
      findings.push({ check: 'witness-identity', witness: witness.node_id, message: `The identity document of witness ${witness.node_id} does not verify: ${checked.reason}` });
      continue;
    }
    witnessKeys.set(witnessKeyName(witness.node_id), { nodeId: witness.node_id, publicKeys: checked.keys.map(rawEd25519Key) });
  }

  const leaves = checkEntries(bundle.entries, findings);
  counts.entries = leaves.length;

  const origin = logOrigin(bundle.node_id);
  // The node's keys, oldest first: a checkpoint is signed with the key current when it was made.
  const ownKeys = identity.ok ? await signingKeysInOrder(bundle, identity.identity, findings) : [];
  const verifiers = ownKeys.map((key) => logVerifier(bundle.node_id, key));
  let keyIndex = 0;
  const parsed: Array<{ position: number; size: number; rootHash: Uint8Array }> = [];
  let previousSize = -1;
  for (const [position, note] of bundle.checkpoints.entries()) {
    counts.checkpoints += 1;
    const at = { checkpoint: position };
    if (typeof note !== 'string') {
      findings.push({ check: 'checkpoint-malformed', ...at, message: `Checkpoint ${position} is not a signed note.` });
      continue;
    }
    if (verifiers.length > 0) {
      const signedWith = await signingKeyIndex(note, verifiers);
      if (signedWith === undefined) {
        findings.push({ check: 'checkpoint-signature', ...at, message: `Checkpoint ${position} is not validly signed by the node with any of its signing keys.` });
      } else if (signedWith < keyIndex) {
        findings.push({ check: 'checkpoint-key-order', ...at, message: `Checkpoint ${position} is signed with a signing key the node had replaced before an earlier checkpoint.` });
      } else {
        keyIndex = signedWith;
      }
    }
    const body = parseCheckpointBody(noteText(note));
    if (!body.ok) {
      findings.push({ check: 'checkpoint-malformed', ...at, message: `Checkpoint ${position} is malformed: ${body.detail}` });
      continue;
    }
    const { checkpoint } = body;
    if (checkpoint.origin !== origin) findings.push({ check: 'checkpoint-origin', ...at, message: `Checkpoint ${position} is of another log (${checkpoint.origin}).` });
    if (checkpoint.size <= previousSize) findings.push({ check: 'checkpoint-order', ...at, message: `Checkpoint ${position} (size ${checkpoint.size}) does not come after a smaller one.` });
    previousSize = Math.max(previousSize, checkpoint.size);
    if (checkpoint.size > leaves.length) {
      findings.push({ check: 'checkpoint-beyond-entries', ...at, message: `Checkpoint ${position} covers ${checkpoint.size} entries; the bundle has ${leaves.length}.` });
    } else {
      parsed.push({ position, size: checkpoint.size, rootHash: checkpoint.rootHash });
    }
    counts.cosignatures += await checkCosignatures(note, origin, witnessKeys, position, findings);
  }

  const roots = rootsAtSizes(leaves, parsed.map((p) => p.size));
  for (const { position, size, rootHash } of parsed) {
    if (!bytesEqual(roots.get(size)!, rootHash)) {
      findings.push({ check: 'checkpoint-root', checkpoint: position, message: `Checkpoint ${position} (size ${size}) does not commit to the first ${size} entries of the bundle: an entry was changed, removed or reordered.` });
    }
  }
  return report();
}

/** The leaf hash of each entry; findings for entries that are not JSON texts in index order. */
function checkEntries(entries: unknown[], findings: IntegrityFinding[]): Uint8Array[] {
  return entries.map((entry, index) => {
    if (typeof entry !== 'string') {
      findings.push({ check: 'entry-malformed', entry: index, message: `Entry ${index} is not a JSON text.` });
      return leafHash(new Uint8Array());
    }
    let value: unknown;
    try {
      value = JSON.parse(entry);
    } catch {
      findings.push({ check: 'entry-malformed', entry: index, message: `Entry ${index} is not valid JSON.` });
    }
    if (value !== undefined && (typeof value !== 'object' || value === null || (value as { index?: unknown }).index !== index)) {
      findings.push({ check: 'entry-index', entry: index, message: `Entry ${index} does not carry index ${index}: entries are missing, repeated or out of order.` });
    }
    return leafHash(utf8.encode(entry));
  });
}

/**
 * Every signing key the node has had, oldest first: those its historical keys list (signed with
 * its current key, so vouched for by the same key as the identity document), then its chain.
 */
async function signingKeysInOrder(bundle: Bundle, identity: VerifiedIdentity, findings: IntegrityFinding[]): Promise<OkpPublicJwk[]> {
  const keys = new Map<string, OkpPublicJwk>();
  if (bundle.historical_keys !== undefined) {
    const listed = await readHistoricalKeys(bundle.historical_keys, bundle.node_id, identity.signingKey);
    if (!listed) findings.push({ check: 'historical-keys', message: 'The historical keys are not signed by the node\'s current key, or are not its own.' });
    for (const key of (listed ?? []).filter((k) => k.use === 'sig').sort((a, b) => a.iat - b.iat)) {
      keys.set(key.kid, { kty: key.kty, crv: key.crv, x: key.x, kid: key.kid, use: key.use });
    }
  }
  for (const key of identity.signingKeys) if (!keys.has(key.kid)) keys.set(key.kid, key);
  return [...keys.values()];
}

async function readHistoricalKeys(jws: unknown, nodeId: string, key: OkpPublicJwk): Promise<HistoricalKey[] | undefined> {
  if (typeof jws !== 'string') return undefined;
  const verified = await verifyWithKeyNamed(jws, new Map([[key.kid, key]]));
  if (!verified || verified.protectedHeader.typ !== HISTORICAL_KEYS_TYP) return undefined;
  try {
    const claims = JSON.parse(utf8.decode(verified.payload)) as unknown;
    if (!validatorFor('federation', 'HistoricalKeysClaims')(claims)) return undefined;
    const list = claims as { iss: string; keys: HistoricalKey[] };
    return list.iss === nodeId ? list.keys : undefined;
  } catch {
    return undefined;
  }
}

/** Which of the node's keys (oldest first) validly signed the checkpoint, if any. */
async function signingKeyIndex(note: string, verifiers: readonly NoteVerifier[]): Promise<number | undefined> {
  for (const [index, verifier] of verifiers.entries()) {
    if ((await openNote(note, [verifier])).ok) return index;
  }
  return undefined;
}

/** Checks every signature line that is not the log's own as a cosignature; returns how many verified. */
async function checkCosignatures(
  note: string,
  origin: string,
  witnessKeys: Map<string, { nodeId: string; publicKeys: Uint8Array[] }>,
  position: number,
  findings: IntegrityFinding[],
): Promise<number> {
  let verified = 0;
  const text = noteText(note);
  for (const line of signatureLines(note)) {
    const name = line.slice(2).split(' ')[0] ?? '';
    if (name === origin) continue;
    const witness = witnessKeys.get(name);
    if (!witness) {
      findings.push({ check: 'cosignature-unknown-witness', checkpoint: position, message: `Checkpoint ${position} has a signature by ${name}, which is not a witness in the bundle.` });
      continue;
    }
    // A witness that rotated its signing key cosigned older checkpoints with an earlier key of its chain.
    let ok = false;
    for (const publicKey of witness.publicKeys) {
      const check = await verifyCosignature(line, text, { name, publicKey });
      if (check.ok || check.reason !== 'other-key') {
        ok = check.ok;
        break;
      }
    }
    if (ok) verified += 1;
    else findings.push({ check: 'cosignature-invalid', checkpoint: position, witness: witness.nodeId, message: `The cosignature of ${witness.nodeId} on checkpoint ${position} does not verify.` });
  }
  return verified;
}

/**
 * The root of the first s leaves for every s asked, in one pass: the leaves are folded into a
 * stack of perfect subtrees (left to right, decreasing size), whose right-to-left fold is the
 * RFC 9162 root of the leaves so far.
 */
function rootsAtSizes(leaves: Uint8Array[], sizes: number[]): Map<number, Uint8Array> {
  const wanted = [...new Set(sizes)].sort((x, y) => x - y);
  const roots = new Map<number, Uint8Array>();
  const stack: Array<{ hash: Uint8Array; height: number }> = [];
  let next = 0;
  for (let count = 0; count <= leaves.length && next < wanted.length; count++) {
    while (next < wanted.length && wanted[next] === count) {
      roots.set(count, count === 0 ? rootOf([]) : foldStack(stack));
      next += 1;
    }
    if (count === leaves.length) break;
    let node = { hash: leaves[count]!, height: 0 };
    while (stack.length > 0 && stack.at(-1)!.height === node.height) {
      const left = stack.pop()!;
      node = { hash: nodeHash(left.hash, node.hash), height: node.height + 1 };
    }
    stack.push(node);
  }
  return roots;
}

function foldStack(stack: Array<{ hash: Uint8Array }>): Uint8Array {
  let root = stack.at(-1)!.hash;
  for (let i = stack.length - 2; i >= 0; i--) root = nodeHash(stack[i]!.hash, root);
  return root;
}

function isBundle(value: unknown): value is Bundle {
  if (!value || typeof value !== 'object') return false;
  const b = value as Record<string, unknown>;
  return (
    b.format === AUDIT_BUNDLE_FORMAT &&
    typeof b.node_id === 'string' &&
    typeof b.identity === 'string' &&
    Array.isArray(b.entries) &&
    Array.isArray(b.checkpoints) &&
    Array.isArray(b.witnesses) &&
    b.witnesses.every((w) => !!w && typeof w === 'object' && typeof (w as Record<string, unknown>).node_id === 'string' && typeof (w as Record<string, unknown>).identity === 'string')
  );
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
