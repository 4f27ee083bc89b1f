// The receiver's checks of an envelope, in the spec's order (spec: Envelope verification
// (receiver) 1–12): one envelope wrong in one way at a time, each on a referral of its own so
// that a refusal that was wrongly accepted spoils nothing else; then a good offer, its receipt,
// the same envelope again, and another under the same id.
import { randomUUID } from 'node:crypto';
import { b64u, newEncryptionKey, newSigningKey, nowSeconds, randomBytesOf, utf8, uuidv4 } from '../crypto.js';
import { sealEnvelope, signAttempt, type EnvelopeInput } from '../envelopes.js';
import { SPEC } from '../report.js';
import { offerBody, partiesOf, postEnvelope, receiptOf, receiptProblems, send, withdrawBody, type RunContext, type Sent } from '../run-context.js';
import { describe, problemMismatch, type Answer } from '../target.js';

const FAR = 7200;

/** A good first offer on a new referral, with `change` applied. */
function offer(ctx: RunContext, change: Partial<EnvelopeInput> = {}): EnvelopeInput {
  const referralId = randomUUID();
  return { type: 'referral.offer', referralId, seq: 1, body: offerBody(ctx, referralId), ...change };
}

export async function checkEnvelopeVerification(ctx: RunContext): Promise<void> {
  const { findings, kit } = ctx;
  /** The answer to a post (or a sent envelope) is the problem named, with its status. */
  const expectProblem = async (id: string, what: string, step: number, posted: Promise<Answer | Sent>, name: string, status: number) => {
    const got = await posted;
    findings.expect(id, what, SPEC.verification(step), [problemMismatch('answer' in got ? got.answer : got, name, status)]);
  };

  // 1. Size and media type.
  await expectProblem('envelope.too-large', `a body over the limit (${ctx.envelopeLimit} bytes) → 413 envelope-too-large`, 1, postEnvelope(ctx, 'a'.repeat(ctx.envelopeLimit + 1)), 'envelope-too-large', 413);
  const good = await sealEnvelope(partiesOf(ctx), offer(ctx));
  await expectProblem(
    'envelope.media-type',
    'a good envelope sent as application/json → 415 unsupported-media-type',
    1,
    postEnvelope(ctx, signAttempt(good.payload, kit.signer), 'application/json'),
    'unsupported-media-type',
    415,
  );

  // 2. Form.
  await expectProblem('envelope.not-jws', 'a body that is not a compact JWS → 400 malformed-envelope', 2, postEnvelope(ctx, 'not.a-jws'), 'malformed-envelope', 400);
  const unsigned = `${b64u(JSON.stringify({ alg: 'none', typ: 'referral-envelope+jws', kid: kit.signing.jwk.kid, iss: kit.nodeId, iat: nowSeconds() }))}.${b64u(good.payload)}.`;
  await expectProblem('envelope.alg-none', 'alg none (no signature) → 400 malformed-envelope', 2, postEnvelope(ctx, unsigned), 'malformed-envelope', 400);
  await expectProblem('envelope.typ', 'a typ other than referral-envelope+jws → 400 malformed-envelope', 2, send(ctx, offer(ctx), { header: { typ: 'JWT' } }), 'malformed-envelope', 400);
  await expectProblem('envelope.iat', 'no integer iat in the protected header → 400 malformed-envelope', 2, send(ctx, offer(ctx), { header: { iat: String(nowSeconds()) } }), 'malformed-envelope', 400);
  await expectProblem(
    'envelope.crit',
    'a protected header with crit → 400 malformed-envelope',
    2,
    send(ctx, offer(ctx), { header: { crit: ['urn:refnet:conformance-kit'], 'urn:refnet:conformance-kit': true } }),
    'malformed-envelope',
    400,
  );
  await expectProblem(
    'envelope.payload-schema',
    'a payload that does not match EnvelopePayload (no keys) → 400 malformed-envelope',
    2,
    send(ctx, offer(ctx, { tamper: { payload: (p) => Object.fromEntries(Object.entries(p).filter(([name]) => name !== 'keys')) } })),
    'malformed-envelope',
    400,
  );
  await expectProblem(
    'envelope.header-schema',
    'a header that does not match EnvelopeHeader (no seq) → 400 malformed-envelope',
    2,
    send(ctx, offer(ctx, { header: { seq: undefined } })),
    'malformed-envelope',
    400,
  );
  await expectProblem('envelope.id-uuidv7', 'an envelope id that is a UUID but not a UUIDv7 → 400 malformed-envelope', 2, send(ctx, offer(ctx, { id: uuidv4() })), 'malformed-envelope', 400);

  // 3. Signature.
  const stranger = await newSigningKey();
  const notPinned = await sealEnvelope(partiesOf(ctx), offer(ctx));
  await expectProblem(
    'envelope.unknown-key',
    'signed with a key the target did not pin for the kit → 403 bad-signature',
    3,
    postEnvelope(ctx, signAttempt(notPinned.payload, { iss: kit.nodeId, kid: stranger.jwk.kid, privateKey: stranger.privateKey })),
    'bad-signature',
    403,
  );
  const forged = await sealEnvelope(partiesOf(ctx), offer(ctx));
  await expectProblem(
    'envelope.bad-signature',
    'naming the kit\'s key but signed by another → 403 bad-signature',
    3,
    postEnvelope(ctx, signAttempt(forged.payload, { iss: kit.nodeId, kid: kit.signing.jwk.kid, privateKey: stranger.privateKey })),
    'bad-signature',
    403,
  );
  const strangerId = 'http://127.0.0.1:9';
  const strangerEnvelope = await sealEnvelope({ ...partiesOf(ctx), from: strangerId }, offer(ctx));
  await expectProblem(
    'envelope.unknown-issuer',
    'from a node the target does not know → 403 bad-signature',
    3,
    postEnvelope(ctx, signAttempt(strangerEnvelope.payload, { iss: strangerId, kid: stranger.jwk.kid, privateKey: stranger.privateKey })),
    'bad-signature',
    403,
  );

  // 6. Addressing.
  await expectProblem('envelope.wrong-recipient', 'header.to another node → 400 wrong-recipient', 6, send(ctx, offer(ctx, { header: { to: 'https://another-node.example' } })), 'wrong-recipient', 400);
  await expectProblem('envelope.sender-mismatch', 'header.from not the iss → 400 sender-mismatch', 6, send(ctx, offer(ctx, { header: { from: 'https://another-node.example' } })), 'sender-mismatch', 400);
  const unknownKey = await newEncryptionKey();
  await expectProblem(
    'envelope.unknown-recipient-key',
    'recipient_kid not one of the target\'s encryption keys → 400 unknown-recipient-key',
    6,
    send(ctx, offer(ctx, { header: { recipient_kid: unknownKey.jwk.kid } })),
    'unknown-recipient-key',
    400,
  );

  // 7. Time.
  await expectProblem('envelope.time-skew-past', 'iat two hours ago → 400 signature-time-skew', 7, send(ctx, offer(ctx), { iat: nowSeconds() - FAR }), 'signature-time-skew', 400);
  await expectProblem('envelope.time-skew-future', 'iat two hours ahead → 400 signature-time-skew', 7, send(ctx, offer(ctx), { iat: nowSeconds() + FAR }), 'signature-time-skew', 400);

  // 9. Type.
  await expectProblem(
    'envelope.unsupported-type',
    'a message type the target does not support → 400 unsupported-message-type',
    9,
    send(ctx, offer(ctx, { type: 'referral.conformance-kit' })),
    'unsupported-message-type',
    400,
  );

  // 10. Decryption.
  await expectProblem('envelope.wrong-aad', 'encrypted with other associated data than the header → 400 decryption-failed', 10, send(ctx, offer(ctx, { tamper: { aad: utf8('{}') } })), 'decryption-failed', 400);
  await expectProblem('envelope.truncated-tag', 'a ciphertext cut short by one byte of its tag → 400 decryption-failed', 10, send(ctx, offer(ctx, { tamper: { truncateTag: true } })), 'decryption-failed', 400);
  await expectProblem(
    'envelope.sealed-to-other-key',
    'the content key sealed to another X25519 key than recipient_kid → 400 decryption-failed',
    10,
    send(ctx, offer(ctx, { tamper: { recipientSealKey: unknownKey.publicKey } })),
    'decryption-failed',
    400,
  );

  // 11. Body.
  const noReason = randomUUID();
  await expectProblem(
    'envelope.invalid-body',
    'an offer body without reason → 422 invalid-body',
    11,
    send(ctx, { type: 'referral.offer', referralId: noReason, seq: 1, body: offerBody(ctx, noReason, { omit: ['reason'] }) }),
    'invalid-body',
    422,
  );
  await expectProblem(
    'envelope.body-not-json',
    'a body that is not JSON → 422 invalid-body',
    11,
    send(ctx, { ...offer(ctx), rawBody: randomBytesOf(40) }),
    'invalid-body',
    422,
  );
  const elsewhere = randomUUID();
  await expectProblem(
    'envelope.body-referral',
    'a body whose referral_id is not the header\'s → 422 invalid-body',
    11,
    send(ctx, { type: 'referral.offer', referralId: randomUUID(), seq: 1, body: offerBody(ctx, elsewhere) }),
    'invalid-body',
    422,
  );

  // 12. The referral.
  const nowhere = randomUUID();
  await expectProblem(
    'envelope.unknown-referral',
    'a withdrawal of a referral the target never had → 422 unknown-referral',
    12,
    send(ctx, { type: 'referral.withdraw', referralId: nowhere, seq: 1, body: withdrawBody(nowhere) }),
    'unknown-referral',
    422,
  );

  // 13 and 8: a good offer, its receipt, and the same envelope again.
  const input = offer(ctx);
  ctx.server.expectReferral(input.referralId);
  const sealed = await sealEnvelope(partiesOf(ctx), input);
  const jws = signAttempt(sealed.payload, kit.signer);
  const first = await postEnvelope(ctx, jws);
  const problems = await receiptProblems(ctx, first, sealed);
  findings.expect('envelope.offer-receipted', 'a good offer is answered 200 with a receipt', SPEC.verification(13), [first.status === 200 ? undefined : `expected 200; got ${describe(first)}`]);
  findings.expect('receipt.valid', 'the receipt: typ referral-receipt+jws, the target\'s signing kid, iss the target, aud the kit, the envelope id, payload_digest b64url(SHA-256(P))', SPEC.receipt, problems);
  const receipt = receiptOf(first);
  const again = await postEnvelope(ctx, jws);
  findings.expect('envelope.retry-same-bytes', 'the same envelope again is answered 200 with the stored receipt', SPEC.verification(8), [
    again.status === 200 && receiptOf(again) === receipt ? undefined : `expected 200 with the same receipt; got ${describe(again)}${again.status === 200 ? ' with another receipt' : ''}`,
  ]);
  const resigned = await postEnvelope(ctx, signAttempt(sealed.payload, kit.signer, { iat: nowSeconds() - 5 }));
  findings.expect('envelope.retry-resigned', 'the same payload signed afresh (a new attempt) is answered 200 with the stored receipt', SPEC.verification(8), [
    resigned.status === 200 && receiptOf(resigned) === receipt ? undefined : `expected 200 with the same receipt; got ${describe(resigned)}${resigned.status === 200 ? ' with another receipt' : ''}`,
  ]);
  const conflicting = await send(ctx, { ...input, id: sealed.header.id as string });
  findings.expect('envelope.conflict', 'the same envelope id with another payload → 409 envelope-conflict', SPEC.verification(8), [problemMismatch(conflicting.answer, 'envelope-conflict', 409)]);
}
