// The cryptographic building blocks: each round trip works, and each alteration is detected.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compactVerify } from 'jose';
import { aeadDecrypt, aeadEncrypt, randomBytes, sealToPublicKey, openSealed, generateX25519KeyPair } from '../../node/crypto/aead.js';
import { base32, b64u, utf8 } from '../../node/crypto/encoding.js';
import { kekFromBytes, parseKek, KekError } from '../../node/crypto/kek.js';
import { generateEncryptionKey, generateSigningKey, importSigningPublicKey, readableFingerprint, thumbprint } from '../../node/identity/keys.js';
import { signIdentityDocument, verifyIdentityDocument } from '../../node/identity/document.js';
import { openEnvelopeBody, sealEnvelope, type EnvelopePayload } from '../../node/envelope/seal.js';
import { uuidv7 } from '../../node/util/uuidv7.js';

describe('XChaCha20-Poly1305', () => {
  it('decrypts what it encrypted, for any plaintext and associated data', async () => {
    const key = await randomBytes(32);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.uint8Array({ maxLength: 256 }), async (plaintext, ad) => {
        const sealed = await aeadEncrypt(key, plaintext, ad);
        expect(await aeadDecrypt(key, sealed, ad)).toEqual(plaintext);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a flipped bit in ciphertext, nonce or associated data', async () => {
    const key = await randomBytes(32);
    const ad = utf8.encode('header');
    const sealed = await aeadEncrypt(key, utf8.encode('body'), ad);
    const flip = (bytes: Uint8Array, i: number) => bytes.map((b, j) => (j === i ? b ^ 1 : b));
    expect(await aeadDecrypt(key, { ...sealed, ciphertext: flip(sealed.ciphertext, 0) }, ad)).toBeUndefined();
    expect(await aeadDecrypt(key, { ...sealed, nonce: flip(sealed.nonce, 3) }, ad)).toBeUndefined();
    expect(await aeadDecrypt(key, sealed, utf8.encode('headeR'))).toBeUndefined();
    expect(await aeadDecrypt(await randomBytes(32), sealed, ad)).toBeUndefined();
  });
});

describe('sealed boxes', () => {
  it('open only with the recipient key', async () => {
    const recipient = await generateX25519KeyPair();
    const other = await generateX25519KeyPair();
    const sealed = await sealToPublicKey(utf8.encode('content key'), recipient.publicKey);
    expect(utf8.decode((await openSealed(sealed, recipient.publicKey, recipient.privateKey))!)).toBe('content key');
    expect(await openSealed(sealed, other.publicKey, other.privateKey)).toBeUndefined();
  });
});

describe('the key-encryption key', () => {
  it('unwraps what it wrapped only for the same purpose and the same key', async () => {
    const kek = kekFromBytes(await randomBytes(32));
    const wrapped = await kek.wrap(utf8.encode('secret'), 'node-key:1');
    expect(utf8.decode(await kek.unwrap(wrapped, 'node-key:1'))).toBe('secret');
    await expect(kek.unwrap(wrapped, 'node-key:2')).rejects.toThrow(KekError);
    await expect(kekFromBytes(await randomBytes(32)).unwrap(wrapped, 'node-key:1')).rejects.toThrow(KekError);
  });

  it('must be 32 bytes of base64url', () => {
    expect(() => parseKek('too-short', 'REFERRAL_NODE_KEK')).toThrow(/32 random bytes/);
    expect(parseKek(b64u.encode(new Uint8Array(32)), 'x')).toHaveLength(32);
  });
});

describe('encodings', () => {
  it('base32 matches the RFC 4648 test vectors', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [input, output] of vectors) expect(base32(utf8.encode(input))).toBe(output);
  });

  it('UUIDv7 ids are version 7, variant 10, and ordered by time', () => {
    const first = uuidv7(1_700_000_000_000);
    const second = uuidv7(1_700_000_000_001);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first < second).toBe(true);
    // The first 48 bits are the time in milliseconds; the rest is random, so ids of one millisecond differ.
    expect(parseInt(first.replace(/-/g, '').slice(0, 12), 16)).toBe(1_700_000_000_000);
    const sameMillisecond = new Set(Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000)));
    expect(sameMillisecond.size).toBe(1000);
    for (const id of sameMillisecond) expect(id).toMatch(/^018bcfe5-6800-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('keys and identity documents', () => {
  it('key ids are RFC 7638 thumbprints and fingerprints are 8 groups of 4', async () => {
    const { key } = await generateSigningKey();
    expect(key.kid).toBe(await thumbprint(key.publicJwk));
    expect(readableFingerprint(key.kid)).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
  });

  it('an identity document verifies with the signing key it lists', async () => {
    const { key } = await generateSigningKey();
    const enc = await generateEncryptionKey();
    const now = 1_795_000_000;
    const jws = await signIdentityDocument(
      { nodeId: 'https://a.example.org', name: 'A', country: 'GR', languages: ['el'], messageTypes: ['referral.offer'], signingKey: key, encryptionKeys: [enc.publicJwk] },
      now,
    );
    const verified = await verifyIdentityDocument(jws, now + 10, 'https://a.example.org');
    expect(verified.ok).toBe(true);
    const listed = JSON.parse(utf8.decode(b64u.decode(jws.split('.')[1]!))).jwks.keys[0];
    await expect(compactVerify(jws, await importSigningPublicKey(listed))).resolves.toBeTruthy();
    expect((await verifyIdentityDocument(jws, now + 10, 'https://b.example.org')).ok).toBe(false);
    expect((await verifyIdentityDocument(jws, now + 3 * 86_400, 'https://a.example.org')).ok).toBe(false);
    const [h, p, s] = jws.split('.');
    expect((await verifyIdentityDocument(`${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`, now)).ok).toBe(false);
  });
});

describe('envelopes', () => {
  it('open for the recipient and for the sender, and for nobody else', async () => {
    const recipient = await generateEncryptionKey();
    const sender = await generateEncryptionKey();
    const stranger = await generateEncryptionKey();
    const sealed = await sealEnvelope({
      type: 'referral.offer', from: 'https://a.example.org', to: 'https://b.example.org', referralId: crypto.randomUUID(), seq: 1,
      createdAt: new Date(), body: { hello: 'world' }, recipientKey: recipient.publicJwk, senderKey: sender.publicJwk,
    });
    const payload = JSON.parse(sealed.payload) as EnvelopePayload;
    const header = b64u.decode(payload.header);
    expect(JSON.parse(utf8.decode((await openEnvelopeBody(payload, header, recipient, 'recipient'))!))).toEqual({ hello: 'world' });
    expect(JSON.parse(utf8.decode((await openEnvelopeBody(payload, header, sender, 'sender'))!))).toEqual({ hello: 'world' });
    expect(await openEnvelopeBody(payload, header, stranger, 'recipient')).toBeUndefined();
    expect(JSON.parse(utf8.decode(header))).toEqual(sealed.header);
  });
});
