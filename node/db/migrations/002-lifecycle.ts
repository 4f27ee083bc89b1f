// The referral lifecycle: each party's message sequence kept apart (ours and the peer's), and a
// timeline of every state change with who made it. Notes live in encrypted payloads.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('referrals').addColumn('local_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('referrals').addColumn('peer_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update referrals set local_seq = last_seq where direction = 'outgoing'`.execute(db);
  await sql`update referrals set peer_seq = last_seq where direction = 'incoming'`.execute(db);
  await db.schema.alterTable('referrals').dropColumn('last_seq').execute();

  await db.schema
    .createTable('referral_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referral_id', 'text', (c) => c.notNull().references('referrals.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('envelope_id', 'text')
    .addColumn('payload_id', 'text')
    .execute();
  await db.schema.createIndex('referral_events_by_referral').on('referral_events').columns(['referral_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('referral_events').execute();
  await db.schema.alterTable('referrals').addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update referrals set last_seq = case when direction = 'outgoing' then local_seq else peer_seq end`.execute(db);
  await db.schema.alterTable('referrals').dropColumn('local_seq').execute();
  await db.schema.alterTable('referrals').dropColumn('peer_seq').execute();
}
