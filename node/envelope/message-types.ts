// The message types this node accepts, each with the schema of its body in spec/federation.yaml.
// Later lifecycle messages are added here together with their handlers.
export const bodySchemaOf: Readonly<Record<string, string>> = {
  'referral.offer': 'ReferralOfferBody',
};

export const acceptedMessageTypes = (): string[] => Object.keys(bodySchemaOf);
