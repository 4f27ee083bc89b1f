// Data keys apart from the data (crypto-shredding). Each stored payload, envelope copy and consent
// form is encrypted under its own data key; the data keys live here, each wrapped by a key of the
// keyring, a file outside the database (node/data-keys/keyring.ts). Erasing deletes the data keys;
// the keyring key that wrapped them is then replaced and destroyed, so that the copies a deleted
// row leaves behind (PostgreSQL's dead tuples and write-ahead log, backups of the log) can no
// longer be opened with anything that exists. The older columns that held KEK-wrapped keys
// (payloads.wrapped_key, consent_forms.wrapped_key) stay, empty, for rows written from now on.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('data_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('keyring_key_id', 'text', (c) => c.notNull())
    .addColumn('wrapped', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('data_keys_by_keyring_key').on('data_keys').column('keyring_key_id').execute();
  await db.schema
    .createTable('keyring_retirements')
    .addColumn('keyring_key_id', 'text', (c) => c.primaryKey())
    .addColumn('since', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('keyring_binding')
    .addColumn('keyring_id', 'text', (c) => c.primaryKey())
    .addColumn('bound_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('keyring_binding').execute();
  await db.schema.dropTable('keyring_retirements').execute();
  await db.schema.dropTable('data_keys').execute();
}
