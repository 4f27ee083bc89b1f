// RFC 9162 Merkle hashing against the reference vectors of transparency-dev/merkle
// (proof/verify_test.go, the same data as Trillian's and Certificate Transparency's RFC 6962
// tests), then properties over random trees.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const someHash = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
const emptyTreeHash = hex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

const referenceLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);

/** roots[i] is the root of the first i + 1 reference leaves. */
const referenceRoots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);

const referenceRoot = (size: number): Uint8Array => referenceRoots[size - 1]!;

/** `leaf` counts from 1, as in the Go test data. */
const referenceInclusionProofs: Array<{ leaf: number; size: number; proof: string[] }> = [
  { leaf: 1, size: 1, proof: [] },
  {
    leaf: 1,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leaf: 2,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const referenceConsistencyProofs: Array<{ size1: number; size2: number; proof: string[] }> = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const referenceLeafHashes = referenceLeaves.map(leafHash);
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

const flipBit = (bytes: Uint8Array, mask: number): Uint8Array => bytes.map((b, i) => (i === 0 ? b ^ mask : b));

/** The corruptions transparency-dev applies to each good inclusion proof (corruptInclusionProof). */
function corruptedInclusionProbes(index: number, size: number, proof: Uint8Array[], root: Uint8Array, leaf: Uint8Array) {
  const probes: Array<{ desc: string; index: number; size: number; root: Uint8Array; leaf: Uint8Array; proof: Uint8Array[] }> = [
    { desc: 'index - 1', index: index - 1, size, root, leaf, proof },
    { desc: 'index + 1', index: index + 1, size, root, leaf, proof },
    { desc: 'index ^ 2', index: index ^ 2, size, root, leaf, proof },
    { desc: 'size * 2', index, size: size * 2, root, leaf, proof },
    { desc: 'size / 2', index, size: Math.floor(size / 2), root, leaf, proof },
    { desc: 'wrong leaf', index, size, root, leaf: ascii('WrongLeaf'), proof },
    { desc: 'empty root', index, size, root: emptyTreeHash, leaf, proof },
    { desc: 'random root', index, size, root: someHash, leaf, proof },
    { desc: 'trailing garbage', index, size, root, leaf, proof: [...proof, new Uint8Array()] },
    { desc: 'trailing root', index, size, root, leaf, proof: [...proof, root] },
    { desc: 'preceding garbage', index, size, root, leaf, proof: [new Uint8Array(), ...proof] },
    { desc: 'preceding root', index, size, root, leaf, proof: [root, ...proof] },
  ];
  proof.forEach((_, i) => {
    probes.push({ desc: `modified proof[${i}]`, index, size, root, leaf, proof: proof.map((p, j) => (j === i ? flipBit(p, 8) : p)) });
  });
  if (proof.length > 0) probes.push({ desc: 'removed component', index, size, root, leaf, proof: proof.slice(0, -1) });
  if (proof.length > 1) {
    probes.push({ desc: 'inserted component', index, size, root, leaf, proof: [proof[0]!, someHash, ...proof.slice(1)] });
  }
  return probes;
}

/** The corruptions transparency-dev applies to each good consistency proof (corruptConsistencyProof). */
function corruptedConsistencyProbes(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: Uint8Array[]) {
  const probes: Array<{ desc: string; size1: number; size2: number; root1: Uint8Array; root2: Uint8Array; proof: Uint8Array[] }> = [
    { desc: 'size1 - 1', size1: size1 - 1, size2, root1, root2, proof },
    { desc: 'size1 + 1', size1: size1 + 1, size2, root1, root2, proof },
    { desc: 'size1 ^ 2', size1: size1 ^ 2, size2, root1, root2, proof },
    { desc: 'size2 * 2', size1, size2: size2 * 2, root1, root2, proof },
    { desc: 'size2 / 2', size1, size2: Math.floor(size2 / 2), root1, root2, proof },
    { desc: 'wrong root1', size1, size2, root1: ascii('WrongRoot'), root2, proof },
    { desc: 'wrong root2', size1, size2, root1, root2: ascii('WrongRoot'), proof },
    { desc: 'swapped roots', size1, size2, root1: root2, root2: root1, proof },
    { desc: 'empty proof', size1, size2, root1, root2, proof: [] },
    { desc: 'trailing garbage', size1, size2, root1, root2, proof: [...proof, new Uint8Array()] },
    { desc: 'trailing root1', size1, size2, root1, root2, proof: [...proof, root1] },
    { desc: 'trailing root2', size1, size2, root1, root2, proof: [...proof, root2] },
    { desc: 'preceding garbage', size1, size2, root1, root2, proof: [new Uint8Array(), ...proof] },
    { desc: 'preceding root1', size1, size2, root1, root2, proof: [root1, ...proof] },
    { desc: 'preceding root2', size1, size2, root1, root2, proof: [root2, ...proof] },
    { desc: 'preceding proof[0]', size1, size2, root1, root2, proof: [proof[0]!, ...proof] },
    { desc: 'truncated proof', size1, size2, root1, root2, proof: proof.slice(0, -1) },
  ];
  proof.forEach((_, i) => {
    probes.push({ desc: `modified proof[${i}]`, size1, size2, root1, root2, proof: proof.map((p, j) => (j === i ? flipBit(p, 16) : p)) });
  });
  return probes;
}

describe('Merkle tree hashing', () => {
  it('hashes a leaf as SHA-256 of 0x00 and the data, and a node as SHA-256 of 0x01, left and right', () => {
    expect(toHex(leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(toHex(nodeHash(referenceLeafHashes[0]!, referenceLeafHashes[1]!))).toBe(toHex(referenceRoot(2)));
  });

  it('gives the empty tree the SHA-256 of the empty string', () => {
    expect(rootOf([])).toEqual(emptyTreeHash);
  });

  it('computes the reference root of the first n reference leaves for every n up to eight', () => {
    for (let size = 1; size <= 8; size++) {
      expect(toHex(rootOf(referenceLeafHashes.slice(0, size))), `size ${size}`).toBe(toHex(referenceRoot(size)));
    }
  });
});

describe('inclusion proofs', () => {
  it('are exactly the reference proofs and verify against the reference roots', () => {
    for (const vector of referenceInclusionProofs) {
      const index = vector.leaf - 1;
      const leaves = referenceLeafHashes.slice(0, vector.size);
      const proof = inclusionProof(leaves, index)!;
      expect(proof.map(toHex), `leaf ${vector.leaf} of ${vector.size}`).toEqual(vector.proof);
      expect(verifyInclusion(referenceLeafHashes[index]!, index, vector.size, vector.proof.map(hex), referenceRoot(vector.size))).toBe(true);
    }
  });

  it('are refused after each of the transparency-dev corruptions', () => {
    for (const vector of referenceInclusionProofs) {
      const index = vector.leaf - 1;
      const probes = corruptedInclusionProbes(index, vector.size, vector.proof.map(hex), referenceRoot(vector.size), referenceLeafHashes[index]!);
      for (const probe of probes) {
        expect(verifyInclusion(probe.leaf, probe.index, probe.size, probe.proof, probe.root), `${vector.leaf}/${vector.size}: ${probe.desc}`).toBe(
          false,
        );
      }
    }
  });

  it('are refused for an index outside the tree or a hash of the wrong length', () => {
    for (const [index, size] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [2, 1],
    ] as const) {
      expect(verifyInclusion(someHash, index, size, [], new Uint8Array())).toBe(false);
      expect(verifyInclusion(new Uint8Array(), index, size, [], emptyTreeHash)).toBe(false);
      expect(verifyInclusion(someHash, index, size, [], emptyTreeHash)).toBe(false);
    }
    const single = leafHash(ascii('data'));
    expect(verifyInclusion(single, 0, 1, [], single)).toBe(true);
    expect(verifyInclusion(new Uint8Array(), 0, 1, [], single)).toBe(false);
    expect(verifyInclusion(single, 0, 1, [], new Uint8Array())).toBe(false);
    expect(verifyInclusion(new Uint8Array(), 0, 1, [], new Uint8Array())).toBe(false);
  });

  it('are not produced for an index outside the tree', () => {
    expect(inclusionProof([], 0)).toBeUndefined();
    expect(inclusionProof(referenceLeafHashes, 8)).toBeUndefined();
    expect(inclusionProof(referenceLeafHashes, -1)).toBeUndefined();
    expect(inclusionProof(referenceLeafHashes, 1.5)).toBeUndefined();
  });

  it('do not by themselves pin the tree size, which is why the size must come from a signed checkpoint', () => {
    // Leaf 0 has the same path shape in trees of sizes 3 and 4, so the size-4 proof and root
    // also verify when the size is claimed to be 3.
    const leaves = referenceLeafHashes.slice(0, 4);
    const proof = inclusionProof(leaves, 0)!;
    expect(verifyInclusion(leaves[0]!, 0, 3, proof, rootOf(leaves))).toBe(true);
    expect(verifyInclusion(leaves[0]!, 0, 3, proof, rootOf(leaves.slice(0, 3)))).toBe(false);
  });
});

describe('consistency proofs', () => {
  it('are exactly the reference proofs and verify against the reference roots', () => {
    for (const vector of referenceConsistencyProofs) {
      const proof = consistencyProof(referenceLeafHashes.slice(0, vector.size2), vector.size1)!;
      expect(proof.map(toHex), `${vector.size1} to ${vector.size2}`).toEqual(vector.proof);
      expect(
        verifyConsistency(vector.size1, vector.size2, referenceRoot(vector.size1), referenceRoot(vector.size2), vector.proof.map(hex)),
      ).toBe(true);
    }
  });

  it('are refused after each of the transparency-dev corruptions', () => {
    for (const vector of referenceConsistencyProofs.filter((v) => v.proof.length > 0)) {
      const probes = corruptedConsistencyProbes(vector.size1, vector.size2, referenceRoot(vector.size1), referenceRoot(vector.size2), vector.proof.map(hex));
      for (const probe of probes) {
        expect(verifyConsistency(probe.size1, probe.size2, probe.root1, probe.root2, probe.proof), `${vector.size1}-${vector.size2}: ${probe.desc}`).toBe(
          false,
        );
      }
    }
  });

  it('hold trivially for equal sizes and from the empty tree, and only with an empty proof', () => {
    const [rootA, rootB] = [referenceRoot(1), referenceRoot(2)];
    expect(verifyConsistency(0, 0, emptyTreeHash, emptyTreeHash, [])).toBe(true);
    expect(verifyConsistency(0, 1, emptyTreeHash, rootA, [])).toBe(true);
    expect(verifyConsistency(1, 1, rootB, rootB, [])).toBe(true);
    // Unlike transparency-dev, the old root of an empty tree must be the empty tree's root.
    expect(verifyConsistency(0, 1, rootB, rootA, [])).toBe(false);
    expect(verifyConsistency(0, 0, rootA, rootA, [])).toBe(false);
    expect(verifyConsistency(1, 1, rootA, rootB, [])).toBe(false);
    expect(verifyConsistency(1, 0, rootA, rootB, [])).toBe(false);
    expect(verifyConsistency(2, 1, rootA, rootB, [])).toBe(false);
    expect(verifyConsistency(1, 2, rootA, rootB, [])).toBe(false);
    expect(verifyConsistency(0, 0, emptyTreeHash, emptyTreeHash, [emptyTreeHash])).toBe(false);
    expect(verifyConsistency(0, 1, emptyTreeHash, emptyTreeHash, [emptyTreeHash])).toBe(false);
    expect(verifyConsistency(1, 1, emptyTreeHash, emptyTreeHash, [emptyTreeHash])).toBe(false);
  });

  it('are empty from the empty tree or to the same size, and not produced past the end of the tree', () => {
    expect(consistencyProof(referenceLeafHashes, 0)).toEqual([]);
    expect(consistencyProof(referenceLeafHashes, 8)).toEqual([]);
    expect(consistencyProof([], 0)).toEqual([]);
    expect(consistencyProof(referenceLeafHashes, 9)).toBeUndefined();
    expect(consistencyProof(referenceLeafHashes, -1)).toBeUndefined();
  });
});

describe('verification of malformed input', () => {
  it('returns false instead of throwing', () => {
    const root = referenceRoot(8);
    const leaf = referenceLeafHashes[0]!;
    const proof = inclusionProof(referenceLeafHashes, 0)!;
    const weird: unknown[] = [NaN, Infinity, -Infinity, -1, 0.5, 2 ** 53, '1', null, undefined, {}];
    for (const value of weird) {
      const n = value as number;
      expect(verifyInclusion(leaf, n, 8, proof, root)).toBe(false);
      expect(verifyInclusion(leaf, 0, n, proof, root)).toBe(false);
      expect(verifyConsistency(n, 8, root, root, proof)).toBe(false);
      expect(verifyConsistency(1, n, root, root, proof)).toBe(false);
    }
    const notHashes: unknown[] = [null, undefined, 'abc', [], {}, [1, 2, 3], new Uint8Array(31), new Uint8Array(33)];
    for (const value of notHashes) {
      const bytes = value as Uint8Array;
      expect(verifyInclusion(bytes, 0, 8, proof, root)).toBe(false);
      expect(verifyInclusion(leaf, 0, 8, proof, bytes)).toBe(false);
      expect(verifyInclusion(leaf, 0, 8, [...proof.slice(0, 2), bytes], root)).toBe(false);
      expect(verifyConsistency(1, 8, bytes, root, proof)).toBe(false);
      expect(verifyConsistency(1, 8, leaf, bytes, proof)).toBe(false);
      expect(verifyConsistency(1, 8, leaf, root, [...proof.slice(0, 2), bytes])).toBe(false);
    }
    expect(verifyInclusion(leaf, 0, 8, 'proof' as unknown as Uint8Array[], root)).toBe(false);
    expect(verifyConsistency(1, 8, leaf, root, null as unknown as Uint8Array[])).toBe(false);
  });
});

/** Distinct leaves: each starts with its index. */
function leavesOf(data: Uint8Array[]): Uint8Array[] {
  return data.map((bytes, i) => leafHash(Uint8Array.from([i >> 8, i & 0xff, ...bytes])));
}

const randomLeaves = (maxLength: number) => fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength }).map(leavesOf);

describe('proofs over random trees', () => {
  it('verify for every leaf and are refused for another leaf, index or an altered byte', () => {
    fc.assert(
      fc.property(randomLeaves(40), fc.nat(), fc.nat(), (leaves, byteSeed, otherSeed) => {
        const root = rootOf(leaves);
        leaves.forEach((leaf, index) => {
          const proof = inclusionProof(leaves, index)!;
          expect(verifyInclusion(leaf, index, leaves.length, proof, root)).toBe(true);

          const otherIndex = (index + 1 + (otherSeed % leaves.length)) % leaves.length;
          if (otherIndex !== index) {
            expect(verifyInclusion(leaf, otherIndex, leaves.length, proof, root)).toBe(false);
            expect(verifyInclusion(leaves[otherIndex]!, index, leaves.length, proof, root)).toBe(false);
          }
          const byte = byteSeed % 32;
          expect(verifyInclusion(flipByte(leaf, byte), index, leaves.length, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, index, leaves.length, proof, flipByte(root, byte))).toBe(false);
          proof.forEach((_, i) => {
            const altered = proof.map((p, j) => (j === i ? flipByte(p, byte) : p));
            expect(verifyInclusion(leaf, index, leaves.length, altered, root)).toBe(false);
          });
          expect(verifyInclusion(leaf, index, leaves.length, [...proof, root], root)).toBe(false);
          if (proof.length > 0) expect(verifyInclusion(leaf, index, leaves.length, proof.slice(1), root)).toBe(false);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('verify against the root of their own tree size only', () => {
    fc.assert(
      fc.property(randomLeaves(40), fc.nat(), fc.nat(), (leaves, indexSeed, sizeSeed) => {
        const index = indexSeed % leaves.length;
        const proof = inclusionProof(leaves, index)!;
        const otherSize = index + 1 + (sizeSeed % (leaves.length - index));
        const verified = verifyInclusion(leaves[index]!, index, otherSize, proof, rootOf(leaves.slice(0, otherSize)));
        expect(verified).toBe(otherSize === leaves.length);
      }),
      { numRuns: 200 },
    );
  });

  it('prove consistency from every older size, and are refused with an altered byte, root or size', () => {
    fc.assert(
      fc.property(randomLeaves(40), fc.nat(), fc.nat(), fc.nat(), (leaves, byteSeed, sizeSeedA, sizeSeedB) => {
        const roots = [rootOf([]), ...leaves.map((_, i) => rootOf(leaves.slice(0, i + 1)))];
        const newSize = leaves.length;
        const byte = byteSeed % 32;
        for (let oldSize = 0; oldSize <= newSize; oldSize++) {
          const proof = consistencyProof(leaves, oldSize)!;
          expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, proof), `${oldSize} to ${newSize}`).toBe(true);
          expect(verifyConsistency(oldSize, newSize, flipByte(roots[oldSize]!, byte), roots[newSize]!, proof)).toBe(false);
          // Any tree extends the empty tree, so from size 0 the new root is not constrained.
          const newRootBound = oldSize > 0 || newSize === 0;
          expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, flipByte(roots[newSize]!, byte), proof)).toBe(!newRootBound);
          proof.forEach((_, i) => {
            const altered = proof.map((p, j) => (j === i ? flipByte(p, byte) : p));
            expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, altered)).toBe(false);
          });
          expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, [...proof, roots[newSize]!])).toBe(false);
          if (proof.length > 0) {
            expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, proof.slice(0, -1))).toBe(false);
            // Other sizes, each with its own true root, do not accept this proof.
            const otherNew = sizeSeedA % (newSize + 1);
            const otherOld = sizeSeedB % (otherNew + 1);
            if (otherOld !== oldSize || otherNew !== newSize) {
              expect(verifyConsistency(otherOld, otherNew, roots[otherOld]!, roots[otherNew]!, proof), `${otherOld} to ${otherNew}`).toBe(false);
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('compute the same root incrementally as recursively', () => {
    fc.assert(
      fc.property(randomLeaves(70), (leaves) => {
        expect(rootOf(leaves)).toEqual(rootByStack(leaves));
      }),
      { numRuns: 100 },
    );
  });
});

describe('a log of a hundred thousand entries', () => {
  it('gets its root and proofs without quadratic work', () => {
    const leaves = Array.from({ length: 100_000 }, (_, i) => leafHash(ascii(`entry ${i}`)));
    const started = performance.now();
    const root = rootOf(leaves);
    for (const index of [0, 1, 49_999, 65_536, 99_999]) {
      expect(verifyInclusion(leaves[index]!, index, leaves.length, inclusionProof(leaves, index)!, root)).toBe(true);
    }
    const oldRoot = rootOf(leaves.slice(0, 70_001));
    expect(verifyConsistency(70_001, leaves.length, oldRoot, root, consistencyProof(leaves, 70_001)!)).toBe(true);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  return bytes.map((b, i) => (i === index % bytes.length ? b ^ 0x01 : b));
}

/** An independent root computation: the compact-range stack used by incremental log writers. */
function rootByStack(leaves: Uint8Array[]): Uint8Array {
  const stack: Array<{ hash: Uint8Array; size: number }> = [];
  for (const leaf of leaves) {
    let entry = { hash: leaf, size: 1 };
    while (stack.length > 0 && stack[stack.length - 1]!.size === entry.size) {
      const left = stack.pop()!;
      entry = { hash: nodeHash(left.hash, entry.hash), size: left.size * 2 };
    }
    stack.push(entry);
  }
  let root = stack.pop()!.hash;
  while (stack.length > 0) root = nodeHash(stack.pop()!.hash, root);
  return root;
}
