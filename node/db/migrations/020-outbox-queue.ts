// The outbox's queries read its indexes, not its rows: an envelope's row holds its sealed payload
// (a few kilobytes, on overflow pages in SQLite), and a search that read every queued row would
// cost as much as the backlog is long.
// - envelopes_queue (peer_id, delivery_state, id): a peer's queued envelopes, oldest first, for
//   the delivery worker's search, which stops at the few it can post;
// - envelopes_due gains the peer, the lease and the direction, so that finding the peers with
//   something due reads the index alone.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('envelopes_queue').on('envelopes').columns(['peer_id', 'delivery_state', 'id']).execute();
  await db.schema.dropIndex('envelopes_due').execute();
  await db.schema.createIndex('envelopes_due').on('envelopes').columns(['delivery_state', 'next_attempt_at', 'peer_id', 'lease_until', 'lease_owner', 'direction']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('envelopes_due').execute();
  await db.schema.createIndex('envelopes_due').on('envelopes').columns(['delivery_state', 'next_attempt_at']).execute();
  await db.schema.dropIndex('envelopes_queue').execute();
}
