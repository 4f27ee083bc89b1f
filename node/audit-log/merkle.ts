// RFC 9162 §2.1 Merkle tree hashing (SHA-256) for the audit log: tree heads, inclusion and
// consistency proofs, and their verification. Pure functions over arrays of leaf hashes.
import { createHash } from 'node:crypto';

export const HASH_BYTES = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** MTH of a one-entry list: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

/** An interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** The Merkle tree hash (MTH) of the leaves; the empty tree's is SHA-256 of the empty string. */
export function rootOf(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256();
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1, leaf to root. Undefined when the index is not a leaf of
 * the tree (the caller turns that into a client error).
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] | undefined {
  if (!isSize(index) || index >= leafHashes.length) return undefined;
  const proof: Uint8Array[] = [];
  collectPath(leafHashes, index, 0, leafHashes.length, proof);
  return proof;
}

/**
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1 from the first `oldSize` leaves to all of them. Empty when
 * oldSize is 0 or the whole tree (nothing to prove); undefined when oldSize is past the end.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], oldSize: number): Uint8Array[] | undefined {
  if (!isSize(oldSize) || oldSize > leafHashes.length) return undefined;
  const proof: Uint8Array[] = [];
  if (oldSize === 0 || oldSize === leafHashes.length) return proof;
  collectSubproof(leafHashes, oldSize, 0, leafHashes.length, true, proof);
  return proof;
}

/** RFC 9162 §2.1.3.2. False for any malformed input as well as for a proof that does not hold. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
  if (!isHash(leaf) || !isHash(root) || !isHashList(proof)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2, plus the two cases the RFC leaves out: equal sizes (empty proof, equal
 * roots) and an empty old tree (empty proof, old root the empty tree's). False for any malformed
 * input as well as for a proof that does not hold.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !isHashList(proof)) return false;
  if (oldSize === 0 && !bytesEqual(oldRoot, rootOf([]))) return false;
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;

  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

// The recursions below work on [start, end) of one array, so a proof over n leaves hashes
// O(n) nodes once and copies nothing.

function subtreeRoot(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (end - start === 1) return leaves[start]!;
  const split = start + largestPowerOfTwoBelow(end - start);
  return nodeHash(subtreeRoot(leaves, start, split), subtreeRoot(leaves, split, end));
}

function collectPath(leaves: readonly Uint8Array[], index: number, start: number, end: number, out: Uint8Array[]): void {
  if (end - start === 1) return;
  const split = start + largestPowerOfTwoBelow(end - start);
  if (index < split) {
    collectPath(leaves, index, start, split, out);
    out.push(subtreeRoot(leaves, split, end));
  } else {
    collectPath(leaves, index, split, end, out);
    out.push(subtreeRoot(leaves, start, split));
  }
}

/** SUBPROOF(m, D[start:end], b), with m counted from `start`. */
function collectSubproof(
  leaves: readonly Uint8Array[],
  m: number,
  start: number,
  end: number,
  wholeOldTree: boolean,
  out: Uint8Array[],
): void {
  const n = end - start;
  if (m === n) {
    if (!wholeOldTree) out.push(subtreeRoot(leaves, start, end));
    return;
  }
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    collectSubproof(leaves, m, start, start + k, wholeOldTree, out);
    out.push(subtreeRoot(leaves, start + k, end));
  } else {
    collectSubproof(leaves, m - k, start + k, end, false, out);
    out.push(subtreeRoot(leaves, start, start + k));
  }
}

/** The largest power of two strictly less than n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// Sizes may exceed 2^32, so bit operations are done with arithmetic on safe integers.
const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function isPowerOfTwo(x: number): boolean {
  while (x > 1 && !isOdd(x)) x = half(x);
  return x === 1;
}

function isSize(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === HASH_BYTES;
}

function isHashList(x: unknown): x is readonly Uint8Array[] {
  return Array.isArray(x) && x.every(isHash);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
