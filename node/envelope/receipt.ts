// Signed receipts: the receiver's proof that it durably stored an envelope's exact payload.
import { CompactSign } from 'jose';
import type { components } from '../../spec/generated/federation.js';
import { utf8 } from '../crypto/encoding.js';
import { verifyWithKeyNamed, type OkpPublicJwk, type SigningKey } from '../identity/keys.js';
import { validatorFor } from '../schema/validators.js';

export type ReceiptClaims = components['schemas']['ReceiptClaims'];
export const RECEIPT_TYP = 'referral-receipt+jws';

export async function signReceipt(claims: ReceiptClaims, signingKey: SigningKey): Promise<string> {
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: RECEIPT_TYP, kid: signingKey.kid })
    .sign(signingKey.privateKey);
}

/**
 * Verifies a peer's receipt for the envelope we sent; undefined when it proves nothing. A receipt
 * may be signed with any of the peer's keys: one stored before it rotated its signing key is
 * answered again unchanged for an envelope sent twice.
 */
export async function verifyReceipt(
  receipt: string,
  expected: { peerId: string; peerSigningKeys: ReadonlyMap<string, OkpPublicJwk>; selfId: string; envelopeId: string; digest: string },
): Promise<ReceiptClaims | undefined> {
  const verified = await verifyWithKeyNamed(receipt, expected.peerSigningKeys);
  if (!verified || verified.protectedHeader.typ !== RECEIPT_TYP) return undefined;
  const { payload } = verified;
  try {
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
