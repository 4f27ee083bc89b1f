// The hostile cases (invalid.json): inputs a node must refuse, each with the refusal it must get,
// made from the valid vectors by one change each.
import { CompactSign } from 'jose';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { ENVELOPE_TYP, sealEnvelope, signEnvelopeAttempt, type EnvelopePayload, type SealingDraws } from '../../node/envelope/seal.js';
import { consistencyProof, inclusionProof, leafHash, rootOf } from '../../node/audit-log/merkle.js';
import { ATHENS, IDS, OFFER_BODY, TIMES, VIENNA, type VectorNode, type VectorSigningKey } from './inputs.js';
import { checkpointNote } from './audit-log.js';
import { identityDocument, offerInput, serviceToken, SERVICE_TOKEN_REQUEST, type Vector } from './messages.js';

const problem = (name: string, status: number) => ({ problem_type: `urn:refnet:problem:${name}`, status });

/** `text` with its one `from` replaced: a change that does not apply is an error, not a valid input passed off as hostile. */
function changed(text: string, from: string, to: string): string {
  if (text.split(from).length !== 2) throw new Error(`"${from}" is not in the text exactly once.`);
  return text.replace(from, to);
}

/** Where the receiver stands when a case arrives. */
const FRESH = 'fresh';
const HOLDS_ENVELOPE = 'holds-envelope';
const TOKEN_USED = 'service-token-used';

export async function invalidVector(
  nodes: { athens: VectorNode; vienna: VectorNode; unpinned: VectorSigningKey },
  draws: SealingDraws,
  made: { receipt: string; cosignatureLine: string; entries: string[] },
): Promise<Vector> {
  const { athens, vienna, unpinned } = nodes;
  const { receipt, cosignatureLine, entries } = made;
  const athensSigner = { nodeId: ATHENS, signingKey: athens.signing.key };
  const sealed = await sealEnvelope(offerInput(athens, vienna), () => IDS.envelope, draws);
  const payload = JSON.parse(sealed.payload) as EnvelopePayload;
  const signedAt = (text: string, at: number) => signEnvelopeAttempt(text, athensSigner, new Date(at * 1000));
  const withPayload = (change: Partial<EnvelopePayload>) => JSON.stringify({ ...payload, ...change });

  const alteredHeader = changed(utf8.decode(b64u.decode(payload.header)), '"seq":1,', '"seq":2,');
  const ciphertext = b64u.decode(payload.ciphertext);
  const reused = await sealEnvelope(offerInput(athens, vienna, { ...OFFER_BODY, reason: 'She asks for a lawyer.' }), () => IDS.envelope, draws);
  const algNone = `${b64u.encode(JSON.stringify({ alg: 'none', typ: ENVELOPE_TYP, kid: athens.signing.key.kid, iss: ATHENS, iat: TIMES.envelopeIat }))}.${b64u.encode(sealed.payload)}.`;
  const signedBy = (kid: string) =>
    new CompactSign(utf8.encode(sealed.payload))
      .setProtectedHeader({ alg: 'EdDSA', typ: ENVELOPE_TYP, kid, iss: ATHENS, iat: TIMES.envelopeIat })
      .sign(unpinned.key.privateKey);

  const envelopeCase = (name: string, state: string, description: string, jws: string, expected: Vector, extra: Vector = {}): Vector => ({
    name, kind: 'envelope', state, description, request: { method: 'POST', url: `${VIENNA}/federation/v1/envelopes`, content_type: 'application/jose', body: jws }, ...extra, expected,
  });

  const document = await identityDocument(athens);
  const [docHeader, docPayload, docSignature] = document.split('.') as [string, string, string];
  const forgedClaims = changed(utf8.decode(b64u.decode(docPayload)), '"name":"Athens Example Shelter"', '"name":"Athens Example Shelter (forged)"');

  const note = await checkpointNote(athens, entries);
  const forgedNote = changed(note, `\n${entries.length}\n`, `\n${entries.length + 1}\n`);
  const hostileToken = await serviceToken(athens, TIMES.now, IDS.hostileTokenJti);

  const [witnessDash, witnessName, blob] = cosignatureLine.split(' ') as [string, string, string];
  const cosignatureBytes = Buffer.from(blob, 'base64');
  cosignatureBytes.writeBigUInt64BE(BigInt(TIMES.now + 1), 4);

  const leaves = entries.map((entry) => leafHash(utf8.encode(entry)));
  const inclusion = inclusionProof(leaves, 2)!;
  const consistency = consistencyProof(leaves, 3)!;

  return {
    description:
      'Hostile inputs, each made from a valid vector by one change, with the refusal a node must give. The receiver of the envelope and ' +
      'service-token cases is vienna (keys.json) with athens\'s identity document (identity-document.json) pinned and athens trusted, its ' +
      'own encryption key, its clock at now and a clock skew of 300 s. state says what it has received before: "fresh" nothing, ' +
      '"holds-envelope" envelope.json\'s envelope (answered with receipt.json\'s receipt), "service-token-used" the request of ' +
      'cosignature.json made with service-token.json\'s token. A refusal changes nothing. expected names the problem type and status ' +
      '(spec/federation.yaml ProblemType) or, for checks a verifier makes by itself, the named outcome. Where a case is re-signed the ' +
      'signature is by athens\'s signing key, at the iat shown, unless said otherwise.',
    receiver: VIENNA,
    now: TIMES.now,
    clock_skew: TIMES.clockSkew,
    cases: [
      envelopeCase('envelope-header-altered', FRESH,
        'The header H was changed after sealing ("seq":1 became "seq":2) and the envelope signed again: the AEAD associated data is no longer ' +
        'the H of the encryption. Steps 2-9 pass (the id is new to a fresh receiver; one that holds envelope.json\'s envelope answers ' +
        'envelope-conflict at step 8 first), and decryption with ad = the transmitted H fails.',
        await signedAt(withPayload({ header: b64u.encode(alteredHeader) }), TIMES.envelopeIat), problem('decryption-failed', 400), { altered_header_json: alteredHeader }),
      envelopeCase('envelope-tag-truncated', FRESH,
        'The ciphertext lost its last byte (the tag is 15 bytes), and the envelope was signed again.',
        await signedAt(withPayload({ ciphertext: b64u.encode(ciphertext.slice(0, -1)) }), TIMES.envelopeIat), problem('decryption-failed', 400)),
      envelopeCase('envelope-alg-none', FRESH,
        'envelope.json\'s payload P under a protected header with alg "none" and no signature: not the JWS form the spec requires.',
        algNone, problem('malformed-envelope', 400)),
      envelopeCase('envelope-unpinned-kid', FRESH,
        'P signed by keys.json\'s unpinned key, its kid in the header and iss athens: not the key pinned for athens. The receiver may fetch ' +
        'athens\'s identity document once (it lists only the pinned key) before refusing.',
        await signedBy(unpinned.key.kid), problem('bad-signature', 403)),
      envelopeCase('envelope-signature-by-other-key', FRESH,
        'The header names athens\'s pinned kid, but the signature is by keys.json\'s unpinned key.',
        await signedBy(athens.signing.key.kid), problem('bad-signature', 403)),
      envelopeCase('envelope-iat-too-old', FRESH, 'P signed with iat = now - 301: |now - iat| is beyond the skew.',
        await signedAt(sealed.payload, TIMES.now - TIMES.clockSkew - 1), problem('signature-time-skew', 400)),
      envelopeCase('envelope-iat-ahead', FRESH, 'P signed with iat = now + 301.',
        await signedAt(sealed.payload, TIMES.now + TIMES.clockSkew + 1), problem('signature-time-skew', 400)),
      envelopeCase('envelope-replayed', HOLDS_ENVELOPE,
        'envelope.json\'s JWS again, byte for byte: the receiver answers its stored receipt again, and nothing else happens.',
        await signedAt(sealed.payload, TIMES.envelopeIat), { status: 200, receipt }),
      envelopeCase('envelope-resigned', HOLDS_ENVELOPE,
        'The same payload P signed afresh at now (a later delivery attempt): SHA-256(P) matches the stored digest, so the stored receipt again, ' +
        'and nothing else happens.',
        await signedAt(sealed.payload, TIMES.now), { status: 200, receipt }),
      envelopeCase('envelope-id-reused', HOLDS_ENVELOPE,
        'The same header (same id) over another body (the reason changed), sealed with the same K, N and sealed keys, so another P: ' +
        'SHA-256(P) differs from the stored digest.',
        await signedAt(reused.payload, TIMES.envelopeIat), problem('envelope-conflict', 409), { payload_json: reused.payload }),
      {
        name: 'service-token-replayed', kind: 'service-token', state: TOKEN_USED,
        description: 'service-token.json\'s token a second time (its request made once already).',
        request: { method: SERVICE_TOKEN_REQUEST.method, url: `${VIENNA}${SERVICE_TOKEN_REQUEST.path}`, authorization: `Bearer ${await serviceToken(athens, TIMES.now, IDS.serviceTokenJti)}` },
        expected: problem('service-token-replayed', 401),
      },
      {
        name: 'service-token-jti-reused', kind: 'service-token', state: TOKEN_USED,
        description: 'Another token (iat = now - 30) with service-token.json\'s jti: the jti was seen from athens before.',
        request: { method: SERVICE_TOKEN_REQUEST.method, url: `${VIENNA}${SERVICE_TOKEN_REQUEST.path}`, authorization: `Bearer ${await serviceToken(athens, TIMES.now - 30, IDS.serviceTokenJti)}` },
        expected: problem('service-token-replayed', 401),
      },
      {
        name: 'service-token-expired', kind: 'service-token', state: FRESH,
        description: 'A token made at now - 400 (exp = now - 340): exp is not after now - skew. Refused before its jti is looked at or recorded.',
        request: { method: SERVICE_TOKEN_REQUEST.method, url: `${VIENNA}${SERVICE_TOKEN_REQUEST.path}`, authorization: `Bearer ${await serviceToken(athens, TIMES.now - 400, IDS.expiredTokenJti)}` },
        expected: problem('service-token-expired', 401),
      },
      {
        name: 'identity-document-altered', kind: 'identity-document', state: FRESH,
        description: 'Athens\'s identity document with its name changed in the payload, header and signature kept: the signature does not verify, so a node neither pins nor refreshes from it.',
        jws: `${docHeader}.${b64u.encode(forgedClaims)}.${docSignature}`,
        verify_at: TIMES.now,
        expected: { outcome: 'signature-invalid' },
      },
      {
        name: 'checkpoint-size-altered', kind: 'checkpoint', state: FRESH,
        description: 'checkpoint.json\'s note with the tree size changed from 7 to 8, the signature line kept: opened with athens\'s key (as Go\'s ' +
          'note.Open) the note is refused, invalid signature. Submitted by athens to vienna\'s witness endpoint (with its own service token) ' +
          'it is refused with bad-checkpoint-signature.',
        note: forgedNote,
        request: { method: 'POST', url: `${VIENNA}${SERVICE_TOKEN_REQUEST.path}`, authorization: `Bearer ${hostileToken}`, body: `old 0\n\n${forgedNote}` },
        expected: { outcome: 'invalid-signature', ...problem('bad-checkpoint-signature', 403) },
      },
      {
        name: 'cosignature-time-altered', kind: 'cosignature', state: FRESH,
        description: 'cosignature.json\'s line with its timestamp one second later, key ID and signature kept: the signed message differs.',
        line: `${witnessDash} ${witnessName} ${cosignatureBytes.toString('base64')}`,
        checkpoint_text: note.slice(0, note.lastIndexOf('\n\n') + 1),
        expected: { outcome: 'invalid-signature' },
      },
      {
        name: 'inclusion-proof-altered', kind: 'inclusion-proof', state: FRESH,
        description: 'merkle.json\'s inclusion proof of index 2 in the tree of size 7 with its first two hashes swapped.',
        index: 2, tree_size: entries.length, leaf_hash: b64u.encode(leaves[2]!),
        proof: [inclusion[1]!, inclusion[0]!, ...inclusion.slice(2)].map((hash) => b64u.encode(hash)),
        root: b64u.encode(rootOf(leaves)),
        expected: { outcome: 'inclusion-proof-invalid' },
      },
      {
        name: 'consistency-proof-wrong-size', kind: 'consistency-proof', state: FRESH,
        description: 'merkle.json\'s consistency proof from size 3 to 7, presented as one from size 4 (with the root of size 4).',
        old_size: 4, new_size: entries.length, proof: consistency.map((hash) => b64u.encode(hash)),
        old_root: b64u.encode(rootOf(leaves.slice(0, 4))), new_root: b64u.encode(rootOf(leaves)),
        expected: { outcome: 'consistency-proof-invalid' },
      },
    ],
  };
}
