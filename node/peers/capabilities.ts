// What a peer understands beyond the first version of the protocol, from the message types its
// identity document lists (spec/federation.yaml, MessageType). The document was verified when it
// was stored (peers/store.ts), so reading its payload here needs no signature check.
import { decodeJwt } from 'jose';
import { HANDOVER } from '../referrals/lifecycle.js';

/** The message types a peer's identity document lists; none when it lists none. */
export function peerMessageTypes(identityJws: string): ReadonlySet<string> {
  const listed = decodeJwt(identityJws)['message_types'];
  return new Set(Array.isArray(listed) ? listed.filter((type): type is string => typeof type === 'string') : []);
}

/**
 * Whether the peer understands the receiver's caseworker and case reference: `referral.handover`,
 * and `caseworker` and `case_reference` in `referral.accept`. A peer that does not would refuse
 * them, so they are never sent to it.
 */
export const understandsHandover = (peer: { identity_jws: string }): boolean => peerMessageTypes(peer.identity_jws).has(HANDOVER);
