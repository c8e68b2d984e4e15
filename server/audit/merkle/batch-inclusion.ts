// Inclusion proofs for many leaves of one tree from ONE streamed pass over its
// leaf hashes (a disclosure receipt proves every row of a machine against one
// checkpoint): O(n) hashing, O(k·log n + log n) memory for k proofs, however
// large the log. MerkleTree (./merkle.ts) would hold every subtree hash
// (~2 Buffers a leaf); re-reading the leaves for each proof would cost O(k·n).
//
// Why one pass is enough: in RFC 9162 §2.1.3.1 the audit path of leaf m in a
// tree of n leaves is a list of MTH(D[a:b]) where [a, b) is either a complete,
// aligned subtree (b − a a power of two, a a multiple of it) — whose hash is
// known the moment its last leaf is appended — or a range ending at n on the
// tree's right spine, whose start is a boundary of n's binary decomposition —
// whose hash folds the final frontier from that boundary on. So: list the
// ranges each proof needs, note each complete subtree's hash as the stream
// completes it, and fold the right-spine ranges at the end.
//
// No "server-only": pure, like merkle.ts.
import { HASH_BYTES, emptyRoot, largestPowerOfTwoBelow, nodeHash, type Hash } from "./merkle";

/** The ranges [start, end) whose hashes make up leaf `index`'s audit path in a tree of `size`, in path order. */
export function inclusionPathRanges(index: number, size: number): Array<[number, number]> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  }
  const ranges: Array<[number, number]> = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      walk(m, start, start + k);
      ranges.push([start + k, end]);
    } else {
      walk(m - k, start + k, end);
      ranges.push([start, start + k]);
    }
  };
  walk(index, 0, size);
  return ranges;
}

type Entry = { height: number; start: number; hash: Hash };

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;
/** A complete subtree's key: its start and height in one number (heights < 64, starts < 2^47). */
const subtreeKey = (start: number, height: number) => start * 64 + height;

/**
 * Streams a tree's leaf hashes (in index order) and returns, at `finish()`,
 * the tree's root and the inclusion proof of each requested leaf index, and
 * each requested leaf's hash as streamed (so the caller can check it is the
 * row it expects).
 */
export class BatchInclusionProver {
  /** complete, aligned subtrees some proof needs, filled as the stream completes them */
  private readonly subtrees = new Map<number, Hash | null>();
  private readonly wanted = new Map<number, Array<[number, number]>>();
  private readonly leaves = new Map<number, Hash>();
  private readonly stack: Entry[] = [];
  private count = 0;

  constructor(
    readonly size: number,
    indexes: Iterable<number>,
  ) {
    if (!Number.isSafeInteger(size) || size < 0 || size >= 2 ** 47) throw new RangeError(`a tree size is a whole number in [0, 2^47), got ${size}`);
    for (const index of indexes) {
      const ranges = inclusionPathRanges(index, size);
      this.wanted.set(index, ranges);
      for (const [start, end] of ranges) {
        const width = end - start;
        if (isPowerOfTwo(width) && start % width === 0) this.subtrees.set(subtreeKey(start, Math.log2(width)), null);
      }
    }
  }

  get appended(): number {
    return this.count;
  }

  append(leaf: Hash): void {
    if (leaf.length !== HASH_BYTES) throw new TypeError(`a leaf hash has ${HASH_BYTES} bytes`);
    if (this.count >= this.size) throw new RangeError(`the tree has only ${this.size} leaves`);
    const index = this.count;
    if (this.wanted.has(index)) this.leaves.set(index, leaf);
    let entry: Entry = { height: 0, start: index, hash: leaf };
    this.note(entry);
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top || top.height !== entry.height) break;
      this.stack.pop();
      entry = { height: entry.height + 1, start: top.start, hash: nodeHash(top.hash, entry.hash) };
      this.note(entry);
    }
    this.stack.push(entry);
    this.count += 1;
  }

  /** The root and every requested proof; throws unless exactly `size` leaves were appended. */
  finish(): { root: Hash; proofs: Map<number, { leaf: Hash; proof: Hash[] }> } {
    if (this.count !== this.size) throw new RangeError(`${this.count} leaves were streamed for a tree of ${this.size}`);
    const spine = new Map<number, Hash>();
    const hashOf = (start: number, end: number): Hash => {
      const width = end - start;
      if (isPowerOfTwo(width) && start % width === 0) {
        const hash = this.subtrees.get(subtreeKey(start, Math.log2(width)));
        if (!hash) throw new Error(`unreachable: no hash for [${start}, ${end})`);
        return hash;
      }
      if (end !== this.size) throw new Error(`unreachable: [${start}, ${end}) is neither a complete subtree nor on the right spine`);
      let hash = spine.get(start);
      if (!hash) spine.set(start, (hash = this.foldFrom(start)));
      return hash;
    };
    const proofs = new Map<number, { leaf: Hash; proof: Hash[] }>();
    for (const [index, ranges] of this.wanted) {
      proofs.set(index, { leaf: this.leaves.get(index) as Hash, proof: ranges.map(([start, end]) => hashOf(start, end)) });
    }
    return { root: this.size === 0 ? emptyRoot() : this.foldFrom(0), proofs };
  }

  private note(entry: Entry): void {
    const key = subtreeKey(entry.start, entry.height);
    if (this.subtrees.has(key)) this.subtrees.set(key, entry.hash);
  }

  /** MTH(D[start:size]) for a boundary `start` of the final frontier: its subtrees from `start` on, folded right to left. */
  private foldFrom(start: number): Hash {
    const from = this.stack.findIndex((entry) => entry.start === start);
    if (from < 0) throw new Error(`unreachable: ${start} is not a frontier boundary of a tree of ${this.size}`);
    let hash = (this.stack[this.stack.length - 1] as Entry).hash;
    for (let i = this.stack.length - 2; i >= from; i -= 1) hash = nodeHash((this.stack[i] as Entry).hash, hash);
    return hash;
  }
}
