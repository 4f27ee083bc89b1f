// The failures of envelope verification, in the order they are checked (spec/federation.yaml).
import { catalogued, type ProblemCatalogue, type DomainError } from '../errors.js';

export const envelopeProblems = {
  'envelope-too-large': [413, 'Envelope too large', 'The envelope is larger than this node accepts.'],
  'unsupported-media-type': [415, 'Unsupported media type', 'Post the compact JWS with Content-Type: application/jose.'],
  'malformed-envelope': [400, 'Malformed envelope', 'The request is not a well-formed referral envelope JWS.'],
  'untrusted-sender': [403, 'Untrusted sender', 'This node does not currently trust the sending node.'],
  'sender-suspended': [403, 'Sender suspended', 'This node has suspended the sending node for now; keep the message and try again later.'],
  'sender-revoked': [403, 'Sender revoked', 'This node has revoked its trust in the sending node for good; do not send again.'],
  'bad-signature': [403, 'Signature not verified', 'This node could not verify the envelope\'s signature with a key it holds for the sending node; it does not say whether it knows that node. Check the node id and the key it was signed with.'],
  'wrong-recipient': [400, 'Wrong recipient', 'The envelope is addressed to another node.'],
  'sender-mismatch': [400, 'Sender mismatch', 'The envelope header names another sender than the signer.'],
  'unknown-recipient-key': [400, 'Unknown recipient key', 'The envelope is sealed to an encryption key this node does not hold; fetch its identity document again.'],
  'signature-time-skew': [400, 'Signature time outside the allowed skew', 'Sign each delivery attempt afresh with the current time (iat).'],
  'envelope-conflict': [409, 'Envelope id reused', 'An envelope with this id and a different payload was already received.'],
  'unsupported-message-type': [400, 'Unsupported message type', 'This node does not accept this message type (see message_types in its identity document).'],
  'decryption-failed': [400, 'Decryption failed', 'The envelope body cannot be decrypted with its header as associated data.'],
  'invalid-body': [422, 'Invalid message body', 'The decrypted body does not match the schema of its message type.'],
  'unknown-referral': [422, 'Unknown referral', 'This node holds no referral with this id between the two nodes.'],
  'out-of-order': [409, 'Message out of order', 'An earlier message of this referral has not arrived yet; send it first, then retry this one.'],
  'illegal-transition': [409, 'Illegal transition', 'The referral is not in a state where the sender may send this message.'],
  'consent-expired': [422, 'Consent no longer in force', 'The consent the offer rests on has passed its valid_until: nothing of her may be kept.'],
  'consent-dated-ahead': [422, 'Consent dated ahead', 'The consent\'s obtained_at is later than this node\'s clock allows (five minutes ahead at most).'],
  'consent-recipient-not-named': [422, 'Recipient not named in the consent', 'The consent does not name this node among its recipients.'],
  'consent-purpose-not-covered': [422, 'Purpose not covered by the consent', 'The consent does not name referral among its purposes.'],
  'consent-category-not-covered': [422, 'Data not covered by the consent', 'The client data holds a category the consent does not cover.'],
  'consent-onward-not-allowed': [422, 'Onward referral not covered by the consent', 'The consent of the referral does not allow referring the client on, or not to that organisation.'],
  'quota-exceeded': [403, 'Quota exceeded', 'This node holds as much from the sending node as it accepts for now (the quota is named); try again later, or ask its administrator.'],
} as const satisfies ProblemCatalogue;

export type EnvelopeProblem = keyof typeof envelopeProblems;

export function envelopeProblem(name: EnvelopeProblem, detail?: string): DomainError {
  return catalogued(envelopeProblems, name, { detail });
}
