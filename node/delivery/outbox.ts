// The outbox: an outgoing envelope is written in the same transaction as the state change that
// caused it, and the delivery worker takes it from there.
import type { Tx } from '../db/database.js';
import type { SealedEnvelope } from '../envelope/seal.js';

export async function enqueueEnvelope(tx: Tx, sealed: SealedEnvelope, at: Date): Promise<void> {
  const now = at.toISOString();
  await tx
    .insertInto('envelopes')
    .values({
      id: sealed.header.id,
      direction: 'outgoing',
      peer_id: sealed.header.to,
      referral_id: sealed.header.referral_id,
      type: sealed.header.type,
      seq: sealed.header.seq,
      payload: sealed.payload,
      payload_digest: sealed.digest,
      created_at: now,
      delivery_state: 'queued',
      next_attempt_at: now,
    })
    .execute();
}
