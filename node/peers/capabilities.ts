// What a peer's identity document says about talking to it: the message types it accepts
// (spec/federation.yaml, MessageType; the base set of version 1 when it lists none), and where
// it takes envelopes (`endpoints.envelopes`). The document was verified when it was stored
// (peers/store.ts), so reading its payload here needs no signature check.
import { decodeJwt } from 'jose';
import { DomainError } from '../errors.js';
import { sameOrigin } from '../identity/document.js';
import { HANDOVER } from '../referrals/lifecycle.js';
import { BASE_MESSAGE_TYPES } from '../envelope/message-types.js';

/**
 * The message types a peer accepts: those its identity document lists, or, when it lists none,
 * the base set of protocol version 1 (every type but the later additions).
 */
export function peerMessageTypes(identityJws: string): ReadonlySet<string> {
  const listed = decodeJwt(identityJws)['message_types'];
  return new Set(Array.isArray(listed) ? listed.filter((type): type is string => typeof type === 'string') : BASE_MESSAGE_TYPES);
}

/** Whether the peer accepts messages of `type`; a node sends it no other (spec: MessageType). */
export const acceptsMessageType = (peer: { identity_jws: string }, type: string): boolean => peerMessageTypes(peer.identity_jws).has(type);

/** Refuses, before anything is sealed or stored, a message of a type the peer does not accept. */
export function requireAccepts(peer: { id: string; identity_jws: string }, type: string): void {
  if (acceptsMessageType(peer, type)) return;
  throw new DomainError(
    409,
    'message-type-not-accepted',
    'Not accepted by the peer',
    `${peer.id} does not accept ${type} messages (its identity document does not list the type): nothing was sent. Its organisation may run an implementation that does not support it yet.`,
  );
}

/**
 * Where the peer takes envelopes: `endpoints.envelopes` of its identity document when it is on the
 * peer's own origin (spec: Identity document, 6), else the path this implementation serves.
 * Documents stored before that rule was checked are read the same way, so none can send this
 * node's envelopes to another server.
 */
export function envelopeEndpoint(peer: { id: string; identity_jws: string }): string {
  const listed = (decodeJwt(peer.identity_jws)['endpoints'] as { envelopes?: unknown } | undefined)?.envelopes;
  return typeof listed === 'string' && sameOrigin(listed, peer.id) ? listed : `${peer.id}/federation/v1/envelopes`;
}

/**
 * Whether the peer understands the receiver's caseworker and case reference: `referral.handover`,
 * and `caseworker` and `case_reference` in `referral.accept`. A peer that does not would refuse
 * them, so they are never sent to it.
 */
export const understandsHandover = (peer: { identity_jws: string }): boolean => acceptsMessageType(peer, HANDOVER);
