// RFC 9162 Merkle trees, written for the kit from the RFC (§2.1): tree heads, and the
// verification of inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs; consistency proofs of
// the kit's own small log for the witness checks (§2.1.4.1). SHA-256 from node:crypto.
import { sha256, type Bytes } from './crypto.js';

export const leafHash = (entry: Bytes): Bytes => sha256(Uint8Array.of(0x00), entry);
export const nodeHash = (left: Bytes, right: Bytes): Bytes => sha256(Uint8Array.of(0x01), left, right);

/** The largest power of two smaller than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes. */
export function treeHead(leaves: readonly Bytes[]): Bytes {
  if (leaves.length === 0) return sha256(new Uint8Array());
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return nodeHash(treeHead(leaves.slice(0, k)), treeHead(leaves.slice(k)));
}

const equal = (a: Bytes, b: Bytes): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(index: number, size: number, leaf: Bytes, proof: readonly Bytes[], root: Bytes): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2. */
export function verifyConsistency(first: number, second: number, firstRoot: Bytes, secondRoot: Bytes, proof: readonly Bytes[]): boolean {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const isPowerOfTwo = (first & (first - 1)) === 0;
  const path = isPowerOfTwo ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return equal(fr, firstRoot) && equal(sr, secondRoot) && sn === 0;
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1, for the kit's own log. */
export function consistencyProof(leaves: readonly Bytes[], m: number): Bytes[] {
  if (m === 0 || m >= leaves.length) return [];
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Bytes[], complete: boolean): Bytes[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [treeHead(leaves)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), complete), treeHead(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), treeHead(leaves.slice(0, k))];
}
