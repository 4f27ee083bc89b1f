// Refreshing trusted peers' identity documents: the ETag of the copy held (for conditional
// requests), when it was last checked, and the alerts an administrator must see when a peer's
// document changed in a way that is not accepted on its own (another signing key, a bad signature).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('peers').addColumn('identity_etag', 'text').execute();
  await db.schema.alterTable('peers').addColumn('identity_checked_at', 'text').execute();
  await db.schema
    .createTable('peer_alerts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('peer_id', 'text', (c) => c.notNull().references('peers.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    // The document as served, kept as evidence (public keys and organisation data only).
    .addColumn('evidence', 'text')
    .addColumn('evidence_digest', 'text')
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema.createIndex('peer_alerts_by_peer').on('peer_alerts').columns(['peer_id', 'kind', 'evidence_digest']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('peer_alerts').execute();
  await db.schema.alterTable('peers').dropColumn('identity_checked_at').execute();
  await db.schema.alterTable('peers').dropColumn('identity_etag').execute();
}
