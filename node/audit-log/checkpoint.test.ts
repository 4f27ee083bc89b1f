// Checkpoints and signed notes, against the vectors of Go's golang.org/x/mod/sumdb/note (package
// documentation and note_test.go) and the C2SP specifications, then round trips with fresh keys.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  checkpointBody,
  ed25519SignerFromNodeCrypto,
  ed25519Verifier,
  keyHash,
  openNote,
  parseCheckpointBody,
  signNote,
  type NoteVerifier,
} from './checkpoint.js';
import { leafHash, rootOf } from './merkle.js';

/** "<name>+<hex key hash>+<base64(0x01 || public key)>", Go's verifier key encoding. */
function parseVerifierKey(vkey: string): { name: string; hash: number; publicKey: Uint8Array } {
  const [name, hashHex] = vkey.split('+', 2) as [string, string];
  const keyData = Buffer.from(vkey.slice(name.length + hashHex.length + 2), 'base64');
  expect(keyData[0]).toBe(0x01);
  return { name, hash: parseInt(hashHex, 16), publicKey: new Uint8Array(keyData.subarray(1)) };
}

/** A KeyObject from a 32-byte Ed25519 seed (PKCS #8 with the fixed RFC 8410 prefix). */
function privateKeyFromSeed(seed: Uint8Array) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** "PRIVATE+KEY+<name>+<hex key hash>+<base64(0x01 || seed)>", Go's signer key encoding. */
function signerFromGoKey(skey: string) {
  const [, , name, hashHex] = skey.split('+', 4) as [string, string, string, string];
  const keyData = Buffer.from(skey.slice(`PRIVATE+KEY+${name}+${hashHex}+`.length), 'base64');
  expect(keyData[0]).toBe(0x01);
  return ed25519SignerFromNodeCrypto(name, privateKeyFromSeed(keyData.subarray(1)));
}

// golang.org/x/mod/sumdb/note: note.go (package documentation) and note_test.go (TestOpen).
const peterSignerKey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const peterVerifierKey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const enochVerifierKey = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const goText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const peterSig = '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const enochSig = '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

// The example of C2SP signed-note before the current revision (quoted by several implementations).
const specVerifierKey = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const specNote =
  'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const verifierFromKey = (vkey: string): NoteVerifier => {
  const { name, publicKey } = parseVerifierKey(vkey);
  return ed25519Verifier(name, publicKey);
};
const peter = verifierFromKey(peterVerifierKey);
const enoch = verifierFromKey(enochVerifierKey);

function freshSigner(name: string) {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = ed25519SignerFromNodeCrypto(name, privateKey);
  return { signer, verifier: ed25519Verifier(name, signer.publicKey) };
}

describe('key hashes', () => {
  it('match the key IDs of the Go and C2SP example verifier keys', () => {
    for (const vkey of [peterVerifierKey, enochVerifierKey, specVerifierKey]) {
      const { name, hash, publicKey } = parseVerifierKey(vkey);
      expect(keyHash(name, publicKey), vkey).toBe(hash);
    }
    expect(keyHash('PeterNeumann', parseVerifierKey(peterVerifierKey).publicKey)).toBe(0xc74f20a3);
  });

  it('derive the Go example signer key into its published public key', () => {
    expect(signerFromGoKey(peterSignerKey).publicKey).toEqual(parseVerifierKey(peterVerifierKey).publicKey);
    // Go's ExampleSign derives EnochRoot's key from an all-zero seed.
    const enochSigner = ed25519SignerFromNodeCrypto('EnochRoot', privateKeyFromSeed(new Uint8Array(32)));
    expect(enochSigner.publicKey).toEqual(parseVerifierKey(enochVerifierKey).publicKey);
  });
});

describe('signing a note', () => {
  it('reproduces the signed example note of the Go package byte for byte', async () => {
    expect(await signNote(goText, signerFromGoKey(peterSignerKey))).toBe(`${goText}\n${peterSig}`);
    const enochSigner = ed25519SignerFromNodeCrypto('EnochRoot', privateKeyFromSeed(new Uint8Array(32)));
    expect(await signNote(goText, enochSigner)).toBe(`${goText}\n${enochSig}`);
  });

  it('refuses a text without a final newline, with control characters, or a signer name with a space or plus', async () => {
    const { signer } = freshSigner('log.example');
    await expect(signNote('no newline', signer)).rejects.toThrow(RangeError);
    await expect(signNote('tab\there\n', signer)).rejects.toThrow(RangeError);
    await expect(signNote('lone \ud800 surrogate\n', signer)).rejects.toThrow(RangeError);
    await expect(signNote('ok\n', { ...signer, name: 'log example' })).rejects.toThrow(RangeError);
    await expect(signNote('ok\n', { ...signer, name: 'log+example' })).rejects.toThrow(RangeError);
    await expect(signNote('ok\n', { ...signer, name: '' })).rejects.toThrow(RangeError);
    await expect(signNote('ok\n', { ...signer, sign: async () => new Uint8Array(10) })).rejects.toThrow(RangeError);
  });
});

describe('opening a note', () => {
  it('opens the Go and C2SP example notes with their keys', async () => {
    expect(await openNote(`${goText}\n${peterSig}`, [peter])).toEqual({ ok: true, text: goText, verifiedBy: ['PeterNeumann'] });
    expect(await openNote(specNote, [verifierFromKey(specVerifierKey)])).toEqual({
      ok: true,
      text: 'This is an example message.\n',
      verifiedBy: ['example.com/foo'],
    });
  });

  it('ignores signatures by unknown keys and needs one by a known key (Go TestOpen)', async () => {
    const note = `${goText}\n${peterSig}${enochSig}`;
    expect(await openNote(note, [peter])).toEqual({ ok: true, text: goText, verifiedBy: ['PeterNeumann'] });
    expect(await openNote(note, [peter, enoch])).toEqual({ ok: true, text: goText, verifiedBy: ['PeterNeumann', 'EnochRoot'] });
    expect(await openNote(note, [])).toMatchObject({ ok: false, reason: 'no-known-signature' });
    // Same name, other key: unknown, so ignored, and then nothing known has signed.
    const impostor = freshSigner('PeterNeumann').verifier;
    expect(await openNote(`${goText}\n${peterSig}`, [impostor])).toMatchObject({ ok: false, reason: 'no-known-signature' });
  });

  it('refuses the whole note when a known key signature does not verify', async () => {
    const altered = `${goText}\n${peterSig.slice(0, 60)}ABCD${peterSig.slice(60)}`;
    expect(await openNote(altered, [peter])).toMatchObject({ ok: false, reason: 'invalid-signature' });
    const otherText = goText.replace('cryptography', 'cryptographY');
    expect(await openNote(`${otherText}\n${peterSig}`, [peter])).toMatchObject({ ok: false, reason: 'invalid-signature' });
  });

  it('counts repeated signatures by one key once and skips their repeats', async () => {
    const enochAltered = `${enochSig.slice(0, 60)}ABCD${enochSig.slice(60)}`;
    const note = `${goText}\n${peterSig}${peterSig}${enochSig}${enochSig}${enochAltered}`;
    expect(await openNote(note, [peter])).toEqual({ ok: true, text: goText, verifiedBy: ['PeterNeumann'] });
  });

  it('refuses a note whose signature matches two verifiers', async () => {
    expect(await openNote(`${goText}\n${enochSig}`, [enoch, peter, enoch])).toMatchObject({ ok: false, reason: 'ambiguous-verifier' });
    expect(await openNote(`${goText}\n${peterSig}`, [enoch, peter, enoch])).toMatchObject({ ok: true });
  });

  it('refuses the malformed notes of Go TestOpen and more', async () => {
    const malformed: Array<string | Uint8Array> = [
      goText,
      `${goText}\n`,
      `${goText}\n${peterSig.slice(0, -1)}`,
      `\u0001${goText}\n${peterSig}`,
      Buffer.concat([Buffer.from([0xff]), Buffer.from(`${goText}\n${peterSig}`)]),
      `${goText}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${goText}\n${peterSig}Unexpected line.\n`,
      `${goText}\n${peterSig.repeat(101)}`,
      `${goText}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${goText}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n`,
      `${goText}\n\u2014 PeterNeumann\n`,
      `${goText}\n\u2014 PeterNeumann x08g\n`,
      `${goText}\n\u2014 Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${goText}\r\n${peterSig}`,
      `lone \ud800 surrogate\n\n${peterSig}`,
    ];
    for (const note of malformed) {
      expect(await openNote(note, [peter]), JSON.stringify(String(note))).toMatchObject({ ok: false, reason: 'malformed-note' });
    }
    expect(await openNote(`${goText}\n${peterSig.repeat(100)}`, [peter])).toMatchObject({ ok: true });
  });

  it('accepts the note as bytes and finds the text up to the last blank line', async () => {
    const { signer, verifier } = freshSigner('log.example/a');
    const text = 'first paragraph\n\nsecond paragraph\n';
    const note = await signNote(text, signer);
    expect(await openNote(new TextEncoder().encode(note), [verifier])).toEqual({ ok: true, text, verifiedBy: ['log.example/a'] });
  });

  it('refuses instead of throwing when a verifier throws', async () => {
    const throwing: NoteVerifier = { ...peter, verify: async () => Promise.reject(new Error('boom')) };
    expect(await openNote(`${goText}\n${peterSig}`, [throwing])).toMatchObject({ ok: false, reason: 'invalid-signature' });
  });
});

describe('checkpoints', () => {
  it('parse the C2SP tlog-checkpoint example body', () => {
    const parsed = parseCheckpointBody('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect(parsed).toEqual({
      ok: true,
      checkpoint: {
        origin: 'example.com/behind-the-sofa',
        size: 20852163,
        rootHash: new Uint8Array(Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64')),
      },
      extensionLines: [],
    });
  });

  it('write origin, size and base64 root on three lines, and parse back with extension lines apart', () => {
    const rootHash = rootOf([leafHash(new Uint8Array([1]))]);
    const body = checkpointBody({ origin: 'node.example/audit', size: 1, rootHash });
    expect(body).toBe(`node.example/audit\n1\n${Buffer.from(rootHash).toString('base64')}\n`);
    expect(parseCheckpointBody(body)).toEqual({ ok: true, checkpoint: { origin: 'node.example/audit', size: 1, rootHash }, extensionLines: [] });
    expect(parseCheckpointBody(`${body}ext one\next two\n`)).toMatchObject({ ok: true, extensionLines: ['ext one', 'ext two'] });
    const empty = checkpointBody({ origin: 'o', size: 0, rootHash: rootOf([]) });
    expect(empty).toBe('o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n');
  });

  it('refuse bodies that break the tlog-checkpoint rules', () => {
    const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
    const bad = [
      `o\n1\n${root}`,
      'o\n1\n',
      `\n1\n${root}\n`,
      `o\n\n${root}\n`,
      `o\n01\n${root}\n`,
      `o\n-1\n${root}\n`,
      `o\n+1\n${root}\n`,
      `o\n1.0\n${root}\n`,
      `o\n 1\n${root}\n`,
      `o\n1e3\n${root}\n`,
      `o\n9007199254740993\n${root}\n`,
      'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n',
      'o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n',
      'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n',
      'o\n1\nAAAA\n',
      `o\n1\n${root}\n\n`,
      `o\n1\n${root}\next\n\nmore\n`,
    ];
    for (const text of bad) {
      expect(parseCheckpointBody(text), JSON.stringify(text)).toMatchObject({ ok: false, reason: 'malformed-checkpoint' });
    }
  });

  it('refuse to write an origin over several lines, a fractional size or a short root', () => {
    const rootHash = rootOf([]);
    expect(() => checkpointBody({ origin: '', size: 0, rootHash })).toThrow(RangeError);
    expect(() => checkpointBody({ origin: 'a\nb', size: 0, rootHash })).toThrow(RangeError);
    expect(() => checkpointBody({ origin: 'a', size: 1.5, rootHash })).toThrow(RangeError);
    expect(() => checkpointBody({ origin: 'a', size: -1, rootHash })).toThrow(RangeError);
    expect(() => checkpointBody({ origin: 'a', size: 0, rootHash: rootHash.subarray(1) })).toThrow(RangeError);
  });

  it('survive signing and opening, for any origin, size and root', async () => {
    const { signer, verifier } = freshSigner('node.example/audit');
    const origin = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !/[\u0000-\u001f]/.test(s));
    await fc.assert(
      fc.asyncProperty(origin, fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (o, size, rootHash) => {
        const note = await signNote(checkpointBody({ origin: o, size, rootHash }), signer);
        const opened = await openNote(note, [verifier]);
        expect(opened.ok).toBe(true);
        if (!opened.ok) return;
        expect(opened.verifiedBy).toEqual(['node.example/audit']);
        expect(parseCheckpointBody(opened.text)).toEqual({ ok: true, checkpoint: { origin: o, size, rootHash }, extensionLines: [] });
      }),
      { numRuns: 50 },
    );
  });

  it('signed by one key are refused by the verifier of another, or when the text is altered', async () => {
    const ours = freshSigner('node.example/audit');
    const theirs = freshSigner('node.example/audit');
    const body = checkpointBody({ origin: 'node.example/audit', size: 5, rootHash: rootOf([leafHash(new Uint8Array())]) });
    const note = await signNote(body, theirs.signer);
    expect(await openNote(note, [ours.verifier])).toMatchObject({ ok: false, reason: 'no-known-signature' });
    const genuine = await signNote(body, ours.signer);
    expect(await openNote(genuine.replace('\n5\n', '\n6\n'), [ours.verifier])).toMatchObject({ ok: false, reason: 'invalid-signature' });
  });

  it('keep verifying with an extra signature by an unknown key', async () => {
    const ours = freshSigner('node.example/audit');
    const witness = freshSigner('witness.example');
    const body = checkpointBody({ origin: 'node.example/audit', size: 0, rootHash: rootOf([]) });
    const signed = await signNote(body, ours.signer);
    const cosigned = await signNote(body, witness.signer);
    const both = signed + cosigned.slice(body.length + 1);
    expect(await openNote(both, [ours.verifier])).toEqual({ ok: true, text: body, verifiedBy: ['node.example/audit'] });
    expect(await openNote(both, [ours.verifier, witness.verifier])).toMatchObject({ ok: true, verifiedBy: ['node.example/audit', 'witness.example'] });
  });
});

describe('node:crypto Ed25519 helpers', () => {
  it('refuse keys of the wrong kind or length', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const x25519 = generateKeyPairSync('x25519').privateKey;
    expect(() => ed25519SignerFromNodeCrypto('a', publicKey as never)).toThrow(TypeError);
    expect(() => ed25519SignerFromNodeCrypto('a', x25519)).toThrow(TypeError);
    expect(() => ed25519Verifier('a', new Uint8Array(31))).toThrow(RangeError);
  });

  it('verify false for a signature of the wrong length', async () => {
    expect(await peter.verify(new TextEncoder().encode(goText), new Uint8Array(63))).toBe(false);
  });
});
