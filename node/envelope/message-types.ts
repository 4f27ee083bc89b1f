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
