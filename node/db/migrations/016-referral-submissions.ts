// The new-referral forms of the web interface already sent: the SHA-256 of each form's random
// submission id (never the id itself, nothing about the woman) with the referral it made, so that
// a form sent again (the browser's Back, then Send) leads to that referral instead of a second
// one. `referral_id` is null while the send is under way. Rows older than 7 days are deleted as
// new ones are written.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('referral_submissions')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('referral_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('referral_submissions_created_at').on('referral_submissions').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('referral_submissions').execute();
}
