// What each referral holds of the peer's messages, in bytes (referrals.peer_bytes): the measure of
// a peer's stored-bytes quota (referrals/quotas.ts). It counts every message the peer sent that
// is kept here, on referrals in both directions, and is kept in step by the statement that applies
// each message, so that reading a peer's total sums one small column rather than every payload.
// Filled from the copies of the messages received so far.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('referrals').addColumn('peer_bytes', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await fillPeerBytes(db);
}

/**
 * Each referral's bytes from the stored copies of the peer's messages (encrypted, in text: a
 * third or so above the messages' own length, which the node counts from now on); erased
 * referrals hold none.
 */
export async function fillPeerBytes(db: Kysely<unknown>): Promise<void> {
  await sql`
    update referrals set peer_bytes = coalesce((
      select sum(coalesce(length(envelopes.signed_jws), 0) + length(envelopes.payload)) from envelopes
      where envelopes.referral_id = referrals.id and envelopes.direction = 'incoming' and envelopes.peer_id = referrals.peer_id
    ), 0)
    where erased_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('referrals').dropColumn('peer_bytes').execute();
}
