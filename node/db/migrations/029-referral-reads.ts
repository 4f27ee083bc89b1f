// Unread marks per user (issue 18 item 1): when each user last opened each referral's page. A
// referral changed after it is new to her again (referrals/reads.ts).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('referral_reads')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('referral_id', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('referral_reads_pk', ['user_id', 'referral_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('referral_reads').execute();
}
