// Notifications without personal data (issue 18 item 4): what happened (a code), to which referral
// or consent, for whom (one user, or null: everyone who works on referrals here) and when; who has
// read each and to whom each was mailed; and each user's choice of e-mail (an address, immediate or
// daily) with the state of her mails. No text, name, need or note is ever kept here
// (node/notifications/).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('referral_id', 'text')
    .addColumn('consent_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('notifications_by_user').on('notifications').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('notifications_by_referral').on('notifications').column('referral_id').execute();
  await db.schema.createIndex('notifications_by_time').on('notifications').column('created_at').execute();
  await db.schema
    .createTable('notification_reads')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_reads_pk', ['user_id', 'notification_id'])
    .execute();
  await db.schema.createIndex('notification_reads_by_notification').on('notification_reads').column('notification_id').execute();
  await db.schema
    .createTable('notification_mailings')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('mailed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_mailings_pk', ['user_id', 'notification_id'])
    .execute();
  await db.schema.createIndex('notification_mailings_by_notification').on('notification_mailings').column('notification_id').execute();
  await db.schema
    .createTable('notification_preferences')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('mail', 'text', (c) => c.notNull())
    .addColumn('mail_since', 'text', (c) => c.notNull())
    .addColumn('last_mail_at', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_at', 'text')
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_preferences').execute();
  await db.schema.dropTable('notification_mailings').execute();
  await db.schema.dropTable('notification_reads').execute();
  await db.schema.dropTable('notifications').execute();
}
