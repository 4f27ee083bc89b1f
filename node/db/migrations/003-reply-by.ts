// The reply-by date in the clear, so both sides can expire an unanswered referral. A date is not
// personal data; the offer it comes from stays encrypted.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('referrals').addColumn('reply_by', 'text').execute();
  await db.schema.createIndex('referrals_by_reply_by').on('referrals').columns(['state', 'reply_by']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('referrals_by_reply_by').execute();
  await db.schema.alterTable('referrals').dropColumn('reply_by').execute();
}
