// Reading the audit log's entries in index order, a page at a time.
import type { Db } from '../db/database.js';
import type { AuditEventType } from './events.js';

export interface StoredEntry {
  index: number;
  at: string;
  type: string;
  /** The exact JSON text the leaf hash covers. */
  entry: string;
  /** b64url of the RFC 9162 leaf hash. */
  leafHash: string;
}

/** Entries [start, end), in order. */
export async function readEntries(db: Db, start: number, end: number): Promise<StoredEntry[]> {
  if (end <= start) return [];
  const rows = await db.selectFrom('audit_log').selectAll().where('idx', '>=', start).where('idx', '<', end).orderBy('idx').execute();
  return rows.map((row) => ({ index: row.idx, at: row.at, type: row.type, entry: row.entry, leafHash: row.leaf_hash }));
}

/** The newest `limit` entries of one type, newest first. */
export async function newestEntriesOfType(db: Db, type: AuditEventType, limit: number): Promise<StoredEntry[]> {
  const rows = await db.selectFrom('audit_log').selectAll().where('type', '=', type).orderBy('idx', 'desc').limit(limit).execute();
  return rows.map((row) => ({ index: row.idx, at: row.at, type: row.type, entry: row.entry, leafHash: row.leaf_hash }));
}
