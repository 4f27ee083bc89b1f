// Following a network trust list (node/peers/trust-list-follower.ts): which peers this node trusts
// because the list named them (only those are revoked when the list drops them), and what the
// last fetch found and applied, for `referral-node trustlist status`.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trust_list_peers')
    .addColumn('peer_id', 'text', (c) => c.primaryKey().references('peers.id'))
    // The key the list named when it made the peer trusted.
    .addColumn('signing_kid', 'text', (c) => c.notNull())
    // listed: trusted because of the list; removed: revoked because the list dropped it.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .execute();
  // One row: the list followed, the last attempt and the last list applied.
  await db.schema
    .createTable('trust_list_status')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('network', 'text')
    .addColumn('list_iat', 'integer')
    .addColumn('list_exp', 'integer')
    .addColumn('list_digest', 'text')
    .addColumn('applied_at', 'text')
    // JSON: the members of the list applied, what it changed and what it could not.
    .addColumn('members', 'text')
    .addColumn('applied', 'text')
    .addColumn('problems', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('trust_list_status').execute();
  await db.schema.dropTable('trust_list_peers').execute();
}
