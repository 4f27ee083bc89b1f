// The kit as a peer: keys made fresh for each run, its node id (the loopback URL it listens on),
// and what it signs as one (identity document, receipts, directory, historical keys).
import { b64u, fingerprintOf, newEncryptionKey, newSigningKey, nowSeconds, sha256, signCompact, type KitEncryptionKey, type KitSigningKey } from './crypto.js';

/**
 * The message types the kit takes. Every type of protocol version 1 but `referral.handover`: the
 * target must then send it neither that type nor a caseworker or case reference in an acceptance
 * (spec: MessageType, "The receiver's caseworker and case reference").
 */
export const KIT_MESSAGE_TYPES = [
  'referral.inquiry',
  'referral.inquiry-answer',
  'referral.offer',
  'referral.info-request',
  'referral.info-response',
  'referral.accept',
  'referral.decline',
  'referral.update',
  'referral.complete',
  'referral.withdraw',
  'referral.onward',
  'consent.withdraw',
  'erasure.receipt',
] as const;

/** The types of version 1 as the spec lists them, with the body schema of each. */
export const BODY_SCHEMAS: Readonly<Record<string, string>> = {
  'referral.inquiry': 'ReferralInquiryBody',
  'referral.inquiry-answer': 'ReferralInquiryAnswerBody',
  'referral.offer': 'ReferralOfferBody',
  'referral.info-request': 'ReferralInfoRequestBody',
  'referral.info-response': 'ReferralInfoResponseBody',
  'referral.accept': 'ReferralAcceptBody',
  'referral.decline': 'ReferralDeclineBody',
  'referral.update': 'ReferralUpdateBody',
  'referral.complete': 'ReferralCompleteBody',
  'referral.withdraw': 'ReferralWithdrawBody',
  'referral.onward': 'ReferralOnwardBody',
  'referral.handover': 'ReferralHandoverBody',
  'consent.withdraw': 'ConsentWithdrawBody',
  'erasure.receipt': 'ErasureReceiptBody',
};

/** A path on the kit's own origin other than the usual one: a conforming sender posts where the document says. */
export const KIT_ENVELOPE_PATH = '/conformance-kit/envelopes';

export class KitIdentity {
  private document?: { jws: string; etag: string; signedAt: number };

  private constructor(
    readonly nodeId: string,
    readonly signing: KitSigningKey,
    readonly encryption: KitEncryptionKey,
  ) {}

  static async create(nodeId: string): Promise<KitIdentity> {
    return new KitIdentity(nodeId, await newSigningKey(), await newEncryptionKey());
  }

  get fingerprint(): string {
    return fingerprintOf(this.signing.jwk.kid);
  }

  get envelopeEndpoint(): string {
    return `${this.nodeId}${KIT_ENVELOPE_PATH}`;
  }

  get signer(): { iss: string; kid: string; privateKey: KitSigningKey['privateKey'] } {
    return { iss: this.nodeId, kid: this.signing.jwk.kid, privateKey: this.signing.privateKey };
  }

  sign(typ: string, claims: unknown): string {
    return signCompact({ alg: 'EdDSA', typ, kid: this.signing.jwk.kid }, JSON.stringify(claims), this.signing.privateKey);
  }

  /** The identity document, signed again once half its day has passed. */
  identityDocument(): { jws: string; etag: string } {
    const now = nowSeconds();
    if (this.document && now - this.document.signedAt < 12 * 3600) return this.document;
    const jws = this.sign('referral-node+jwt', {
      iss: this.nodeId,
      sub: this.nodeId,
      iat: now,
      exp: now + 24 * 3600,
      name: 'Referral network conformance kit',
      country: 'ZZ',
      languages: ['en'],
      protocol_versions: ['1'],
      message_types: KIT_MESSAGE_TYPES,
      endpoints: { envelopes: this.envelopeEndpoint },
      jwks: { keys: [this.signing.jwk, this.encryption.jwk] },
    });
    this.document = { jws, etag: `"${b64u(sha256(jws)).slice(0, 27)}"`, signedAt: now };
    return this.document;
  }

  receipt(aud: string, envelopeId: string, digest: string): { receipt: string; envelope_id: string; payload_digest: string; received_at: string } {
    const received_at = new Date().toISOString();
    const receipt = this.sign('referral-receipt+jws', { iss: this.nodeId, aud, envelope_id: envelopeId, payload_digest: digest, received_at });
    return { receipt, envelope_id: envelopeId, payload_digest: digest, received_at };
  }

  directory(taxonomyVersion: number): string {
    const now = nowSeconds();
    return this.sign('referral-directory+jwt', {
      iss: this.nodeId,
      iat: now,
      exp: now + 24 * 3600,
      taxonomy_version: taxonomyVersion,
      organization: { name: 'Referral network conformance kit', country: 'ZZ', languages: ['en'] },
      services: [],
    });
  }

  historicalKeys(): string {
    return this.sign('referral-historical-keys+jwt', { iss: this.nodeId, iat: nowSeconds(), keys: [] });
  }
}
