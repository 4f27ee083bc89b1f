// Appending to the audit log reads the last index once per transaction and counts on from there:
// the entries of transactions that share a commit stay numbered without a gap or a repeat, also
// when one of them fails halfway and its savepoint rolls back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../node/db/database.js';
import { openTestDatabase } from '../_util/database.js';
import { appendAuditEvent, parseAuditEntry } from '../../node/audit-log/append.js';

let database: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ database, close } = await openTestDatabase());
});
afterAll(() => close());

const at = new Date('2026-12-07T10:00:00Z');
const actor = { kind: 'system', id: 'test' } as const;

describe('appending to the audit log', () => {
  it('numbers the entries of a group of transactions in order, without the ones of a member that failed', async () => {
    const start = (await database.db.selectFrom('audit_log').select('idx').orderBy('idx', 'desc').executeTakeFirst())?.idx ?? -1;
    const before = database.transactionStats();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        database.transaction(async (tx) => {
          await appendAuditEvent(tx, at, actor, { type: 'user.created', user_id: `t${i}-a`, role: 'caseworker' });
          if (i === 2) throw new Error('refused after its first entry');
          return appendAuditEvent(tx, at, actor, { type: 'user.created', user_id: `t${i}-b`, role: 'caseworker' });
        }),
      ),
    );
    // One group, one commit: the failed member was rolled back to its savepoint, the others kept.
    expect(database.transactionStats().commits - before.commits).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const rows = await database.db.selectFrom('audit_log').select(['idx', 'entry']).where('idx', '>', start).orderBy('idx').execute();
    expect(rows.map((r) => r.idx)).toEqual(Array.from({ length: 10 }, (_, k) => start + 1 + k));
    expect(rows.map((r) => (parseAuditEntry(r.entry) as { user_id?: string }).user_id)).toEqual(
      ['t0-a', 't0-b', 't1-a', 't1-b', 't3-a', 't3-b', 't4-a', 't4-b', 't5-a', 't5-b'],
    );
    // Each entry says the index it is stored under (the bytes hashed into the tree).
    for (const row of rows) expect(parseAuditEntry(row.entry).index).toBe(row.idx);
  });

  it('counts on from what another transaction appended since', async () => {
    const first = await database.transaction((tx) => appendAuditEvent(tx, at, actor, { type: 'user.created', user_id: 'one', role: 'caseworker' }));
    const second = await database.transaction((tx) => appendAuditEvent(tx, at, actor, { type: 'user.created', user_id: 'two', role: 'caseworker' }));
    expect(second).toBe(first + 1);
  });
});
