// The vectors of the audit log: athens's log of seven entries, its Merkle tree (RFC 9162), the
// checkpoint it signs (C2SP signed note) and vienna's cosignature (C2SP tlog-cosignature v1),
// each made by the node's own code from the fixed inputs (inputs.ts).
import type { AuditEntry } from '../../node/audit-log/append.js';
import type { AuditActor, AuditEvent } from '../../node/audit-log/events.js';
import { checkpointBody, keyHash, signNote } from '../../node/audit-log/checkpoint.js';
import { cosignatureKeyId, cosignCheckpoint, cosignedMessage } from '../../node/audit-log/cosignature.js';
import { logOrigin, logSigner, rawEd25519Key, witnessKeyName, witnessSigner } from '../../node/audit-log/log-identity.js';
import { consistencyProof, inclusionProof, leafHash, rootOf } from '../../node/audit-log/merkle.js';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { ATHENS, hex, IDS, TIMES, VIENNA, type VectorNode } from './inputs.js';
import type { Vector } from './messages.js';

/** Athens's first seven entries, as its node writes them (audit-log/append.ts): one JSON text each. */
export function logEntries(athens: VectorNode, vienna: VectorNode): string[] {
  const init: AuditActor = { kind: 'system', id: 'init' };
  const admin: AuditActor = { kind: 'user', id: IDS.athensAdmin };
  const events: Array<{ actor: AuditActor; event: AuditEvent }> = [
    { actor: init, event: { type: 'node.initialised', node_id: ATHENS, signing_kid: athens.signing.key.kid, encryption_kid: athens.encryption.kid } },
    { actor: init, event: { type: 'user.created', user_id: IDS.athensAdmin, role: 'admin' } },
    { actor: admin, event: { type: 'user.token-created', user_id: IDS.athensAdmin, token_id: IDS.athensToken } },
    { actor: admin, event: { type: 'peer.added', peer_id: VIENNA, signing_kid: vienna.signing.key.kid } },
    { actor: admin, event: { type: 'peer.trusted', peer_id: VIENNA, signing_kid: vienna.signing.key.kid } },
    { actor: admin, event: { type: 'user.signed-in', user_id: IDS.athensAdmin } },
    { actor: admin, event: { type: 'user.signed-out', user_id: IDS.athensAdmin } },
  ];
  const first = new Date(TIMES.firstLogEntry).getTime();
  return events.map(({ actor, event }, index) => {
    const entry: AuditEntry = { v: 1, index, at: new Date(first + index * 60_000).toISOString(), actor, ...event };
    return JSON.stringify(entry);
  });
}

const leafHashes = (entries: string[]): Uint8Array[] => entries.map((entry) => leafHash(utf8.encode(entry)));
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export async function checkpointNote(athens: VectorNode, entries: string[]): Promise<string> {
  const body = checkpointBody({ origin: logOrigin(ATHENS), size: entries.length, rootHash: rootOf(leafHashes(entries)) });
  return signNote(body, logSigner({ nodeId: ATHENS, signingKey: athens.signing.key }));
}

export async function checkpointVector(athens: VectorNode, entries: string[]): Promise<Vector> {
  const hashes = leafHashes(entries);
  const root = rootOf(hashes);
  const origin = logOrigin(ATHENS);
  const publicKey = rawEd25519Key(athens.signing.key.publicJwk);
  const note = await checkpointNote(athens, entries);
  const body = checkpointBody({ origin, size: entries.length, rootHash: root });
  const signatureLine = note.slice(body.length + 1, -1);
  const blob = Buffer.from(signatureLine.slice(signatureLine.lastIndexOf(' ') + 1), 'base64');
  return {
    description:
      'Athens\'s audit log of seven entries and the checkpoint its node signs. Each entry is the exact UTF-8 JSON text given (hash these ' +
      'bytes, never a re-serialisation); leaf hash = SHA-256(0x00 || entry), root = the RFC 9162 Merkle tree hash (merkle.json has every ' +
      'size). body is the C2SP tlog-checkpoint note text "<origin>\\n<size>\\n<base64 root>\\n"; origin = key name = the node id without its ' +
      'scheme + "/audit-log". The signed note is body, a blank line, and the signature line "— <key name> base64(key ID || signature)", the ' +
      'Ed25519 signature over the UTF-8 bytes of body with athens\'s signing key, key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte ' +
      'public key)[:4]. Signing is deterministic: note is exact. Base64 in notes is standard, padded (RFC 4648 §4).',
    log: ATHENS,
    origin,
    key_name: origin,
    public_key_hex: hex.encode(publicKey),
    entries: entries.map((entry, index) => ({ index, entry, leaf_hash_b64url: b64u.encode(hashes[index]!), leaf_hash_hex: hex.encode(hashes[index]!) })),
    tree_size: entries.length,
    root_hash_base64: base64(root),
    root_hash_b64url: b64u.encode(root),
    root_hash_hex: hex.encode(root),
    body,
    key_id_input_hex: hex.encode(new Uint8Array([...utf8.encode(origin), 0x0a, 0x01, ...publicKey])),
    key_id_hex: keyHash(origin, publicKey).toString(16).padStart(8, '0'),
    signature_hex: hex.encode(blob.subarray(4)),
    signature_line: signatureLine,
    note,
  };
}

export async function cosignatureVector(vienna: VectorNode, note: string): Promise<Vector> {
  const name = witnessKeyName(VIENNA);
  const publicKey = rawEd25519Key(vienna.signing.key.publicJwk);
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  const line = await cosignCheckpoint(text, TIMES.now, witnessSigner({ nodeId: VIENNA, signingKey: vienna.signing.key }));
  const blob = Buffer.from(line.slice(line.lastIndexOf(' ') + 1), 'base64');
  return {
    description:
      'Vienna, witness of athens\'s log, cosigns checkpoint.json\'s checkpoint at timestamp (POSIX seconds), as C2SP tlog-cosignature v1 ' +
      'with Ed25519. The witness name is the node id without its scheme + "/witness"; its key is vienna\'s signing key. The signed message ' +
      'is "cosignature/v1\\ntime <timestamp>\\n" followed by the checkpoint\'s note text (the body, without the signature lines); the line ' +
      'is "— <witness name> base64(key ID || 8-byte big-endian timestamp || signature)", key ID = SHA-256(name || 0x0A || 0x04 || public ' +
      'key)[:4]. This is the line vienna answers to athens\'s add-checkpoint request (old 0, no proof) at that time; note_with_cosignature ' +
      'is the checkpoint as athens then serves it.',
    witness: VIENNA,
    name,
    public_key_hex: hex.encode(publicKey),
    timestamp: TIMES.now,
    checkpoint_text: text,
    signed_message: utf8.decode(cosignedMessage(text, TIMES.now)),
    key_id_input_hex: hex.encode(new Uint8Array([...utf8.encode(name), 0x0a, 0x04, ...publicKey])),
    key_id_hex: cosignatureKeyId(name, publicKey).toString(16).padStart(8, '0'),
    timestamp_hex: hex.encode(blob.subarray(4, 12)),
    signature_hex: hex.encode(blob.subarray(12)),
    line,
    add_checkpoint_request: `old 0\n\n${note}`,
    note_with_cosignature: `${note}${line}\n`,
  };
}

export const INCLUSION_CASES: ReadonlyArray<readonly [index: number, treeSize: number]> = [
  [0, 1], [0, 7], [2, 7], [3, 7], [4, 7], [6, 7], [3, 4], [4, 5], [5, 6], [2, 3],
];
export const CONSISTENCY_CASES: ReadonlyArray<readonly [oldSize: number, newSize: number]> = [
  [1, 2], [1, 7], [2, 7], [3, 7], [4, 7], [5, 7], [6, 7], [3, 5], [4, 6], [2, 5], [7, 7],
];

export function merkleVector(entries: string[]): Vector {
  const hashes = leafHashes(entries);
  const root = (size: number) => b64u.encode(rootOf(hashes.slice(0, size)));
  const encode = (proof: Uint8Array[] | undefined) => {
    if (!proof) throw new Error('A vector asks for a proof the tree does not have.');
    return proof.map((hash) => b64u.encode(hash));
  };
  return {
    description:
      'RFC 9162 §2.1 Merkle tree hashes (SHA-256) over the leaves of checkpoint.json (leaf hash = SHA-256(0x00 || entry); interior node ' +
      '= SHA-256(0x01 || left || right); the empty tree\'s hash is SHA-256 of nothing). roots gives MTH for each tree size. inclusion ' +
      'gives PATH(index, D[tree_size]) (§2.1.3.1, leaf to root) in the shape of the API\'s InclusionProof, with the root it leads to; ' +
      'consistency gives PROOF(old_size, D[new_size]) (§2.1.4.1) in the shape of ConsistencyProof, with both roots. Equal sizes have an ' +
      'empty proof. Every hash is base64url, as the API serves it.',
    leaf_hashes: hashes.map((hash) => b64u.encode(hash)),
    empty_tree_root: b64u.encode(rootOf([])),
    roots: hashes.map((_, i) => ({ tree_size: i + 1, root: root(i + 1) })),
    inclusion: INCLUSION_CASES.map(([index, treeSize]) => ({
      index, tree_size: treeSize, leaf_hash: b64u.encode(hashes[index]!), proof: encode(inclusionProof(hashes.slice(0, treeSize), index)), root: root(treeSize),
    })),
    consistency: CONSISTENCY_CASES.map(([oldSize, newSize]) => ({
      old_size: oldSize, new_size: newSize, proof: encode(consistencyProof(hashes.slice(0, newSize), oldSize)), old_root: root(oldSize), new_root: root(newSize),
    })),
  };
}
