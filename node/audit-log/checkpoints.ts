// This node's checkpoints: a C2SP signed note over the log's size and root hash, made when the
// log has grown since the last one, kept with the cosignatures its witnesses send back, and
// served as one note carrying all of them.
import type { NodeContext } from '../context.js';
import type { Db } from '../db/database.js';
import { b64u } from '../crypto/encoding.js';
import { checkpointBody, signNote } from './checkpoint.js';
import { logSigner, logOrigin } from './log-identity.js';
import { syncTreeNodes, treeRoot } from './tree-store.js';

export interface CosignatureRecord {
  witnessId: string;
  line: string;
  /** POSIX seconds, as the witness signed it. */
  timestamp: number;
  receivedAt: string;
}

export interface StoredCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note as this node signed it (one signature line). */
  note: string;
  createdAt: string;
  cosignatures: CosignatureRecord[];
}

/**
 * Signs a checkpoint of the whole log if it has grown since the last one; undefined when it has
 * not. The subtree cache is brought up to date in the same transaction, so later proofs up to
 * this size read only cached nodes.
 */
export async function signCheckpointIfGrown(ctx: NodeContext): Promise<StoredCheckpoint | undefined> {
  const signer = logSigner(ctx.self);
  const origin = logOrigin(ctx.self.nodeId);
  const made = await ctx.database.transaction(async (tx) => {
    const size = await syncTreeNodes(tx);
    const last = await tx.selectFrom('checkpoints').select('size').orderBy('size', 'desc').limit(1).executeTakeFirst();
    if (size === 0 || (last && last.size >= size)) return undefined;
    const rootHash = await treeRoot(tx, size);
    const note = await signNote(checkpointBody({ origin, size, rootHash }), signer);
    const createdAt = ctx.clock.now().toISOString();
    await tx.insertInto('checkpoints').values({ size, root_hash: b64u.encode(rootHash), note, created_at: createdAt }).execute();
    return { size, rootHash, note, createdAt, cosignatures: [] };
  });
  if (made) ctx.logger.child({ subsystem: 'audit-log' }).info({ size: made.size }, 'checkpoint signed');
  return made;
}

export async function latestCheckpoint(db: Db): Promise<StoredCheckpoint | undefined> {
  const [latest] = await checkpointHistory(db, { limit: 1 });
  return latest;
}

/** Checkpoints newest first, each with its cosignatures; `before` pages by size. */
export async function checkpointHistory(db: Db, page: { limit: number; before?: number | undefined }): Promise<StoredCheckpoint[]> {
  let query = db.selectFrom('checkpoints').selectAll().orderBy('size', 'desc').limit(page.limit);
  if (page.before !== undefined) query = query.where('size', '<', page.before);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const cosignatures = await db
    .selectFrom('cosignatures')
    .selectAll()
    .where('checkpoint_size', 'in', rows.map((r) => r.size))
    .orderBy('witness_id')
    .execute();
  return rows.map((row) => ({
    size: row.size,
    rootHash: b64u.decode(row.root_hash),
    note: row.note,
    createdAt: row.created_at,
    cosignatures: cosignatures
      .filter((c) => c.checkpoint_size === row.size)
      .map((c) => ({ witnessId: c.witness_id, line: c.line, timestamp: c.timestamp, receivedAt: c.received_at })),
  }));
}

/** Every checkpoint, oldest first, with its cosignatures (for the audit bundle). */
export async function allCheckpointsOldestFirst(db: Db): Promise<StoredCheckpoint[]> {
  const rows = await db.selectFrom('checkpoints').selectAll().orderBy('size').execute();
  const cosignatures = await db.selectFrom('cosignatures').selectAll().orderBy('checkpoint_size').orderBy('witness_id').execute();
  const bySize = new Map<number, CosignatureRecord[]>();
  for (const c of cosignatures) {
    bySize.set(c.checkpoint_size, [...(bySize.get(c.checkpoint_size) ?? []), { witnessId: c.witness_id, line: c.line, timestamp: c.timestamp, receivedAt: c.received_at }]);
  }
  return rows.map((row) => ({
    size: row.size,
    rootHash: b64u.decode(row.root_hash),
    note: row.note,
    createdAt: row.created_at,
    cosignatures: bySize.get(row.size) ?? [],
  }));
}

/** The checkpoint as served: the signed note followed by every cosignature line (C2SP signed-note shape). */
export function noteWithCosignatures(checkpoint: Pick<StoredCheckpoint, 'note' | 'cosignatures'>): string {
  return checkpoint.note + checkpoint.cosignatures.map((c) => `${c.line}\n`).join('');
}
