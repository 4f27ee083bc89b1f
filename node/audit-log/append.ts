// Appending to the audit log, always inside the transaction that makes the change it records: the
// event and its entry commit together or not at all. Each entry is a leaf of the log's Merkle tree
// (RFC 9162); the exact JSON bytes stored are the bytes hashed, so no canonicalisation is needed
// to verify it later.
import { sql } from 'kysely';
import { transactionMemo, type Db, type Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';
import { b64u, utf8 } from '../crypto/encoding.js';
import type { AuditActor, AuditEvent } from './events.js';
import { leafHash } from './merkle.js';

/** The entry as stored and hashed: position, time and actor, then the event's own fields. */
export type AuditEntry = { v: 1; index: number; at: string; actor: AuditActor } & AuditEvent;

const lastIndex = preparedStatement((db) => db.selectFrom('audit_log').select(sql<number | null>`max(idx)`.as('idx')));
const insertEntry = preparedStatement((db, v: { idx: number; at: string; type: string; entry: string; leafHash: string }) =>
  db.insertInto('audit_log').values({ idx: v.idx, at: v.at, type: v.type, entry: v.entry, leaf_hash: v.leafHash }),
);

/** The index the next entry of a transaction takes, once it has read the log's last (transactionMemo). */
const NEXT_INDEX = Symbol('audit log: next index');

export async function appendAuditEvent(tx: Tx, at: Date, actor: AuditActor, event: AuditEvent): Promise<number> {
  // Transactions take the write lock at BEGIN (BEGIN IMMEDIATE, or the lock on audit_log on
  // PostgreSQL), so no other writer can take the same index between this read and the insert; and
  // within a transaction, only this function appends, so the index read once holds for the rest of it.
  const memo = transactionMemo(tx);
  let index = memo.get(NEXT_INDEX) as number | undefined;
  if (index === undefined) {
    const last = await lastIndex.first(tx, {});
    index = last?.idx === null || last?.idx === undefined ? 0 : last.idx + 1;
  }
  const entry: AuditEntry = { v: 1, index, at: at.toISOString(), actor, ...event };
  const text = JSON.stringify(entry);
  await insertEntry.execute(tx, { idx: index, at: entry.at, type: event.type, entry: text, leafHash: b64u.encode(leafHash(utf8.encode(text))) });
  memo.set(NEXT_INDEX, index + 1);
  return index;
}

export async function auditLogSize(db: Db | Tx): Promise<number> {
  const row = await db.selectFrom('audit_log').select(sql<number>`count(*)`.as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export function parseAuditEntry(text: string): AuditEntry {
  return JSON.parse(text) as AuditEntry;
}
