// The message types this node accepts, each with the schema of its body in spec/federation.yaml.
// Each is applied by node/referrals (the offer by service.ts, the rest by messages.ts), except
// consent withdrawal and erasure, applied by node/consents/withdrawal.ts.
export const bodySchemaOf: Readonly<Record<string, string>> = {
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

export const acceptedMessageTypes = (): string[] => Object.keys(bodySchemaOf);

/**
 * The types added to protocol version 1 after it was first published (spec: MessageType). A peer
 * whose identity document lists no `message_types` is taken to accept every other type.
 */
export const LATER_MESSAGE_TYPES: readonly string[] = ['referral.handover'];

export const BASE_MESSAGE_TYPES: ReadonlySet<string> = new Set(acceptedMessageTypes().filter((type) => !LATER_MESSAGE_TYPES.includes(type)));
