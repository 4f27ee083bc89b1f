// The refusals of the invitation protocol, each its own problem type: first those of the inviting
// node answering a redeem request (spec/federation.yaml, redeemInvitation), then those of the
// redeeming node's local API (spec/local.yaml, redeemInvitationCode).
import { catalogued, type DomainError, type ProblemCatalogue, type ProblemStatus } from '../errors.js';

export const invitationProblems = {
  'redeem-request-too-large': [413, 'Redeem request too large', 'A redeem request is a JWS of well under 64 KiB.'],
  'unsupported-media-type': [415, 'Unsupported media type', 'Post the compact JWS with Content-Type: application/jose.'],
  'malformed-redeem-request': [400, 'Malformed redeem request', 'The request is not a well-formed referral-invitation-redeem+jwt for this invitation.'],
  'wrong-recipient': [400, 'Wrong recipient', 'The redeem request is addressed to another node.'],
  'signature-time-skew': [400, 'Signature time outside the allowed skew', 'Sign the redeem request with the current time (iat).'],
  'invalid-invitation': [403, 'Invalid invitation', 'This node has no invitation with this id and secret.'],
  'invitation-revoked': [410, 'Invitation revoked', 'The inviting administrator revoked this invitation; ask them for a new one.'],
  'invitation-used': [409, 'Invitation already used', 'An invitation can be redeemed once; ask the inviting administrator for a new one.'],
  'invitation-expired': [410, 'Invitation expired', 'The invitation has expired; ask the inviting administrator for a new one.'],
  'identity-unavailable': [422, 'Identity document unavailable', 'The identity document of the redeeming node could not be fetched from its node id.'],
  'identity-mismatch': [403, 'Identity mismatch', 'The identity document at the redeeming node id does not match the node or key that signed the request.'],
  'bad-signature': [403, 'Bad signature', 'The signature does not verify with the signing key of the identity document.'],
  'peer-key-conflict': [409, 'Known with another key', 'This node knows that node id with another signing key; its administrator must find out why before trusting it.'],
  'peer-suspended': [409, 'Peer suspended', 'This node has suspended that peer; restoring it is a decision of its own, not made by an invitation.'],
  'invalid-invitation-code': [422, 'Invalid invitation code', 'This is not an invitation code: it starts with refnet-invite: followed by a signed token. Copy it again, whole.'],
  'invitation-key-mismatch': [422, 'Invitation key mismatch', 'The node named in the code signs with another key than the code names: the code was altered or is not from that node. Nothing was changed.'],
  'invalid-confirmation': [502, 'Invalid confirmation', 'The inviting node answered without a valid signed confirmation; nothing was changed here.'],
  'peer-unreachable': [502, 'Peer unreachable', 'The inviting node could not be reached or did not answer as a referral node.'],
} as const satisfies ProblemCatalogue;

export type InvitationProblem = keyof typeof invitationProblems;

/** The refusals of the inviting node that the redeeming node passes on to its administrator. */
export const RELAYED_PROBLEMS: ReadonlySet<InvitationProblem> = new Set<InvitationProblem>([
  'malformed-redeem-request', 'wrong-recipient', 'signature-time-skew', 'invalid-invitation', 'invitation-revoked', 'invitation-used',
  'invitation-expired', 'identity-unavailable', 'identity-mismatch', 'bad-signature', 'peer-key-conflict', 'peer-suspended',
]);

export const isInvitationProblem = (name: string): name is InvitationProblem => Object.hasOwn(invitationProblems, name);

export function invitationProblem(name: InvitationProblem, detail?: string, status?: ProblemStatus): DomainError {
  return catalogued(invitationProblems, name, { detail, ...(status ? { status } : {}) });
}
