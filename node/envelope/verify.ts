// Verification of an incoming envelope, step by step in the order of spec/federation.yaml.
// Expected failures are results, not exceptions; nothing here writes to the database, except
// that a sender's identity document is fetched again when it signs with a key not pinned here.
import type { SigningPeer } from '../peers/store.js';
import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import type { NodeContext } from '../context.js';
import { nowSeconds } from '../context.js';
import { decodeBase64UrlStrict, sha256, b64u, utf8 } from '../crypto/encoding.js';
import { verifySignedByPeer } from '../peers/signed-by-peer.js';
import type { Db, Tx } from '../db/database.js';
import { validatorFor } from '../schema/validators.js';
import { heldEnvelope } from '../delivery/outbox.js';
import { bodySchemaOf } from './message-types.js';
import { isUuidV7 } from '../util/uuidv7.js';
import type { EnvelopeProblem } from './problems.js';
import { ENVELOPE_TYP, openEnvelopeBody, type EnvelopeHeader, type EnvelopePayload } from './seal.js';

export interface VerifiedEnvelope {
  jws: string;
  header: EnvelopeHeader;
  payloadText: string;
  digest: string;
  peer: SigningPeer;
  body: unknown;
}

export type EnvelopeVerification =
  | { outcome: 'accepted'; envelope: VerifiedEnvelope }
  /** An envelope held already, from the same sender (`peerId`, whose signature was checked): its receipt again. */
  | { outcome: 'duplicate'; receipt: string; peerId: string }
  | { outcome: 'rejected'; problem: EnvelopeProblem; detail?: string };

const reject = (problem: EnvelopeProblem, detail?: string): Extract<EnvelopeVerification, { outcome: 'rejected' }> =>
  detail ? { outcome: 'rejected', problem, detail } : { outcome: 'rejected', problem };

const validEnvelopePayload = () => validatorFor('federation', 'EnvelopePayload');
const validEnvelopeHeader = () => validatorFor('federation', 'EnvelopeHeader');

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
}

/** Steps 2–11 of the receiver's checks; size and media type are checked by the route. */
export async function verifyEnvelope(ctx: NodeContext, jws: string): Promise<EnvelopeVerification> {
  // 2. JWS form, payload and header shape.
  const parts = jws.split('.');
  if (parts.length !== 3 || !decodeBase64UrlStrict(parts[2]) || parts[2]!.length === 0) {
    return reject('malformed-envelope', 'Expected a compact JWS with three base64url parts.');
  }
  let protectedHeader: ProtectedHeaderParameters;
  try {
    protectedHeader = decodeProtectedHeader(jws);
  } catch {
    return reject('malformed-envelope', 'The JWS protected header is not base64url JSON.');
  }
  const { alg, typ, kid, iss, iat } = protectedHeader as ProtectedHeaderParameters & { iss?: unknown; iat?: unknown };
  if (alg !== 'EdDSA' || typ !== ENVELOPE_TYP || typeof kid !== 'string' || typeof iss !== 'string' || !Number.isInteger(iat)) {
    return reject('malformed-envelope', 'The protected header must carry alg EdDSA, typ referral-envelope+jws, kid, iss and an integer iat.');
  }
  if (protectedHeader.crit !== undefined) {
    return reject('malformed-envelope', 'The protected header must not carry crit: the protocol defines no extension a receiver must understand.');
  }
  const payloadBytes = decodeBase64UrlStrict(parts[1]);
  const payload = payloadBytes && parseJson(payloadBytes);
  if (!payloadBytes || !validEnvelopePayload()(payload)) {
    return reject('malformed-envelope', 'The JWS payload is not an envelope payload.');
  }
  const envelopePayload = payload as EnvelopePayload;
  const headerBytes = decodeBase64UrlStrict(envelopePayload.header);
  const header = headerBytes && parseJson(headerBytes);
  if (!headerBytes || !validEnvelopeHeader()(header)) {
    return reject('malformed-envelope', 'The envelope header does not match the protocol schema.');
  }
  const envelopeHeader = header as EnvelopeHeader;
  if (!isUuidV7(envelopeHeader.id)) return reject('malformed-envelope', 'The envelope id must be a UUIDv7.');

  // 3. Known and trusted sender, 4. pinned key, 5. signature.
  const { db } = ctx.database;
  const signed = await verifySignedByPeer(ctx, jws, { iss, kid });
  if (!signed.ok) return reject(signed.problem);
  const { peer } = signed;

  // 6. Addressed to us, by the signer, sealed to a key we hold.
  if (envelopeHeader.to !== ctx.self.nodeId) return reject('wrong-recipient');
  if (envelopeHeader.from !== iss) return reject('sender-mismatch');
  const recipientKey = ctx.self.encryptionKeys.get(envelopeHeader.recipient_kid);
  if (!recipientKey) return reject('unknown-recipient-key');

  // 7. Fresh signature.
  if (Math.abs(nowSeconds(ctx.clock) - (iat as number)) > ctx.limits.clockSkewSeconds) {
    return reject('signature-time-skew');
  }

  // 8. Already processed?
  const payloadText = utf8.decode(payloadBytes);
  const digest = b64u.encode(sha256(payloadBytes));
  const seen = await findProcessed(db, envelopeHeader.id, iss, digest);
  if (seen) return seen;

  // 9. Supported type, 10. decryption, 11. body schema.
  const schema = bodySchemaOf[envelopeHeader.type];
  if (!schema) return reject('unsupported-message-type');
  const bodyBytes = await openEnvelopeBody(envelopePayload, headerBytes, recipientKey, 'recipient');
  if (!bodyBytes) return reject('decryption-failed');
  const body = parseJson(bodyBytes);
  if (body === undefined || !validatorFor('federation', schema)(body)) {
    return reject('invalid-body', 'The decrypted body does not match its schema.');
  }
  if ((body as { referral_id?: unknown }).referral_id !== envelopeHeader.referral_id) {
    return reject('invalid-body', 'The body refers to another referral than the header.');
  }
  return { outcome: 'accepted', envelope: { jws, header: envelopeHeader, payloadText, digest, peer, body } };
}

/**
 * Step 8: an envelope id this node already holds (in either direction). The same envelope from
 * the same sender gets its stored receipt; anything else under that id is a conflict. Run again
 * inside the receiving transaction, so two concurrent posts cannot both pass it.
 */
export async function findProcessed(
  db: Db | Tx,
  envelopeId: string,
  sender: string,
  digest: string,
): Promise<Exclude<EnvelopeVerification, { outcome: 'accepted' }> | undefined> {
  const seen = await heldEnvelope(db, envelopeId);
  if (!seen) return undefined;
  if (seen.direction === 'incoming' && seen.payload_digest === digest && seen.peer_id === sender && seen.receipt) {
    return { outcome: 'duplicate', receipt: seen.receipt, peerId: sender };
  }
  return { outcome: 'rejected', problem: 'envelope-conflict' };
}
