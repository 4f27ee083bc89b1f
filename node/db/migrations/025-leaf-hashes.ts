// The audit log's entries by leaf hash (a peer may ask for an inclusion proof by hash), kept in a
// table of their own and filled when the tree's subtrees are cached (audit-log/tree-store.ts:
// syncTreeNodes, at each checkpoint), rather than as an index of audit_log. A leaf hash is random:
// as an index of audit_log, every entry appended landed on a random page of it, and every commit
// wrote one such page per entry (a message appends two to four). Filled in one go per checkpoint,
// each page is written once for the many entries of a minute.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_leaf_hashes')
    // The entry's index in audit_log (and leaf index in the tree): appended in order.
    .addColumn('idx', 'integer', (c) => c.primaryKey())
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_leaf_hashes_by_hash').on('audit_leaf_hashes').column('leaf_hash').execute();
  await sql`insert into audit_leaf_hashes (idx, leaf_hash) select idx, leaf_hash from audit_log`.execute(db);
  await db.schema.dropIndex('audit_log_by_leaf_hash').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('audit_log_by_leaf_hash').on('audit_log').column('leaf_hash').execute();
  await db.schema.dropTable('audit_leaf_hashes').execute();
}
