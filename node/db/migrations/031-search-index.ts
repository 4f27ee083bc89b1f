// Search over encrypted data (issue 18 item 2): keyed blind indexes of the names, dates of birth
// and phone numbers the referrals hold (referrals/search.ts), and when each referral was last
// indexed. The tokens are truncated keyed hashes, never the values.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('search_tokens')
    .addColumn('referral_id', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('search_tokens_by_token').on('search_tokens').columns(['field', 'token', 'referral_id']).execute();
  await db.schema.createIndex('search_tokens_by_referral').on('search_tokens').column('referral_id').execute();
  await db.schema
    .createTable('search_indexed')
    .addColumn('referral_id', 'text', (c) => c.primaryKey())
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('search_indexed').execute();
  await db.schema.dropTable('search_tokens').execute();
}
