// The audit log's Merkle tree over the database: tree heads, inclusion and consistency proofs for
// any size up to the log's, equal to merkle.ts's reference functions but without reading every
// leaf. The hash of every complete, aligned subtree (level L ≥ 1, index i: leaves
// [i·2^L, (i+1)·2^L)) is cached in audit_tree_nodes once the log has grown past it, so a
// proof is O(log n) lookups; leaves appended since the last sync are hashed from audit_log.
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database.js';
import { b64u } from '../crypto/encoding.js';
import { nodeHash, rootOf } from './merkle.js';

/** Parents computed and inserted per step of a sync, and keys per lookup query. */
const SYNC_CHUNK = 1024;
const INSERT_ROWS = 300;
const LOOKUP_KEYS = 500;

type Range = readonly [start: number, end: number];
type NodeKey = `${number}:${number}`;

const keyOf = (level: number, idx: number): NodeKey => `${level}:${idx}`;

/** The number of entries in the log (indices run from 0 without gaps). */
export async function logSize(db: Db): Promise<number> {
  const row = await db.selectFrom('audit_log').select(sql<number | null>`max(idx)`.as('last')).executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : row.last + 1;
}

/**
 * Caches the hash of every complete subtree of the log that is not cached yet, level by level,
 * each from the level below. Amortised O(1) per entry appended; returns the log size covered.
 */
export async function syncTreeNodes(tx: Tx): Promise<number> {
  const size = await logSize(tx);
  await indexLeafHashes(tx, size);
  for (let level = 1; 2 ** level <= size; level++) {
    const want = Math.floor(size / 2 ** level);
    const last = await tx
      .selectFrom('audit_tree_nodes')
      .select(sql<number | null>`max(idx)`.as('last'))
      .where('level', '=', level)
      .executeTakeFirst();
    let next = last?.last === null || last?.last === undefined ? 0 : last.last + 1;
    while (next < want) {
      const upTo = Math.min(want, next + SYNC_CHUNK);
      const children = await childHashes(tx, level - 1, 2 * next, 2 * upTo);
      const rows: Array<{ level: number; idx: number; hash: Uint8Array }> = [];
      for (let idx = next; idx < upTo; idx++) {
        rows.push({ level, idx, hash: nodeHash(children[2 * (idx - next)]!, children[2 * (idx - next) + 1]!) });
      }
      for (let i = 0; i < rows.length; i += INSERT_ROWS) {
        await tx.insertInto('audit_tree_nodes').values(rows.slice(i, i + INSERT_ROWS)).execute();
      }
      next = upTo;
    }
  }
  return size;
}

/** The hashes of nodes [from, to) of one level, in order; level 0 is the leaves. */
async function childHashes(db: Db, level: number, from: number, to: number): Promise<Uint8Array[]> {
  if (level === 0) {
    const rows = await db.selectFrom('audit_log').select(['idx', 'leaf_hash']).where('idx', '>=', from).where('idx', '<', to).orderBy('idx').execute();
    if (rows.length !== to - from) throw new Error('The audit log has a gap: an entry is missing.');
    return rows.map((r) => b64u.decode(r.leaf_hash));
  }
  const rows = await db.selectFrom('audit_tree_nodes').select(['idx', 'hash']).where('level', '=', level).where('idx', '>=', from).where('idx', '<', to).orderBy('idx').execute();
  if (rows.length !== to - from) throw new Error(`The cached tree lacks nodes of level ${level}.`);
  return rows.map((r) => new Uint8Array(r.hash));
}

/** MTH(D[0:size]), the root hash of the log's first `size` entries. The caller checks size ≤ the log size. */
export async function treeRoot(db: Db, size: number): Promise<Uint8Array> {
  assertSize(size);
  if (size === 0) return rootOf([]);
  const [root] = await hashRanges(db, [[0, size]]);
  return root!;
}

/**
 * PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf to root; undefined when index is not below
 * size. The caller checks size ≤ the log size.
 */
export async function inclusionProofAt(db: Db, index: number, size: number): Promise<Uint8Array[] | undefined> {
  assertSize(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) return undefined;
  const ranges: Range[] = [];
  pathRanges(index, 0, size, ranges);
  return hashRanges(db, ranges);
}

/**
 * PROOF(oldSize, D[0:newSize]) of RFC 9162 §2.1.4.1; empty when oldSize is 0 or newSize,
 * undefined when oldSize > newSize. The caller checks newSize ≤ the log size.
 */
export async function consistencyProofBetween(db: Db, oldSize: number, newSize: number): Promise<Uint8Array[] | undefined> {
  assertSize(newSize);
  if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > newSize) return undefined;
  if (oldSize === 0 || oldSize === newSize) return [];
  const ranges: Range[] = [];
  subproofRanges(oldSize, 0, newSize, true, ranges);
  return hashRanges(db, ranges);
}

/** The index of the first entry below `size` whose leaf hash is `leafHash`, if any. */
export async function leafIndexOf(db: Db, leafHash: Uint8Array, size: number): Promise<number | undefined> {
  const hash = b64u.encode(leafHash);
  // Read first: a sync that runs meanwhile moves entries into the index, never out of the tail read below.
  const indexed = await leafHashesIndexed(db);
  const found = await db
    .selectFrom('audit_leaf_hashes')
    .select(sql<number | null>`min(idx)`.as('idx'))
    .where('leaf_hash', '=', hash)
    .where('idx', '<', size)
    .executeTakeFirst();
  if (found?.idx !== null && found?.idx !== undefined) return found.idx;
  if (indexed >= size) return undefined;
  // Appended since the last sync: those entries only, read in index order.
  const appended = await db
    .selectFrom('audit_log')
    .select(sql<number | null>`min(idx)`.as('idx'))
    .where('idx', '>=', indexed)
    .where('idx', '<', size)
    .where('leaf_hash', '=', hash)
    .executeTakeFirst();
  return appended?.idx ?? undefined;
}

/**
 * The entries appended since the last sync, by leaf hash (a proof may be asked for by hash). Kept
 * apart from audit_log and filled here, once per sync, because a leaf hash is random: as an index
 * of audit_log it made every commit write a random page of it per entry (migration 025).
 */
async function indexLeafHashes(tx: Tx, size: number): Promise<void> {
  for (let next = await leafHashesIndexed(tx); next < size; next += SYNC_CHUNK) {
    await tx
      .insertInto('audit_leaf_hashes')
      .columns(['idx', 'leaf_hash'])
      .expression(tx.selectFrom('audit_log').select(['idx', 'leaf_hash']).where('idx', '>=', next).where('idx', '<', Math.min(size, next + SYNC_CHUNK)))
      .execute();
  }
}

/** How many of the log's first entries are in audit_leaf_hashes. */
async function leafHashesIndexed(db: Db): Promise<number> {
  const row = await db.selectFrom('audit_leaf_hashes').select(sql<number | null>`max(idx)`.as('last')).executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : row.last + 1;
}

function assertSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('A tree size is a non-negative integer.');
}

// The proofs as lists of leaf ranges, following merkle.ts's recursions step for step; each range
// is then hashed from the perfect subtrees it splits into.

function pathRanges(index: number, start: number, end: number, out: Range[]): void {
  if (end - start === 1) return;
  const split = start + largestPowerOfTwoBelow(end - start);
  if (index < split) {
    pathRanges(index, start, split, out);
    out.push([split, end]);
  } else {
    pathRanges(index, split, end, out);
    out.push([start, split]);
  }
}

function subproofRanges(m: number, start: number, end: number, wholeOldTree: boolean, out: Range[]): void {
  const n = end - start;
  if (m === n) {
    if (!wholeOldTree) out.push([start, end]);
    return;
  }
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    subproofRanges(m, start, start + k, wholeOldTree, out);
    out.push([start + k, end]);
  } else {
    subproofRanges(m - k, start + k, end, false, out);
    out.push([start, start + k]);
  }
}

/**
 * RFC 9162 splits [start, end) into a perfect left subtree of the largest power of two below
 * its size and the rest; the rest again, until it is perfect. Every range the recursions above
 * produce starts on a multiple of its parts' sizes, so each part is a cached node.
 */
function perfectParts([start, end]: Range): Array<{ level: number; idx: number }> {
  const parts: Array<{ level: number; idx: number }> = [];
  let from = start;
  while (from < end) {
    const n = end - from;
    const width = isPowerOfTwo(n) ? n : largestPowerOfTwoBelow(n);
    if (from % width !== 0) throw new Error('An unaligned subtree: the tree store was asked for a range no proof needs.');
    parts.push({ level: Math.log2(width), idx: from / width });
    from += width;
  }
  return parts;
}

async function hashRanges(db: Db, ranges: Range[]): Promise<Uint8Array[]> {
  const partsOf = ranges.map(perfectParts);
  const known = await lookUpNodes(db, partsOf.flat());
  return partsOf.map((parts) => {
    let hash = known.get(keyOf(parts.at(-1)!.level, parts.at(-1)!.idx))!;
    for (let i = parts.length - 2; i >= 0; i--) hash = nodeHash(known.get(keyOf(parts[i]!.level, parts[i]!.idx))!, hash);
    return hash;
  });
}

/**
 * The hashes of the given nodes: cached ones in one query per level, leaves from audit_log, and
 * any node not cached yet (past the last sync) from its two children, recursively.
 */
async function lookUpNodes(db: Db, wanted: Array<{ level: number; idx: number }>): Promise<Map<NodeKey, Uint8Array>> {
  const known = new Map<NodeKey, Uint8Array>();
  const toCompute: Array<{ level: number; idx: number }> = [];
  const expanded = new Set<NodeKey>();
  let pending = dedupe(wanted, known, expanded);
  while (pending.length > 0) {
    const byLevel = new Map<number, number[]>();
    for (const { level, idx } of pending) byLevel.set(level, [...(byLevel.get(level) ?? []), idx]);
    const next: Array<{ level: number; idx: number }> = [];
    for (const [level, indices] of byLevel) {
      for (let i = 0; i < indices.length; i += LOOKUP_KEYS) {
        const chunk = indices.slice(i, i + LOOKUP_KEYS);
        if (level === 0) {
          const rows = await db.selectFrom('audit_log').select(['idx', 'leaf_hash']).where('idx', 'in', chunk).execute();
          for (const row of rows) known.set(keyOf(0, row.idx), b64u.decode(row.leaf_hash));
        } else {
          const rows = await db.selectFrom('audit_tree_nodes').select(['idx', 'hash']).where('level', '=', level).where('idx', 'in', chunk).execute();
          for (const row of rows) known.set(keyOf(level, row.idx), new Uint8Array(row.hash));
        }
      }
      for (const idx of indices) {
        if (known.has(keyOf(level, idx))) continue;
        if (level === 0) throw new RangeError(`The audit log has no entry ${idx}.`);
        expanded.add(keyOf(level, idx));
        toCompute.push({ level, idx });
        next.push({ level: level - 1, idx: 2 * idx }, { level: level - 1, idx: 2 * idx + 1 });
      }
    }
    pending = dedupe(next, known, expanded);
  }
  toCompute.sort((x, y) => x.level - y.level);
  for (const { level, idx } of toCompute) {
    known.set(keyOf(level, idx), nodeHash(known.get(keyOf(level - 1, 2 * idx))!, known.get(keyOf(level - 1, 2 * idx + 1))!));
  }
  return known;
}

/** The nodes not yet known, not already being computed, once each. */
function dedupe(nodes: Array<{ level: number; idx: number }>, known: Map<NodeKey, Uint8Array>, expanded: Set<NodeKey>): Array<{ level: number; idx: number }> {
  const seen = new Set<NodeKey>();
  return nodes.filter(({ level, idx }) => {
    const key = keyOf(level, idx);
    if (seen.has(key) || known.has(key) || expanded.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}
