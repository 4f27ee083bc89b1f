// The protocol test vectors (spec/vectors, issue 19 item 3) and the node: the checked-in files are
// what the node's code makes from their fixed inputs, and the node accepts, opens and refuses what
// they hold as they say, through its own functions and, for envelopes and service tokens, through
// its own federation routes on a test node that is vienna for the occasion.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointBody, keyHash, openNote, parseCheckpointBody } from '../../node/audit-log/checkpoint.js';
import { cosignatureKeyId, verifyCosignature } from '../../node/audit-log/cosignature.js';
import { logOrigin, logVerifier, rawEd25519Key, witnessKeyName } from '../../node/audit-log/log-identity.js';
import { consistencyProof, inclusionProof, leafHash, rootOf, verifyConsistency, verifyInclusion } from '../../node/audit-log/merkle.js';
import type { NodeContext } from '../../node/context.js';
import { openSealed, x25519PublicKeyOf } from '../../node/crypto/aead.js';
import { b64u, sha256, utf8 } from '../../node/crypto/encoding.js';
import { loadSodium } from '../../node/crypto/sodium.js';
import { verifyReceipt } from '../../node/envelope/receipt.js';
import { openEnvelopeBody, sealEnvelope, signEnvelopeAttempt, type EnvelopeHeader, type EnvelopePayload } from '../../node/envelope/seal.js';
import { createHttpApp } from '../../node/http/app.js';
import { verifyIdentityDocument } from '../../node/identity/document.js';
import { encryptionKeyFrom, importSigningPublicKey, readableFingerprint, signingKeyFromPrivateJwk, thumbprint, type EncryptionKey, type OkpPublicJwk, type SigningKey } from '../../node/identity/keys.js';
import { createServiceToken } from '../../node/peers/service-token.js';
import { addPeer, trustPeer } from '../../node/peers/service.js';
import { generateVectors, VECTOR_FILES, vectorPath, type VectorFile } from '../../spec/vectors/generate.js';
import { expectUnchanged, snapshotDatabase } from '../_util/database-snapshot.js';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';

// ---- The files, as an implementer reads them ----------------------------------------------------

const read = <T>(file: VectorFile): T => JSON.parse(readFileSync(vectorPath(file), 'utf8')) as T;

interface Jws { protected_header: Record<string, unknown>; compact: string }
interface KeyFile {
  nodes: Array<{
    node_id: string;
    signing: { seed_hex: string; public_jwk: OkpPublicJwk; thumbprint_input: string; kid: string; fingerprint: string };
    encryption: { private_key_hex: string; public_key_hex: string; public_jwk: OkpPublicJwk; thumbprint_input: string; kid: string; fingerprint: string };
  }>;
  unpinned: { seed_hex: string; kid: string };
}
interface IdentityFile { verify_at: number; documents: Array<{ node_id: string; claims: Record<string, unknown>; compact: string }> }
interface EnvelopeFile {
  header: EnvelopeHeader; header_json: string; header_b64url: string; body_json: string;
  aead: { key_hex: string; nonce_hex: string; ciphertext_hex: string; tag_hex: string };
  sealed_keys: { recipient_b64url: string; sender_b64url: string };
  payload_json: string; payload_sha256_hex: string; payload_digest: string; signed_at: number; jws: Jws; verify_at: number;
}
interface ReceiptFile { claims: Record<string, unknown>; claims_json: string; jws: Jws }
interface ServiceTokenFile { request: { method: string; url: string }; claims: { iss: string; aud: string; iat: number; jti: string }; claims_json: string; jws: Jws; verify_at: number }
interface CheckpointFile {
  log: string; origin: string; entries: Array<{ index: number; entry: string; leaf_hash_b64url: string }>; tree_size: number;
  root_hash_b64url: string; body: string; key_id_hex: string; note: string;
}
interface CosignatureFile { witness: string; name: string; timestamp: number; checkpoint_text: string; key_id_hex: string; line: string; add_checkpoint_request: string }
interface MerkleFile {
  leaf_hashes: string[];
  empty_tree_root: string;
  roots: Array<{ tree_size: number; root: string }>;
  inclusion: Array<{ index: number; tree_size: number; leaf_hash: string; proof: string[]; root: string }>;
  consistency: Array<{ old_size: number; new_size: number; proof: string[]; old_root: string; new_root: string }>;
}
interface Expected { problem_type?: string; status?: number; receipt?: string; outcome?: string }
interface HttpRequest { method: string; url: string; content_type?: string; authorization?: string; body?: string }
type InvalidCase = { name: string; kind: string; state: 'fresh' | 'holds-envelope' | 'service-token-used'; expected: Expected } & Record<string, unknown>;
interface InvalidFile { receiver: string; now: number; clock_skew: number; cases: InvalidCase[] }

const keys = read<KeyFile>('keys.json');
const identity = read<IdentityFile>('identity-document.json');
const envelope = read<EnvelopeFile>('envelope.json');
const receipt = read<ReceiptFile>('receipt.json');
const serviceToken = read<ServiceTokenFile>('service-token.json');
const checkpoint = read<CheckpointFile>('checkpoint.json');
const cosignature = read<CosignatureFile>('cosignature.json');
const merkle = read<MerkleFile>('merkle.json');
const invalid = read<InvalidFile>('invalid.json');

const hex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const nodeKeys = (nodeId: string) => keys.nodes.find((n) => n.node_id === nodeId)!;
const [athensKeys, viennaKeys] = keys.nodes as [KeyFile['nodes'][number], KeyFile['nodes'][number]];
const ATHENS = athensKeys.node_id;
const VIENNA = viennaKeys.node_id;
const documentOf = (nodeId: string) => identity.documents.find((d) => d.node_id === nodeId)!.compact;

/** The Ed25519 public key of a seed by node:crypto (PKCS #8 around the seed), apart from the generator's libsodium. */
function ed25519PublicX(seedHex: string): string {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  return createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x!;
}

async function signingKeyOf(seedHex: string): Promise<SigningKey> {
  return signingKeyFromPrivateJwk({ kty: 'OKP', crv: 'Ed25519', x: ed25519PublicX(seedHex), d: b64u.encode(hex(seedHex)) });
}

async function encryptionKeyOf(privateKeyHex: string): Promise<EncryptionKey> {
  const privateKey = hex(privateKeyHex);
  return encryptionKeyFrom(await x25519PublicKeyOf(privateKey), privateKey);
}

const casesOf = (kind: string) => invalid.cases.filter((c) => c.kind === kind);
const caseNamed = (name: string) => invalid.cases.find((c) => c.name === name)!;

// ---- (a) The files are what the node makes now ----------------------------------------------------

describe('the checked-in vectors', () => {
  let fresh: Record<VectorFile, string>;
  beforeAll(async () => {
    fresh = await generateVectors();
  });

  it.each(VECTOR_FILES)('%s is what the node makes from the fixed inputs', (file) => {
    expect(readFileSync(vectorPath(file), 'utf8'), `spec/vectors/${file} is stale: run npm run gen:vectors`).toBe(fresh[file]);
  });
});

// ---- (b) The node's code against the files ---------------------------------------------------------

describe('keys.json', () => {
  it.each(keys.nodes.map((n) => [n.node_id, n] as const))('gives %s the kids and fingerprints its seeds make', async (_id, node) => {
    const signing = await signingKeyOf(node.signing.seed_hex);
    expect(signing.publicJwk).toEqual(node.signing.public_jwk);
    expect(signing.kid).toBe(node.signing.kid);
    expect(b64u.encode(sha256(node.signing.thumbprint_input))).toBe(node.signing.kid);
    expect(readableFingerprint(signing.kid)).toBe(node.signing.fingerprint);
    expect(node.signing.fingerprint).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/);

    const encryption = await encryptionKeyOf(node.encryption.private_key_hex);
    expect(toHex(encryption.publicKey)).toBe(node.encryption.public_key_hex);
    expect(encryption.publicJwk).toEqual(node.encryption.public_jwk);
    expect(await thumbprint(encryption.publicJwk)).toBe(node.encryption.kid);
    expect(readableFingerprint(encryption.kid)).toBe(node.encryption.fingerprint);
  });

  it('has an unpinned key that is neither node\'s', async () => {
    expect((await signingKeyOf(keys.unpinned.seed_hex)).kid).toBe(keys.unpinned.kid);
    expect(keys.nodes.map((n) => n.signing.kid)).not.toContain(keys.unpinned.kid);
  });
});

describe('identity-document.json', () => {
  it.each(identity.documents.map((d) => [d.node_id, d] as const))('holds a document of %s that the node accepts at its time', async (nodeId, document) => {
    const verified = await verifyIdentityDocument(document.compact, identity.verify_at, nodeId);
    if (!verified.ok) throw new Error(verified.reason);
    expect(verified.identity.claims).toEqual(document.claims);
    expect(verified.identity.signingKey).toEqual(nodeKeys(nodeId).signing.public_jwk);
    expect(verified.identity.encryptionKey).toEqual(nodeKeys(nodeId).encryption.public_jwk);
  });
});

describe('envelope.json', () => {
  const payload = JSON.parse(envelope.payload_json) as EnvelopePayload;
  const headerBytes = utf8.encode(envelope.header_json);
  const contentKey = hex(envelope.aead.key_hex);

  it('seals B under H with K and N into exactly C (libsodium, as the spec names it)', async () => {
    const sodium = await loadSodium();
    const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(utf8.encode(envelope.body_json), headerBytes, null, hex(envelope.aead.nonce_hex), contentKey);
    expect(toHex(ciphertext)).toBe(envelope.aead.ciphertext_hex);
    expect(toHex(ciphertext.slice(-16))).toBe(envelope.aead.tag_hex);
    expect(payload.header).toBe(envelope.header_b64url);
    expect(b64u.encode(headerBytes)).toBe(envelope.header_b64url);
  });

  it('has sealed keys that open, with each node\'s X25519 key, to K', async () => {
    for (const [sealed, node] of [[envelope.sealed_keys.recipient_b64url, viennaKeys], [envelope.sealed_keys.sender_b64url, athensKeys]] as const) {
      const key = await encryptionKeyOf(node.encryption.private_key_hex);
      const opened = await openSealed(b64u.decode(sealed), key.publicKey, key.privateKey);
      expect(opened && toHex(opened)).toBe(envelope.aead.key_hex);
    }
  });

  it('is opened by the node with the recipient\'s key, and with the sender\'s, to B', async () => {
    const vienna = await encryptionKeyOf(viennaKeys.encryption.private_key_hex);
    const athens = await encryptionKeyOf(athensKeys.encryption.private_key_hex);
    expect(utf8.decode((await openEnvelopeBody(payload, headerBytes, vienna, 'recipient'))!)).toBe(envelope.body_json);
    expect(utf8.decode((await openEnvelopeBody(payload, headerBytes, athens, 'sender'))!)).toBe(envelope.body_json);
    expect(await openEnvelopeBody(payload, headerBytes, athens, 'recipient')).toBeUndefined();
  });

  it('is what the node seals with the given K, N and sealed keys, and signs at the given iat', async () => {
    const { header } = envelope;
    const sealed = await sealEnvelope(
      {
        type: header.type, from: header.from, to: header.to, referralId: header.referral_id, seq: header.seq, createdAt: new Date(header.created_at),
        body: JSON.parse(envelope.body_json), recipientKey: viennaKeys.encryption.public_jwk, senderKey: athensKeys.encryption.public_jwk,
      },
      () => header.id,
      { contentKey, nonce: hex(envelope.aead.nonce_hex), sealedKeys: { recipient: b64u.decode(envelope.sealed_keys.recipient_b64url), sender: b64u.decode(envelope.sealed_keys.sender_b64url) } },
    );
    expect(sealed.payload).toBe(envelope.payload_json);
    expect(sealed.digest).toBe(envelope.payload_digest);
    expect(toHex(sha256(envelope.payload_json))).toBe(envelope.payload_sha256_hex);
    const athens = { nodeId: ATHENS, signingKey: await signingKeyOf(athensKeys.signing.seed_hex) };
    expect(await signEnvelopeAttempt(envelope.payload_json, athens, new Date(envelope.signed_at * 1000))).toBe(envelope.jws.compact);
    const verified = await compactVerify(envelope.jws.compact, await importSigningPublicKey(athensKeys.signing.public_jwk));
    expect(utf8.decode(verified.payload)).toBe(envelope.payload_json);
    expect(verified.protectedHeader).toEqual(envelope.jws.protected_header);
  });

  it('cannot be opened once H or the tag is altered (invalid.json\'s decryption cases)', async () => {
    const vienna = await encryptionKeyOf(viennaKeys.encryption.private_key_hex);
    for (const hostile of ['envelope-header-altered', 'envelope-tag-truncated']) {
      const jws = (caseNamed(hostile).request as HttpRequest).body!;
      const altered = JSON.parse(utf8.decode(b64u.decode(jws.split('.')[1]!))) as EnvelopePayload;
      expect(await openEnvelopeBody(altered, b64u.decode(altered.header), vienna, 'recipient'), hostile).toBeUndefined();
    }
  });
});

describe('receipt.json', () => {
  it('is accepted by the sender\'s node as the receipt of envelope.json', async () => {
    const claims = await verifyReceipt(receipt.jws.compact, {
      peerId: VIENNA, peerSigningKeys: new Map([[viennaKeys.signing.kid, viennaKeys.signing.public_jwk]]), selfId: ATHENS,
      envelopeId: envelope.header.id, digest: envelope.payload_digest,
    });
    expect(claims).toEqual(receipt.claims);
    expect(JSON.stringify(claims)).toBe(receipt.claims_json);
  });
});

describe('service-token.json', () => {
  it('is the token the node makes for that request, at that time, with that jti', async () => {
    const url = new URL(serviceToken.request.url);
    const token = await createServiceToken(
      { nodeId: ATHENS, signingKey: await signingKeyOf(athensKeys.signing.seed_hex) },
      { aud: url.origin, method: serviceToken.request.method, path: url.pathname }, serviceToken.claims.iat, serviceToken.claims.jti,
    );
    expect(token).toBe(serviceToken.jws.compact);
    const verified = await compactVerify(token, await importSigningPublicKey(athensKeys.signing.public_jwk));
    expect(utf8.decode(verified.payload)).toBe(serviceToken.claims_json);
  });
});

describe('merkle.json', () => {
  const leaves = merkle.leaf_hashes.map((h) => b64u.decode(h));
  const encode = (hashes: Uint8Array[] | undefined) => hashes?.map((h) => b64u.encode(h));

  it('has the leaves of checkpoint.json and the roots the node computes', () => {
    expect(checkpoint.entries.map((e) => b64u.encode(leafHash(utf8.encode(e.entry))))).toEqual(merkle.leaf_hashes);
    expect(b64u.encode(rootOf([]))).toBe(merkle.empty_tree_root);
    for (const { tree_size, root } of merkle.roots) expect(b64u.encode(rootOf(leaves.slice(0, tree_size))), `size ${tree_size}`).toBe(root);
  });

  it.each(merkle.inclusion.map((p) => [p.index, p.tree_size, p] as const))('has the inclusion proof of %i in %i that the node makes and verifies', (_i, _n, p) => {
    expect(encode(inclusionProof(leaves.slice(0, p.tree_size), p.index))).toEqual(p.proof);
    expect(verifyInclusion(b64u.decode(p.leaf_hash), p.index, p.tree_size, p.proof.map((h) => b64u.decode(h)), b64u.decode(p.root))).toBe(true);
  });

  it.each(merkle.consistency.map((p) => [p.old_size, p.new_size, p] as const))('has the consistency proof from %i to %i that the node makes and verifies', (_m, _n, p) => {
    expect(encode(consistencyProof(leaves.slice(0, p.new_size), p.old_size))).toEqual(p.proof);
    expect(verifyConsistency(p.old_size, p.new_size, b64u.decode(p.old_root), b64u.decode(p.new_root), p.proof.map((h) => b64u.decode(h)))).toBe(true);
  });
});

describe('checkpoint.json and cosignature.json', () => {
  const athensPublic = rawEd25519Key(athensKeys.signing.public_jwk);
  const viennaPublic = rawEd25519Key(viennaKeys.signing.public_jwk);

  it('hold a checkpoint the node verifies with athens\'s key, over the root of the entries', async () => {
    expect(logOrigin(checkpoint.log)).toBe(checkpoint.origin);
    const opened = await openNote(checkpoint.note, [logVerifier(ATHENS, athensKeys.signing.public_jwk)]);
    expect(opened).toEqual({ ok: true, text: checkpoint.body, verifiedBy: [checkpoint.origin] });
    const parsed = parseCheckpointBody(checkpoint.body);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.checkpoint.size).toBe(checkpoint.tree_size);
    expect(b64u.encode(parsed.checkpoint.rootHash)).toBe(checkpoint.root_hash_b64url);
    expect(b64u.encode(rootOf(checkpoint.entries.map((e) => leafHash(utf8.encode(e.entry)))))).toBe(checkpoint.root_hash_b64url);
    expect(checkpointBody(parsed.checkpoint)).toBe(checkpoint.body);
    expect(keyHash(checkpoint.origin, athensPublic).toString(16).padStart(8, '0')).toBe(checkpoint.key_id_hex);
  });

  it('hold a cosignature the node verifies with vienna\'s key', async () => {
    expect(witnessKeyName(cosignature.witness)).toBe(cosignature.name);
    expect(cosignatureKeyId(cosignature.name, viennaPublic).toString(16).padStart(8, '0')).toBe(cosignature.key_id_hex);
    expect(await verifyCosignature(cosignature.line, cosignature.checkpoint_text, { name: cosignature.name, publicKey: viennaPublic })).toEqual({ ok: true, timestamp: cosignature.timestamp });
  });
});

describe('invalid.json, the checks a verifier makes by itself', () => {
  const refusedBy: Record<string, (c: InvalidCase) => Promise<string | undefined>> = {
    'identity-document': async (c) => {
      const verified = await verifyIdentityDocument(c.jws as string, c.verify_at as number, ATHENS);
      return !verified.ok && /signature does not verify/.test(verified.reason) ? 'signature-invalid' : undefined;
    },
    checkpoint: async (c) => {
      const opened = await openNote(c.note as string, [logVerifier(ATHENS, athensKeys.signing.public_jwk)]);
      return opened.ok ? undefined : opened.reason;
    },
    cosignature: async (c) => {
      const checked = await verifyCosignature(c.line as string, c.checkpoint_text as string, { name: cosignature.name, publicKey: rawEd25519Key(viennaKeys.signing.public_jwk) });
      return checked.ok ? undefined : checked.reason;
    },
    'inclusion-proof': async (c) =>
      verifyInclusion(b64u.decode(c.leaf_hash as string), c.index as number, c.tree_size as number, (c.proof as string[]).map((h) => b64u.decode(h)), b64u.decode(c.root as string))
        ? undefined : 'inclusion-proof-invalid',
    'consistency-proof': async (c) =>
      verifyConsistency(c.old_size as number, c.new_size as number, b64u.decode(c.old_root as string), b64u.decode(c.new_root as string), (c.proof as string[]).map((h) => b64u.decode(h)))
        ? undefined : 'consistency-proof-invalid',
  };
  const cases = invalid.cases.filter((c) => c.expected.outcome !== undefined);

  it('has a check for every case with a named outcome', () => {
    expect(cases.filter((c) => !refusedBy[c.kind]).map((c) => c.name)).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('refuses %s with the outcome named', async (_name, c) => {
    expect(await refusedBy[c.kind]!(c)).toBe(c.expected.outcome);
  });
});

// ---- The node's receiver, as vienna --------------------------------------------------------------

/**
 * A test node whose context is vienna's: its id, keys and a clock stopped at the vectors' now, with
 * athens's identity document pinned and athens trusted, and a network that serves only that
 * document. Its federation routes are the node's own; what it stores goes to the test node's database.
 */
describe('invalid.json through the node\'s federation routes, as vienna', () => {
  let net: TestNetwork;
  let node: TestNode;
  let app: ReturnType<typeof createHttpApp>;

  beforeAll(async () => {
    net = await createTestNetwork(1, { trust: false });
    node = net.nodes[0]!;
    const now = new Date(invalid.now * 1000);
    const athens = await verifyIdentityDocument(documentOf(ATHENS), invalid.now, ATHENS);
    if (!athens.ok) throw new Error(athens.reason);
    await addPeer(node.ctx.database, athens.identity, documentOf(ATHENS), now);
    await trustPeer(node.ctx.database, ATHENS, now);
    const encryptionKey = await encryptionKeyOf(viennaKeys.encryption.private_key_hex);
    const vienna: NodeContext = {
      ...node.ctx,
      self: {
        ...node.ctx.self, nodeId: VIENNA, signingKey: await signingKeyOf(viennaKeys.signing.seed_hex),
        encryptionKey, encryptionKeys: new Map([[encryptionKey.kid, encryptionKey]]), continuity: [], keyRevocations: [],
      },
      clock: { now: () => now },
      limits: { ...node.ctx.limits, clockSkewSeconds: invalid.clock_skew },
      fetch: async (input) =>
        String(input instanceof Request ? input.url : input) === `${ATHENS}/.well-known/referral-node`
          ? new Response(documentOf(ATHENS), { headers: { 'content-type': 'application/jwt' } })
          : Promise.reject(new TypeError('fetch failed')),
    };
    app = createHttpApp(vienna, () => {});
  });
  afterAll(() => net.close());

  const send = (request: HttpRequest) =>
    app.fetch(new Request(request.url, {
      method: request.method,
      headers: { ...(request.content_type ? { 'content-type': request.content_type } : {}), ...(request.authorization ? { authorization: request.authorization } : {}) },
      ...(request.body === undefined ? {} : { body: request.body }),
    }));

  async function expectAnswer(c: InvalidCase): Promise<void> {
    const before = await snapshotDatabase(node);
    const response = await send(c.request as HttpRequest);
    const body = (await response.json()) as { type?: string; receipt?: string };
    expect(response.status, c.name).toBe(c.expected.status);
    if (c.expected.problem_type) expect(body.type, c.name).toBe(c.expected.problem_type);
    if (c.expected.receipt) expect(body.receipt, c.name).toBe(c.expected.receipt);
    expectUnchanged(before, await snapshotDatabase(node), c.name);
  }

  const answered = (state: InvalidCase['state']) => invalid.cases.filter((c) => c.state === state && c.expected.status !== undefined);

  it('has a request for every envelope and service-token case', () => {
    const withoutRequest = [...casesOf('envelope'), ...casesOf('service-token')].filter((c) => !c.request || c.expected.status === undefined);
    expect(withoutRequest.map((c) => c.name)).toEqual([]);
  });

  it('refuses each hostile input a fresh receiver gets with the problem listed, changing nothing', async () => {
    expect(answered('fresh').length).toBeGreaterThan(0);
    for (const c of answered('fresh')) await expectAnswer(c);
  });

  it('accepts envelope.json with exactly receipt.json\'s receipt, then answers the replays as listed', async () => {
    const response = await send({ method: 'POST', url: `${VIENNA}/federation/v1/envelopes`, content_type: 'application/jose', body: envelope.jws.compact });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { receipt: string }).receipt).toBe(receipt.jws.compact);
    expect(answered('holds-envelope').length).toBeGreaterThan(0);
    for (const c of answered('holds-envelope')) await expectAnswer(c);
  });

  it('answers service-token.json\'s request with exactly cosignature.json\'s line, then refuses the token and its jti again', async () => {
    const response = await send({ method: serviceToken.request.method, url: serviceToken.request.url, authorization: `Bearer ${serviceToken.jws.compact}`, body: cosignature.add_checkpoint_request });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`${cosignature.line}\n`);
    expect(answered('service-token-used').length).toBeGreaterThan(0);
    for (const c of answered('service-token-used')) await expectAnswer(c);
  });
});
