// A peer's quotas (referrals/quotas.ts) count its incoming referrals, open ones and those of the
// last hour, at every new referral it sends: read from this index, not from the table.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('referrals_by_peer').on('referrals').columns(['peer_id', 'direction', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('referrals_by_peer').execute();
}
