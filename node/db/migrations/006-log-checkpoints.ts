// The verifiable side of the audit log: cached hashes of complete subtrees (so proofs cost
// O(log n) lookups), the checkpoints this node signed with the cosignatures its witnesses sent
// back, and, as a witness, the latest checkpoint of each peer and the evidence of any peer that
// contradicted itself. None of these columns holds personal data: sizes, hashes, signed notes
// over sizes and hashes, node ids and times.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_tree_nodes')
    // Level L, index i: the root of the perfect subtree over leaves [i·2^L, (i+1)·2^L); L ≥ 1
    // (level 0, the leaves, is audit_log.leaf_hash).
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('hash', 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_tree_nodes_pk', ['level', 'idx'])
    .execute();

  // Inclusion proofs by leaf hash.
  await db.schema.createIndex('audit_log_by_leaf_hash').on('audit_log').column('leaf_hash').execute();

  await db.schema
    .createTable('checkpoints')
    .addColumn('size', 'integer', (c) => c.primaryKey())
    // b64url of the RFC 9162 root hash of the first `size` entries.
    .addColumn('root_hash', 'text', (c) => c.notNull())
    // The C2SP signed note (checkpoint body and this node's signature line), exactly as signed.
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cosignatures')
    .addColumn('checkpoint_size', 'integer', (c) => c.notNull().references('checkpoints.size'))
    .addColumn('witness_id', 'text', (c) => c.notNull())
    // The witness's note signature line ("— <name> <base64>"), without the newline.
    .addColumn('line', 'text', (c) => c.notNull())
    // The cosignature's own timestamp (POSIX seconds), as the witness signed it.
    .addColumn('timestamp', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cosignatures_pk', ['checkpoint_size', 'witness_id'])
    .execute();

  await db.schema
    .createTable('witnessed_checkpoints')
    // As a witness: the latest checkpoint of each peer's log that this node verified and cosigned.
    .addColumn('peer_id', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('cosigned_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('witness_inconsistencies')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('peer_id', 'text', (c) => c.notNull())
    // 'same-size-different-root' or 'consistency-proof-failed'.
    .addColumn('kind', 'text', (c) => c.notNull())
    // The checkpoint this node held, and the one submitted that contradicts it: both signed notes.
    .addColumn('held_size', 'integer', (c) => c.notNull())
    .addColumn('held_root_hash', 'text', (c) => c.notNull())
    .addColumn('held_note', 'text', (c) => c.notNull())
    .addColumn('submitted_size', 'integer', (c) => c.notNull())
    .addColumn('submitted_root_hash', 'text', (c) => c.notNull())
    .addColumn('submitted_note', 'text', (c) => c.notNull())
    // The consistency proof that came with it (base64 lines, as submitted), empty when none.
    .addColumn('proof', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('witness_inconsistencies_once', ['peer_id', 'held_size', 'held_root_hash', 'submitted_size', 'submitted_root_hash'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('witness_inconsistencies').execute();
  await db.schema.dropTable('witnessed_checkpoints').execute();
  await db.schema.dropTable('cosignatures').execute();
  await db.schema.dropTable('checkpoints').execute();
  await db.schema.dropIndex('audit_log_by_leaf_hash').execute();
  await db.schema.dropTable('audit_tree_nodes').execute();
}
