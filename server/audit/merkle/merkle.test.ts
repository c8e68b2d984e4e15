// The Merkle tree against RFC 6962/9162 known answers (the test vectors of
// Certificate Transparency's reference implementation) and against a naive
// recursive MTH written here from the RFC's definition; then properties:
// every inclusion and consistency proof verifies, and any change to a proof,
// leaf, index, size or root makes it fail.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MerkleTree,
  StreamingRoot,
  auditLeafHash,
  emptyRoot,
  leafHash,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from "./merkle";

const sha = (...parts: Uint8Array[]) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** RFC 9162 §2.1.1 written out naively: no shared code with merkle.ts. */
function referenceMth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(Buffer.of(0), leaves[0] as Buffer);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.of(1), referenceMth(leaves.slice(0, k)), referenceMth(leaves.slice(k)));
}

// Certificate Transparency's test leaves and the roots of their prefixes.
const CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map((hex) => Buffer.from(hex, "hex"));
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const leavesOf = (count: number, seed = 0): Hash[] => Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`leaf ${seed}:${i}`)));
const flipBit = (hash: Uint8Array, bit = 0): Buffer => {
  const copy = Buffer.from(hash);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
};

describe("RFC 9162 hashing", () => {
  it("separates leaves from nodes and hashes the empty tree as SHA-256 of nothing", () => {
    expect(emptyRoot().toString("hex")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(leafHash(Buffer.alloc(0)).toString("hex")).toBe(CT_ROOTS[0]);
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    expect(nodeHash(a, b)).toEqual(sha(Buffer.of(1), a, b));
    expect(leafHash(Buffer.concat([a, b]))).not.toEqual(nodeHash(a, b));
  });

  it("gives Certificate Transparency's roots for every prefix of its test leaves", () => {
    const tree = new MerkleTree(CT_LEAVES.map((leaf) => leafHash(leaf)));
    const streaming = new StreamingRoot();
    CT_LEAVES.forEach((leaf, i) => {
      streaming.append(leafHash(leaf));
      expect(tree.root(i + 1).toString("hex")).toBe(CT_ROOTS[i]);
      expect(streaming.root().toString("hex")).toBe(CT_ROOTS[i]);
      expect(referenceMth(CT_LEAVES.slice(0, i + 1)).toString("hex")).toBe(CT_ROOTS[i]);
    });
  });

  it("gives Certificate Transparency's inclusion and consistency proofs", () => {
    const tree = new MerkleTree(CT_LEAVES.map((leaf) => leafHash(leaf)));
    const hex = (proof: Hash[]) => proof.map((h) => h.toString("hex"));
    expect(hex(tree.inclusionProof(0, 8))).toEqual([
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]);
    expect(hex(tree.inclusionProof(5, 8))).toEqual([
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]);
    expect(hex(tree.consistencyProof(1, 8))).toEqual([
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]);
    expect(hex(tree.consistencyProof(6, 8))).toEqual([
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]);
    expect(hex(tree.consistencyProof(2, 5))).toEqual([
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]);
  });

  it("takes an audit row's chain hash, hex-decoded, as the leaf data", () => {
    const rowHash = "ab".repeat(32);
    expect(auditLeafHash(rowHash)).toEqual(sha(Buffer.of(0), Buffer.from(rowHash, "hex")));
    expect(() => auditLeafHash("AB".repeat(32))).toThrow(/hex/);
    expect(() => auditLeafHash("ab")).toThrow(/hex/);
  });
});

describe("proofs, for every tree shape", () => {
  const sizes = fc.integer({ min: 1, max: 300 });

  it("roots agree with the naive definition and the streaming fold", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), (n) => {
        const leaves = Array.from({ length: n }, (_, i) => Buffer.from(`row ${i}`));
        const tree = new MerkleTree(leaves.map((leaf) => leafHash(leaf)));
        const streaming = new StreamingRoot();
        for (const leaf of leaves) streaming.append(leafHash(leaf));
        const expected = referenceMth(leaves);
        expect(tree.root()).toEqual(expected);
        expect(streaming.root()).toEqual(expected);
      }),
    );
  });

  it("every inclusion proof verifies, and a changed leaf, index, size, root or proof does not", () => {
    fc.assert(
      fc.property(
        sizes.chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: size, max: size + 40 }), fc.nat(255))),
        ([size, index, grown, bit]) => {
          const tree = new MerkleTree(leavesOf(grown));
          const root = tree.root(size);
          const proof = tree.inclusionProof(index, size);
          const leaf = tree.leaf(index);
          expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
          expect(verifyInclusion(flipBit(leaf, bit), index, size, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, index, size, proof, flipBit(root, bit))).toBe(false);
          if (size > 1) expect(verifyInclusion(leaf, (index + 1) % size, size, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, size, size, proof, root)).toBe(false);
          proof.forEach((_, i) => {
            const tampered = proof.map((p, j) => (j === i ? flipBit(p, bit) : p));
            expect(verifyInclusion(leaf, index, size, tampered, root)).toBe(false);
          });
          if (proof.length > 0) {
            expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
          }
          expect(verifyInclusion(leaf, index, size, [...proof, root], root)).toBe(false);
          // the same leaf in the grown tree proves against the grown root only
          expect(verifyInclusion(leaf, index, grown, tree.inclusionProof(index, grown), tree.root(grown))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("every consistency proof between sizes m ≤ n verifies, and a changed root, size or proof does not", () => {
    fc.assert(
      fc.property(
        sizes.chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n), fc.nat(255))),
        ([m, n, bit]) => {
          const tree = new MerkleTree(leavesOf(n));
          const [oldRoot, newRoot] = [tree.root(m), tree.root(n)];
          const proof = tree.consistencyProof(m, n);
          expect(verifyConsistency(m, n, proof, oldRoot, newRoot)).toBe(true);
          if (m > 0) {
            expect(verifyConsistency(m, n, proof, flipBit(oldRoot, bit), newRoot)).toBe(false);
            expect(verifyConsistency(m, n, proof, oldRoot, flipBit(newRoot, bit))).toBe(false);
          }
          if (m > 0 && m < n) {
            proof.forEach((_, i) => {
              const tampered = proof.map((p, j) => (j === i ? flipBit(p, bit) : p));
              expect(verifyConsistency(m, n, tampered, oldRoot, newRoot)).toBe(false);
            });
            expect(verifyConsistency(m, n, proof.slice(0, -1), oldRoot, newRoot)).toBe(false);
            expect(verifyConsistency(m, n, [...proof, newRoot], oldRoot, newRoot)).toBe(false);
            // a forked history: the same sizes, one leaf of the old part changed
            const forked = new MerkleTree(leavesOf(n).map((leaf, i) => (i === m - 1 ? flipBit(leaf) : leaf)));
            expect(verifyConsistency(m, n, forked.consistencyProof(m, n), oldRoot, forked.root(n))).toBe(false);
            expect(verifyConsistency(m, n, proof, oldRoot, forked.root(n))).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses impossible sizes instead of answering", () => {
    const tree = new MerkleTree(leavesOf(5));
    expect(() => tree.inclusionProof(5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(6, 5)).toThrow(RangeError);
    expect(() => tree.root(6)).toThrow(RangeError);
    expect(verifyConsistency(3, 2, [], tree.root(3), tree.root(2))).toBe(false);
    expect(verifyInclusion(tree.leaf(0), -1, 5, tree.inclusionProof(0), tree.root())).toBe(false);
    expect(verifyInclusion(tree.leaf(0), 0, 5, tree.inclusionProof(0).map((p) => p.subarray(1)), tree.root())).toBe(false);
  });
});

describe("the streaming root's frontier", () => {
  it("resumes exactly where it stopped, for every size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 40 }), (first, more) => {
        const leaves = leavesOf(first + more, 7);
        const streaming = new StreamingRoot();
        leaves.slice(0, first).forEach((leaf) => streaming.append(leaf));
        const resumed = StreamingRoot.fromFrontier(first, streaming.frontier());
        leaves.slice(first).forEach((leaf) => resumed.append(leaf));
        expect(resumed.size).toBe(first + more);
        expect(resumed.root()).toEqual(new MerkleTree(leaves).root());
      }),
    );
    expect(() => StreamingRoot.fromFrontier(3, [leafHash(Buffer.of(1))])).toThrow(RangeError);
  });
});
