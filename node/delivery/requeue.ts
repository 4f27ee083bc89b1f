// Sending a refused message again, by a person's decision: the peer refused it for good (an
// invalid body, an illegal transition), the cause was dealt with (a peer's bug fixed, a state put
// right), and it should go after all. Only a message that still holds its content can go again;
// one cancelled or emptied by an erasure cannot.
import type { NodeContext } from '../context.js';
import { DomainError } from '../errors.js';
import { findPeer } from '../peers/store.js';
import { outgoingEnvelopeOf, requeueRefused } from './outbox.js';

export async function requeueFailedMessage(ctx: NodeContext, referralId: string, envelopeId: string): Promise<void> {
  const { db } = ctx.database;
  const envelope = await outgoingEnvelopeOf(db, referralId, envelopeId);
  if (!envelope) throw new DomainError(404, 'not-found', 'No such message', 'This referral has no outgoing message with this envelope id.');
  if (envelope.delivery_state !== 'failed') {
    throw new DomainError(409, 'illegal-transition', 'Not refused', `Only a refused message can be sent again; this one is ${envelope.delivery_state}.`);
  }
  if (envelope.erased_at || envelope.payload === '') {
    throw new DomainError(409, 'illegal-transition', 'Cancelled', 'This message was cancelled and its content erased; it cannot be sent again.');
  }
  const peer = await findPeer(db, envelope.peer_id);
  if (peer?.state !== 'trusted') {
    throw new DomainError(409, 'peer-not-trusted', 'Peer not trusted', `The peer is ${peer?.state}; a message goes only to a trusted peer.`);
  }
  await requeueRefused(db, envelopeId, ctx.clock.now());
  ctx.logger.info({ envelope: envelopeId }, 'refused message queued again by a user');
}
