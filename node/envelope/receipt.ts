// Signed receipts: the receiver's proof that it durably stored an envelope's exact payload.
import { CompactSign, compactVerify } from 'jose';
import type { components } from '../../spec/generated/federation.js';
import { utf8 } from '../crypto/encoding.js';
import { importSigningPublicKey, type OkpPublicJwk, type SigningKey } from '../identity/keys.js';
import { validatorFor } from '../schema/validators.js';

export type ReceiptClaims = components['schemas']['ReceiptClaims'];
export const RECEIPT_TYP = 'referral-receipt+jws';

export async function signReceipt(claims: ReceiptClaims, signingKey: SigningKey): Promise<string> {
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: RECEIPT_TYP, kid: signingKey.kid })
    .sign(signingKey.privateKey);
}

/** Verifies a peer's receipt for the envelope we sent; undefined when it proves nothing. */
export async function verifyReceipt(
  receipt: string,
  expected: { peerId: string; peerSigningKey: OkpPublicJwk; selfId: string; envelopeId: string; digest: string },
): Promise<ReceiptClaims | undefined> {
  try {
    const { payload, protectedHeader } = await compactVerify(receipt, await importSigningPublicKey(expected.peerSigningKey), {
      algorithms: ['EdDSA'],
    });
    if (protectedHeader.typ !== RECEIPT_TYP || protectedHeader.kid !== expected.peerSigningKey.kid) return undefined;
    const claims = JSON.parse(utf8.decode(payload)) as ReceiptClaims;
    if (!validatorFor('federation', 'ReceiptClaims')(claims)) return undefined;
    const matches =
      claims.iss === expected.peerId &&
      claims.aud === expected.selfId &&
      claims.envelope_id === expected.envelopeId &&
      claims.payload_digest === expected.digest;
    return matches ? claims : undefined;
  } catch {
    return undefined;
  }
}
