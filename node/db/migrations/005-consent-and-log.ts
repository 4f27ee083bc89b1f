// Consent records as their own entity (with an optional encrypted scanned form), erasures owed
// and confirmed per referral, and the append-only audit log. None of these columns holds personal
// data: consent metadata is categories, purposes, dates and ids; the form is ciphertext.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // 'self' for a consent recorded here; a peer's node id for one received with an offer.
    .addColumn('origin', 'text', (c) => c.notNull())
    // The id the consent has at its origin (the same as id for our own).
    .addColumn('origin_consent_id', 'text', (c) => c.notNull())
    // The consent this one was narrowed from (onward referral), if any.
    .addColumn('derived_from', 'text')
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('purposes', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('onward', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('obtained_by', 'text', (c) => c.notNull())
    .addColumn('obtained_at', 'text', (c) => c.notNull())
    .addColumn('valid_until', 'text', (c) => c.notNull())
    // JSON array of the recipients for whom the consent was withdrawn; all of them = withdrawn.
    .addColumn('withdrawn_for', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('withdrawn_at', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('consent_forms')
    .addColumn('consent_id', 'text', (c) => c.primaryKey().references('consents.id'))
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('wrapped_key', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('referrals').addColumn('consent_id', 'text').execute();
  await db.schema.alterTable('referrals').addColumn('parent_referral_id', 'text').execute();
  await db.schema.alterTable('referrals').addColumn('erased_at', 'text').execute();
  await db.schema.alterTable('referrals').addColumn('erasure_reason', 'text').execute();
  await db.schema.createIndex('referrals_by_consent').on('referrals').column('consent_id').execute();
  await db.schema.createIndex('referrals_by_parent').on('referrals').column('parent_referral_id').execute();
  await db.schema.alterTable('envelopes').addColumn('erased_at', 'text').execute();

  await db.schema
    .createTable('erasures')
    .addColumn('referral_id', 'text', (c) => c.notNull().references('referrals.id'))
    // The organisation that must erase: the receiver of the referral, or an onward recipient.
    .addColumn('node_id', 'text', (c) => c.notNull())
    // The onward referral's id at the node that referred on, when node_id is an onward recipient.
    .addColumn('node_referral_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    // The eraser's signed erasure statement (a JWS), once it came.
    .addColumn('statement', 'text')
    .addColumn('statement_verified', 'integer')
    .addColumn('relayed_by', 'text')
    .addColumn('confirmed_at', 'text')
    .addPrimaryKeyConstraint('erasures_pk', ['referral_id', 'node_id'])
    .execute();

  await db.schema
    .createTable('audit_log')
    // The leaf index, from 0: the entry's position in the Merkle tree.
    .addColumn('idx', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    // The exact bytes (UTF-8 JSON) the leaf hash covers.
    .addColumn('entry', 'text', (c) => c.notNull())
    // b64url(SHA-256(0x00 || entry)), RFC 9162 leaf hash.
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_by_type').on('audit_log').columns(['type', 'idx']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('erasures').execute();
  await db.schema.dropIndex('referrals_by_parent').execute();
  await db.schema.dropIndex('referrals_by_consent').execute();
  for (const column of ['consent_id', 'parent_referral_id', 'erased_at', 'erasure_reason']) {
    await db.schema.alterTable('referrals').dropColumn(column).execute();
  }
  await db.schema.alterTable('envelopes').dropColumn('erased_at').execute();
  await db.schema.dropTable('consent_forms').execute();
  await db.schema.dropTable('consents').execute();
}
