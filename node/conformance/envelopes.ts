// Envelopes as the kit makes and opens them, step by step from spec/federation.yaml ("Envelope
// construction (sender)"), with a way to get each step wrong on purpose for the negative checks.
import type { KeyObject } from 'node:crypto';
import {
  aeadDecrypt, aeadEncrypt, b64u, CONTENT_KEY_BYTES, fromB64u, NONCE_BYTES, nowSeconds, openSealed, randomBytesOf, sealTo, sha256, signCompact, utf8, uuidv7,
  type Bytes, type KitEncryptionKey, type OkpJwk,
} from './crypto.js';

export const ENVELOPE_TYP = 'referral-envelope+jws';

/** Who seals for whom: the kit's keys and ids, the target's current encryption key. */
export interface Parties {
  from: string;
  to: string;
  senderEncryptionKey: OkpJwk;
  recipientEncryptionKey: OkpJwk;
}

export interface EnvelopeInput {
  type: string;
  referralId: string;
  seq: number;
  /** The body as JSON, or its exact bytes (a body that is not JSON). */
  body: unknown;
  rawBody?: Bytes;
  id?: string;
  /** Replaces or adds header members after the header is built (undefined removes one). */
  header?: Record<string, unknown>;
  /** Deliberate mistakes. */
  tamper?: {
    /** Encrypt with this associated data instead of the header's bytes. */
    aad?: Bytes;
    /** Drop the last byte of the ciphertext (a cut tag). */
    truncateTag?: boolean;
    /** Seal the recipient's copy of the content key to this X25519 key instead. */
    recipientSealKey?: Bytes;
    /** Replace the payload object before it is serialised. */
    payload?: (payload: Record<string, unknown>) => Record<string, unknown>;
  };
}

export interface Sealed {
  header: Record<string, unknown>;
  headerBytes: Bytes;
  /** P, serialised once. */
  payload: string;
  /** b64url(SHA-256(P)). */
  digest: string;
}

export async function sealEnvelope(parties: Parties, input: EnvelopeInput): Promise<Sealed> {
  const header: Record<string, unknown> = {
    v: 1,
    id: input.id ?? uuidv7(),
    type: input.type,
    from: parties.from,
    to: parties.to,
    referral_id: input.referralId,
    seq: input.seq,
    created_at: new Date().toISOString(),
    recipient_kid: parties.recipientEncryptionKey.kid,
    sender_kid: parties.senderEncryptionKey.kid,
  };
  for (const [name, value] of Object.entries(input.header ?? {})) {
    if (value === undefined) delete header[name];
    else header[name] = value;
  }
  const headerBytes = utf8(JSON.stringify(header));
  const body = input.rawBody ?? utf8(JSON.stringify(input.body));
  const key = randomBytesOf(CONTENT_KEY_BYTES);
  const nonce = randomBytesOf(NONCE_BYTES);
  let ciphertext = await aeadEncrypt(key, nonce, body, input.tamper?.aad ?? headerBytes);
  if (input.tamper?.truncateTag) ciphertext = ciphertext.slice(0, -1);
  const recipientKey = input.tamper?.recipientSealKey ?? fromB64u(parties.recipientEncryptionKey.x)!;
  let payloadObject: Record<string, unknown> = {
    header: b64u(headerBytes),
    nonce: b64u(nonce),
    ciphertext: b64u(ciphertext),
    keys: {
      recipient: b64u(await sealTo(key, recipientKey)),
      sender: b64u(await sealTo(key, fromB64u(parties.senderEncryptionKey.x)!)),
    },
  };
  if (input.tamper?.payload) payloadObject = input.tamper.payload(payloadObject);
  const payload = JSON.stringify(payloadObject);
  return { header, headerBytes, payload, digest: b64u(sha256(payload)) };
}

export interface AttemptSigner {
  iss: string;
  kid: string;
  privateKey: KeyObject;
}

/** One delivery attempt: P signed afresh, `iat` now unless given; `header` adds or replaces members. */
export function signAttempt(payload: string, signer: AttemptSigner, options: { iat?: number; header?: Record<string, unknown> } = {}): string {
  const header: Record<string, unknown> = { alg: 'EdDSA', typ: ENVELOPE_TYP, kid: signer.kid, iss: signer.iss, iat: options.iat ?? nowSeconds() };
  for (const [name, value] of Object.entries(options.header ?? {})) {
    if (value === undefined) delete header[name];
    else header[name] = value;
  }
  return signCompact(header, payload, signer.privateKey);
}

/** Opens the recipient's copy of an envelope body with the kit's key; undefined when it does not open. */
export async function openEnvelopeBody(
  payload: { nonce: string; ciphertext: string; keys: { recipient: string } },
  headerBytes: Bytes,
  key: Pick<KitEncryptionKey, 'publicKey' | 'privateKey'>,
): Promise<Bytes | undefined> {
  const sealedKey = fromB64u(payload.keys.recipient);
  const nonce = fromB64u(payload.nonce);
  const ciphertext = fromB64u(payload.ciphertext);
  if (!sealedKey || !nonce || !ciphertext) return undefined;
  const contentKey = await openSealed(sealedKey, key);
  if (!contentKey) return undefined;
  return aeadDecrypt(contentKey, nonce, ciphertext, headerBytes);
}
