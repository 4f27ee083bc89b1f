// Sending a refused message again, by a person's decision: the peer refused it for good (an
// invalid body, an illegal transition), the cause was dealt with (a peer's bug fixed, a state put
// right), and it should go after all. Only a message that still holds its content can go again;
// one cancelled or emptied by an erasure cannot.
import type { NodeContext } from '../context.js';
import { DomainError } from '../errors.js';

export async function requeueFailedMessage(ctx: NodeContext, referralId: string, envelopeId: string): Promise<void> {
  const now = ctx.clock.now().toISOString();
  const envelope = await ctx.database.db
    .selectFrom('envelopes')
    .innerJoin('peers', 'peers.id', 'envelopes.peer_id')
    .select(['envelopes.delivery_state', 'envelopes.payload', 'envelopes.erased_at', 'peers.state as peer_state'])
    .where('envelopes.id', '=', envelopeId)
    .where('envelopes.referral_id', '=', referralId)
    .where('envelopes.direction', '=', 'outgoing')
    .executeTakeFirst();
  if (!envelope) throw new DomainError(404, 'not-found', 'No such message', 'This referral has no outgoing message with this envelope id.');
  if (envelope.delivery_state !== 'failed') {
    throw new DomainError(409, 'illegal-transition', 'Not refused', `Only a refused message can be sent again; this one is ${envelope.delivery_state}.`);
  }
  if (envelope.erased_at || envelope.payload === '') {
    throw new DomainError(409, 'illegal-transition', 'Cancelled', 'This message was cancelled and its content erased; it cannot be sent again.');
  }
  if (envelope.peer_state !== 'trusted') {
    throw new DomainError(409, 'peer-not-trusted', 'Peer not trusted', `The peer is ${envelope.peer_state}; a message goes only to a trusted peer.`);
  }
  await ctx.database.db
    .updateTable('envelopes')
    .set({ delivery_state: 'queued', next_attempt_at: now, lease_until: null })
    .where('id', '=', envelopeId)
    .where('delivery_state', '=', 'failed')
    .execute();
  ctx.logger.info({ envelope: envelopeId }, 'refused message queued again by a user');
}
