// The conformance kit's own cryptography (node/conformance/, which shares nothing with the node)
// against the spec's worked examples (spec/vectors/): thumbprints and fingerprints, JWS,
// envelopes, receipts, RFC 9162 Merkle trees, checkpoints and cosignatures. A kit that got one of
// these wrong would pass a node that shares the mistake, or fail one that does not.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aeadEncrypt, b64u, fingerprintOf, fromB64u, isUuidV7, sha256, signCompact, thumbprintOf, utf8, uuidv7, verifyCompact } from '../../node/conformance/crypto.js';
import { openEnvelopeBody } from '../../node/conformance/envelopes.js';
import { consistencyProof, leafHash, treeHead, verifyConsistency, verifyInclusion } from '../../node/conformance/merkle.js';
import { checkCosignature, logOriginOf, noteSignatureProblem, parseSignedCheckpoint, witnessNameOf } from '../../node/conformance/notes.js';

const vector = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), 'utf8')) as T;

interface Jwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  d?: string;
}
interface NodeKeys {
  node_id: string;
  signing: { private_jwk: Jwk & { d: string }; public_jwk: Jwk; kid: string; fingerprint: string };
  encryption: { private_key_hex: string; public_key_hex: string; public_jwk: Jwk; kid: string };
}
interface CompactVector {
  protected_header: Record<string, unknown>;
  protected_header_b64url: string;
  payload_b64url: string;
  compact: string;
}

const keys = vector<{ nodes: NodeKeys[] }>('keys.json');
const [athens, vienna] = keys.nodes as [NodeKeys, NodeKeys];
const hex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const b64uBytes = (text: string) => fromB64u(text)!;

describe('the kit\'s keys and signatures', () => {
  it('makes the RFC 7638 thumbprints and the fingerprints of the vectors', async () => {
    for (const node of keys.nodes) {
      expect(await thumbprintOf(node.signing.public_jwk)).toBe(node.signing.kid);
      expect(await thumbprintOf(node.encryption.public_jwk)).toBe(node.encryption.kid);
      expect(fingerprintOf(node.signing.kid)).toBe(node.signing.fingerprint);
    }
  });

  it('signs the receipt of the vectors byte for byte (Ed25519 is deterministic) and verifies it', async () => {
    const receipt = vector<{ claims_json: string; jws: CompactVector }>('receipt.json');
    const key = createPrivateKey({ key: { ...vienna.signing.private_jwk }, format: 'jwk' });
    expect(signCompact(receipt.jws.protected_header, receipt.claims_json, key)).toBe(receipt.jws.compact);
    expect(await verifyCompact(receipt.jws.compact, vienna.signing.public_jwk)).toBeDefined();
    expect(await verifyCompact(receipt.jws.compact, athens.signing.public_jwk)).toBeUndefined();
  });

  it('makes UUIDv7 envelope ids', () => {
    const id = uuidv7(Date.parse('2026-03-02T09:01:00.000Z'));
    expect(isUuidV7(id)).toBe(true);
    expect(id.startsWith('019cadc7-84e0-7')).toBe(true);
    expect(isUuidV7('019cadc7-84e0-4a3c-9d21-5f0e8b6c4a17')).toBe(false);
  });
});

describe('the kit\'s envelopes', () => {
  const envelope = vector<{
    header_json: string;
    body_json: string;
    aead: { key_hex: string; nonce_hex: string; ciphertext_b64url: string };
    payload_json: string;
    payload_digest: string;
    jws: CompactVector;
  }>('envelope.json');

  it('encrypts the body with the header as associated data as the vector does, and opens the recipient\'s copy', async () => {
    const ciphertext = await aeadEncrypt(hex(envelope.aead.key_hex), hex(envelope.aead.nonce_hex), utf8(envelope.body_json), utf8(envelope.header_json));
    expect(b64u(ciphertext)).toBe(envelope.aead.ciphertext_b64url);
    const payload = JSON.parse(envelope.payload_json) as { nonce: string; ciphertext: string; keys: { recipient: string }; header: string };
    const recipientKey = { publicKey: hex(vienna.encryption.public_key_hex), privateKey: hex(vienna.encryption.private_key_hex) };
    const opened = await openEnvelopeBody(payload, b64uBytes(payload.header), recipientKey);
    expect(Buffer.from(opened!).toString('utf8')).toBe(envelope.body_json);
    // Other associated data than the header's bytes does not open it.
    expect(await openEnvelopeBody(payload, utf8(`${envelope.header_json} `), recipientKey)).toBeUndefined();
  });

  it('computes the payload digest and verifies the sender\'s signature', async () => {
    expect(b64u(sha256(envelope.payload_json))).toBe(envelope.payload_digest);
    const verified = await verifyCompact(envelope.jws.compact, athens.signing.public_jwk);
    expect(Buffer.from(verified!.payload).toString('utf8')).toBe(envelope.payload_json);
  });
});

describe('the kit\'s Merkle trees (RFC 9162)', () => {
  const merkle = vector<{
    leaf_hashes: string[];
    empty_tree_root: string;
    roots: Array<{ tree_size: number; root: string }>;
    inclusion: Array<{ index: number; tree_size: number; leaf_hash: string; proof: string[]; root: string }>;
    consistency: Array<{ old_size: number; new_size: number; proof: string[]; old_root: string; new_root: string }>;
  }>('merkle.json');
  const leaves = merkle.leaf_hashes.map(b64uBytes);

  it('hashes the entries and computes every tree head', () => {
    const checkpoint = vector<{ entries: Array<{ entry: string }> }>('checkpoint.json');
    expect(checkpoint.entries.map((e) => b64u(leafHash(utf8(e.entry))))).toEqual(merkle.leaf_hashes);
    expect(b64u(treeHead([]))).toBe(merkle.empty_tree_root);
    for (const { tree_size, root } of merkle.roots) expect(b64u(treeHead(leaves.slice(0, tree_size)))).toBe(root);
  });

  it('verifies every inclusion proof, and no altered one', () => {
    for (const p of merkle.inclusion) {
      const proof = p.proof.map(b64uBytes);
      expect(verifyInclusion(p.index, p.tree_size, b64uBytes(p.leaf_hash), proof, b64uBytes(p.root))).toBe(true);
      if (proof.length > 0) {
        const altered = proof.map((h, i) => (i === 0 ? h.map((byte) => byte ^ 1) : h));
        expect(verifyInclusion(p.index, p.tree_size, b64uBytes(p.leaf_hash), altered, b64uBytes(p.root))).toBe(false);
      }
    }
  });

  it('makes and verifies every consistency proof, and no altered one', () => {
    for (const p of merkle.consistency) {
      expect(consistencyProof(leaves.slice(0, p.new_size), p.old_size).map((h) => b64u(h))).toEqual(p.proof);
      const proof = p.proof.map(b64uBytes);
      expect(verifyConsistency(p.old_size, p.new_size, b64uBytes(p.old_root), b64uBytes(p.new_root), proof)).toBe(true);
      if (proof.length > 0 && p.old_size !== p.new_size) {
        expect(verifyConsistency(p.old_size, p.new_size, b64uBytes(p.old_root), b64uBytes(p.new_root), proof.slice(0, -1))).toBe(false);
      }
    }
  });
});

describe('the kit\'s checkpoints and cosignatures (C2SP)', () => {
  it('reads the signed checkpoint of the vectors and verifies its note signature (key ID type 0x01)', () => {
    const checkpoint = vector<{ log: string; origin: string; public_key_hex: string; note: string; tree_size: number }>('checkpoint.json');
    expect(logOriginOf(checkpoint.log)).toBe(checkpoint.origin);
    const parsed = parseSignedCheckpoint(checkpoint.note);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(parsed.size).toBe(checkpoint.tree_size);
    const raw = hex(checkpoint.public_key_hex);
    expect(noteSignatureProblem(parsed.signatureLines[0]!, parsed.text, checkpoint.origin, b64u(raw), raw)).toBeUndefined();
    expect(noteSignatureProblem(parsed.signatureLines[0]!, parsed.text.replace('\n7\n', '\n8\n'), checkpoint.origin, b64u(raw), raw)).toMatch(/does not verify/);
  });

  it('verifies the witness\'s cosignature of the vectors (key ID type 0x04, timestamp)', () => {
    const cosignature = vector<{ witness: string; name: string; public_key_hex: string; timestamp: number; checkpoint_text: string; line: string }>('cosignature.json');
    expect(witnessNameOf(cosignature.witness)).toBe(cosignature.name);
    const raw = hex(cosignature.public_key_hex);
    expect(checkCosignature(cosignature.line, cosignature.checkpoint_text, cosignature.name, b64u(raw), raw)).toEqual({ timestamp: cosignature.timestamp });
    expect(checkCosignature(cosignature.line, `${cosignature.checkpoint_text}x\n`, cosignature.name, b64u(raw), raw)).toMatch(/does not verify/);
  });
});
