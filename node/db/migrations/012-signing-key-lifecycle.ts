// Signing-key rotation and revocation. Each signing key after the first keeps the continuity
// statement that introduced it (identity/continuity.ts), so the identity document can carry the
// whole chain; a key revoked as compromised gets its date. Key revocation statements, this node's
// own and those received from peers or a trust anchor, are kept as evidence and served again.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('node_keys').addColumn('continuity', 'text').execute();
  await db.schema.alterTable('node_keys').addColumn('revoked_at', 'text').execute();
  await db.schema
    .createTable('key_revocations')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('signed_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('key_revocations_node').on('key_revocations').column('node_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('key_revocations').execute();
  await db.schema.alterTable('node_keys').dropColumn('revoked_at').execute();
  await db.schema.alterTable('node_keys').dropColumn('continuity').execute();
}
