// The optional second factor of the web interface's sign-in (users/second-factor.ts): each user's
// TOTP secret, sealed under a data key of its own (never in the clear), whether it is confirmed,
// and the time step of the last code accepted (a code is never accepted twice); the recovery
// codes, as keyed digests only; and the sign-ins halfway through, between the password and the
// code (users/sessions.ts), known by the digest of a random token in the browser's cookie.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_second_factors')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    // Names the data key the secret is sealed under (`second-factor:<key_id>`): new at each enrolment.
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Null while the enrolment waits for its first code.
    .addColumn('confirmed_at', 'text')
    .addColumn('last_step', 'integer')
    .execute();
  await db.schema
    .createTable('user_recovery_codes')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_recovery_codes_by_user').on('user_recovery_codes').column('user_id').execute();
  await db.schema
    .createTable('ui_pending_sign_ins')
    .addColumn('token_digest', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('csrf', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ui_pending_sign_ins').execute();
  await db.schema.dropTable('user_recovery_codes').execute();
  await db.schema.dropTable('user_second_factors').execute();
}
