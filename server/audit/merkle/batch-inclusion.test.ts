// One streamed pass gives the same inclusion proofs and root as the full
// tree (RFC 9162), for every tree size up to 70 and every leaf, and each
// proof verifies with the RFC's own algorithm.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BatchInclusionProver, inclusionPathRanges } from "./batch-inclusion";
import { MerkleTree, leafHash, verifyInclusion } from "./merkle";

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(createHash("sha256").update(`row ${i}`).digest()));

describe("BatchInclusionProver", () => {
  it("matches MerkleTree's proofs and root for every size up to 70 and every leaf", () => {
    for (let size = 1; size <= 70; size += 1) {
      const hashes = leaves(size);
      const tree = new MerkleTree(hashes);
      const every = Array.from({ length: size }, (_, i) => i);
      const prover = new BatchInclusionProver(size, every);
      for (const hash of hashes) prover.append(hash);
      const { root, proofs } = prover.finish();
      expect(root.equals(tree.root())).toBe(true);
      for (const index of every) {
        const got = proofs.get(index);
        expect(got?.leaf.equals(hashes[index] as Buffer)).toBe(true);
        expect(got?.proof.map((h) => h.toString("hex"))).toEqual(tree.inclusionProof(index).map((h) => h.toString("hex")));
        expect(verifyInclusion(hashes[index] as Buffer, index, size, got?.proof ?? [], root)).toBe(true);
      }
    }
  });

  it("proves a few leaves of a large tree without holding it, and the root of an empty request", () => {
    const size = 10_007;
    const hashes = leaves(size);
    const prover = new BatchInclusionProver(size, [0, 4_095, 4_096, 10_006]);
    for (const hash of hashes) prover.append(hash);
    const { root, proofs } = prover.finish();
    const tree = new MerkleTree(hashes);
    expect(root.equals(tree.root())).toBe(true);
    expect([...proofs.keys()].sort((a, b) => a - b)).toEqual([0, 4_095, 4_096, 10_006]);
    for (const [index, { proof }] of proofs) expect(verifyInclusion(hashes[index] as Buffer, index, size, proof, root)).toBe(true);

    const none = new BatchInclusionProver(3, []);
    for (const hash of leaves(3)) none.append(hash);
    expect(none.finish().proofs.size).toBe(0);
  });

  it("refuses a stream of the wrong length and indexes outside the tree", () => {
    const prover = new BatchInclusionProver(4, [1]);
    for (const hash of leaves(3)) prover.append(hash);
    expect(() => prover.finish()).toThrow(/3 leaves were streamed for a tree of 4/);
    expect(() => new BatchInclusionProver(4, [4])).toThrow(/not in a tree of 4/);
    expect(() => inclusionPathRanges(-1, 4)).toThrow(RangeError);
    const full = new BatchInclusionProver(1, [0]);
    full.append(leaves(1)[0] as Buffer);
    expect(() => full.append(leaves(1)[0] as Buffer)).toThrow(/only 1 leaves/);
  });
});
