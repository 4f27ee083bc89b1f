// The tree store gives the same roots and proofs as merkle.ts's reference functions, whether the
// cached subtrees cover all of the log, part of it or none, and a proof over a synced log reads
// only O(log n) rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { KyselyPlugin } from 'kysely';
import type { Database } from '../../node/db/database.js';
import { openTestDatabase } from '../_util/database.js';
import { appendAuditEvent } from '../../node/audit-log/append.js';
import { consistencyProof, inclusionProof, rootOf } from '../../node/audit-log/merkle.js';
import { b64u } from '../../node/crypto/encoding.js';
import { consistencyProofBetween, inclusionProofAt, leafIndexOf, logSize, syncTreeNodes, treeRoot } from '../../node/audit-log/tree-store.js';

let database: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ database, close } = await openTestDatabase());
});
afterAll(() => close());

const at = new Date('2026-11-23T10:00:00Z');
const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : undefined);
const hexList = (list: Uint8Array[] | undefined) => list?.map((h) => hex(h));

async function resetLog(): Promise<void> {
  await database.transaction(async (tx) => {
    await tx.deleteFrom('audit_tree_nodes').execute();
    await tx.deleteFrom('audit_leaf_hashes').execute();
    await tx.deleteFrom('audit_log').execute();
  });
}

async function append(count: number): Promise<void> {
  await database.transaction(async (tx) => {
    for (let i = 0; i < count; i++) await appendAuditEvent(tx, at, { kind: 'system', id: 'test' }, { type: 'user.created', user_id: `u${i}`, role: 'caseworker' });
  });
}

async function leafHashes(): Promise<Uint8Array[]> {
  const rows = await database.db.selectFrom('audit_log').select('leaf_hash').orderBy('idx').execute();
  return rows.map((r) => b64u.decode(r.leaf_hash));
}

describe('the tree store', () => {
  it('matches merkle.ts for every size, index and old size, however much of the tree is cached', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Growth steps: append this many entries, then sync the cache or not.
        fc.array(fc.record({ grow: fc.integer({ min: 0, max: 70 }), sync: fc.boolean() }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }),
        async (steps, picks) => {
          await resetLog();
          for (const step of steps) {
            await append(step.grow);
            if (step.sync) await database.transaction((tx) => syncTreeNodes(tx));
          }
          const leaves = await leafHashes();
          const n = leaves.length;
          expect(await logSize(database.db)).toBe(n);
          for (const [p, q] of picks) {
            const size = q % (n + 1);
            const prefix = leaves.slice(0, size);
            expect(hex(await treeRoot(database.db, size))).toBe(hex(rootOf(prefix)));
            const index = size === 0 ? p : p % size;
            expect(hexList(await inclusionProofAt(database.db, index, size))).toEqual(hexList(inclusionProof(prefix, index)));
            const oldSize = p % (size + 1);
            expect(hexList(await consistencyProofBetween(database.db, oldSize, size))).toEqual(hexList(consistencyProof(prefix, oldSize)));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses an index past the tree and an old size past the new one, as merkle.ts does', async () => {
    await resetLog();
    await append(5);
    expect(await inclusionProofAt(database.db, 5, 5)).toBeUndefined();
    expect(await inclusionProofAt(database.db, -1, 5)).toBeUndefined();
    expect(await consistencyProofBetween(database.db, 4, 3)).toBeUndefined();
    expect(await consistencyProofBetween(database.db, 0, 5)).toEqual([]);
    expect(await consistencyProofBetween(database.db, 5, 5)).toEqual([]);
  });

  it('finds an entry by its leaf hash, only below the size asked for', async () => {
    await resetLog();
    await append(10);
    const leaves = await leafHashes();
    expect(await leafIndexOf(database.db, leaves[7]!, 10)).toBe(7);
    expect(await leafIndexOf(database.db, leaves[7]!, 7)).toBeUndefined();
  });

  it('finds an entry by its leaf hash before a sync, after it, and appended since', async () => {
    await resetLog();
    await append(2_500);
    const before = await leafHashes();
    // Not synced yet: read from the entries appended since the last sync (all of them).
    expect(await leafIndexOf(database.db, before[1_234]!, 2_500)).toBe(1_234);
    // The sync files every entry by hash, in chunks; a second one files nothing twice.
    await database.transaction((tx) => syncTreeNodes(tx));
    await database.transaction((tx) => syncTreeNodes(tx));
    const filed = await database.db.selectFrom('audit_leaf_hashes').select(['idx', 'leaf_hash']).orderBy('idx').execute();
    expect(filed.map((r) => r.idx)).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
    expect(filed.map((r) => r.leaf_hash)).toEqual(before.map((h) => b64u.encode(h)));
    await append(3);
    const after = await leafHashes();
    for (const index of [0, 1_234, 2_499, 2_500, 2_502]) expect(await leafIndexOf(database.db, after[index]!, 2_503)).toBe(index);
    expect(await leafIndexOf(database.db, after[2_501]!, 2_501)).toBeUndefined();
    expect(await leafIndexOf(database.db, after[1_234]!, 1_234)).toBeUndefined();
    expect(await leafIndexOf(database.db, new Uint8Array(32), 2_503)).toBeUndefined();
  });

  it('answers a proof over a synced log of 5,000 entries from a few dozen rows', async () => {
    await resetLog();
    await append(5_000);
    await database.transaction((tx) => syncTreeNodes(tx));
    // A sync with nothing new to cache changes nothing.
    const cached = await database.db.selectFrom('audit_tree_nodes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await database.transaction((tx) => syncTreeNodes(tx));
    const again = await database.db.selectFrom('audit_tree_nodes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(again.n).toBe(cached.n);

    let rowsRead = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        rowsRead += args.result.rows.length;
        return args.result;
      },
    };
    const db = database.db.withPlugin(counting);
    const leaves = await leafHashes();
    const proof = await inclusionProofAt(db, 3_333, 4_999);
    expect(hexList(proof)).toEqual(hexList(inclusionProof(leaves.slice(0, 4_999), 3_333)));
    expect(rowsRead).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(5_000)));
    rowsRead = 0;
    await consistencyProofBetween(db, 1_234, 4_999);
    expect(rowsRead).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(5_000)));
  });
});
