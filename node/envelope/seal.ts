// Building envelopes (sender side): encrypt the body for the recipient and for ourselves with
// the header as associated data, and sign each delivery attempt afresh.
import { CompactSign } from 'jose';
import type { components } from '../../spec/generated/federation.js';
import { AEAD_KEY_BYTES, aeadDecrypt, aeadEncrypt, openSealed, randomBytes, sealToPublicKey } from '../crypto/aead.js';
import { b64u, decodeBase64UrlStrict, sha256, utf8 } from '../crypto/encoding.js';
import type { EncryptionKey, OkpPublicJwk, SigningKey } from '../identity/keys.js';
import { uuidv7 } from '../util/uuidv7.js';

export type EnvelopeHeader = components['schemas']['EnvelopeHeader'];
export type EnvelopePayload = components['schemas']['EnvelopePayload'];

export const ENVELOPE_TYP = 'referral-envelope+jws';

export interface SealedEnvelope {
  header: EnvelopeHeader;
  /** P: the payload JSON text, stored and signed unchanged on every attempt. */
  payload: string;
  /** b64url(SHA-256(P)) */
  digest: string;
}

export interface SealInput {
  type: string;
  from: string;
  to: string;
  referralId: string;
  seq: number;
  createdAt: Date;
  body: unknown;
  recipientKey: OkpPublicJwk;
  senderKey: OkpPublicJwk;
}

/**
 * What sealing otherwise draws at random: the content key, the nonce and, inside crypto_box_seal,
 * an ephemeral key per sealed copy of the content key. Given only to reproduce a known envelope
 * (spec/vectors); the sealed keys given must open to the content key.
 */
export interface SealingDraws {
  contentKey: Uint8Array;
  nonce: Uint8Array;
  sealedKeys?: { recipient: Uint8Array; sender: Uint8Array };
}

export async function sealEnvelope(input: SealInput, newId: () => string = uuidv7, draws?: SealingDraws): Promise<SealedEnvelope> {
  const header: EnvelopeHeader = {
    v: 1,
    id: newId(),
    type: input.type,
    from: input.from,
    to: input.to,
    referral_id: input.referralId,
    seq: input.seq,
    created_at: input.createdAt.toISOString(),
    recipient_kid: input.recipientKey.kid,
    sender_kid: input.senderKey.kid,
  };
  const headerBytes = utf8.encode(JSON.stringify(header));
  const contentKey = draws?.contentKey ?? (await randomBytes(AEAD_KEY_BYTES));
  const { nonce, ciphertext } = await aeadEncrypt(contentKey, utf8.encode(JSON.stringify(input.body)), headerBytes, draws?.nonce);
  const envelopePayload: EnvelopePayload = {
    header: b64u.encode(headerBytes),
    nonce: b64u.encode(nonce),
    ciphertext: b64u.encode(ciphertext),
    keys: {
      recipient: b64u.encode(draws?.sealedKeys?.recipient ?? (await sealToPublicKey(contentKey, b64u.decode(input.recipientKey.x)))),
      sender: b64u.encode(draws?.sealedKeys?.sender ?? (await sealToPublicKey(contentKey, b64u.decode(input.senderKey.x)))),
    },
  };
  const payload = JSON.stringify(envelopePayload);
  return { header, payload, digest: b64u.encode(sha256(payload)) };
}

/** One delivery attempt: a fresh JWS over the unchanged payload, `iat` = now. */
export async function signEnvelopeAttempt(
  payload: string,
  signer: { nodeId: string; signingKey: SigningKey },
  now: Date,
): Promise<string> {
  return new CompactSign(utf8.encode(payload))
    .setProtectedHeader({
      alg: 'EdDSA',
      typ: ENVELOPE_TYP,
      kid: signer.signingKey.kid,
      iss: signer.nodeId,
      iat: Math.floor(now.getTime() / 1000),
    })
    .sign(signer.signingKey.privateKey);
}

/**
 * Opens an envelope body with one of our encryption keys, as recipient or (for what we sent)
 * as sender. Undefined when the key does not open it or anything was altered.
 */
export async function openEnvelopeBody(
  envelopePayload: EnvelopePayload,
  headerBytes: Uint8Array,
  key: EncryptionKey,
  as: 'recipient' | 'sender',
): Promise<Uint8Array | undefined> {
  const sealedKey = decodeBase64UrlStrict(envelopePayload.keys[as]);
  const nonce = decodeBase64UrlStrict(envelopePayload.nonce);
  const ciphertext = decodeBase64UrlStrict(envelopePayload.ciphertext);
  if (!sealedKey || !nonce || !ciphertext) return undefined;
  const contentKey = await openSealed(sealedKey, key.publicKey, key.privateKey);
  if (!contentKey) return undefined;
  return aeadDecrypt(contentKey, { nonce, ciphertext }, headerBytes);
}

export const newReferralId = (): string => uuidv7();
