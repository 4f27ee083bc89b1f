// Signing-key rotation and revocation. Each signing key after the first keeps the continuity
// statement that introduced it (identity/continuity.ts), so the identity document can carry the
// whole chain; a key revoked as compromised gets its date. Key revocation statements, this node's
// own and those received from peers or a trust anchor, are kept as evidence and served again. A
// peer's identity document replaced by one with another signing key (a rotation followed, or a
// re-invitation after a revocation) is kept too: what the peer signed with its earlier keys
// (cosignatures, erasure statements) stays checkable in audit bundles.
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
  await db.schema
    .createTable('peer_identity_history')
    .addColumn('peer_id', 'text', (c) => c.notNull())
    .addColumn('signing_kid', 'text', (c) => c.notNull())
    .addColumn('identity_jws', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('peer_identity_history_pk', ['peer_id', 'signing_kid'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('peer_identity_history').execute();
  await db.schema.dropTable('key_revocations').execute();
  await db.schema.alterTable('node_keys').dropColumn('revoked_at').execute();
  await db.schema.alterTable('node_keys').dropColumn('continuity').execute();
}
