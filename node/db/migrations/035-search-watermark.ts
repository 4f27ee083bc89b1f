// The search index's stale referrals are looked for from the latest indexing on (referrals/
// search-tokens.ts), not over every referral: max(indexed_at) is read from this index, and the
// referrals changed since from referrals_by_update.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('search_indexed_by_time').on('search_indexed').column('indexed_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('search_indexed_by_time').execute();
}
