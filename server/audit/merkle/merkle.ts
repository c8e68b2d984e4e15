// The audit log's Merkle tree, as RFC 9162 (Certificate Transparency v2)
// §2.1 defines it. Pure functions over 32-byte SHA-256 hashes: no database,
// no clock, so the job that signs checkpoints, `npm run audit:verify` and an
// auditor's own tool compute the same bytes.
//
//   leaf hash  = SHA-256(0x00 || leaf data)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
//
// The leaf data of an audit row is its chain hash, hex-decoded (32 bytes):
// that hash already covers the row's canonical content and its predecessor
// (server/audit/canonical.ts), so a leaf commits to the whole row.
//
// Inclusion proofs (§2.1.3) and consistency proofs (§2.1.4) are generated
// from a `MerkleTree` (every complete subtree's hash kept, so a proof costs
// O(log² n) hashes, not O(n)) and verified by the RFC's own algorithms.
//
// No "server-only": operator scripts and the offline bundle check run it.
import { createHash } from "node:crypto";

export const HASH_BYTES = 32;

export type Hash = Buffer;

export function leafHash(leafData: Uint8Array): Hash {
  return createHash("sha256").update(Buffer.of(0x00)).update(leafData).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash("sha256").update(Buffer.of(0x01)).update(left).update(right).digest();
}

/** MTH of the empty tree. */
export function emptyRoot(): Hash {
  return createHash("sha256").digest();
}

/** The leaf hash of an audit row, from its chain hash (64 lower-case hex digits). */
export function auditLeafHash(rowHashHex: string): Hash {
  if (!/^[0-9a-f]{64}$/.test(rowHashHex)) throw new TypeError("an audit row hash is 64 lower-case hex digits");
  return leafHash(Buffer.from(rowHashHex, "hex"));
}

/** The largest power of two strictly less than n (n ≥ 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function assertSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${value}`);
}

/**
 * A Merkle tree over leaf hashes, keeping the hash of every complete,
 * aligned subtree (level j, index i covers leaves [i·2^j, (i+1)·2^j)).
 * Memory: about two hashes per leaf.
 */
export class MerkleTree {
  private readonly levels: Hash[][] = [[]];

  constructor(leafHashes: Iterable<Hash> = []) {
    for (const leaf of leafHashes) this.append(leaf);
  }

  get size(): number {
    return this.levels[0]?.length ?? 0;
  }

  /** Appends one leaf hash (already hashed with leafHash). */
  append(leaf: Hash): void {
    if (leaf.length !== HASH_BYTES) throw new TypeError(`a leaf hash has ${HASH_BYTES} bytes`);
    let level = 0;
    let hash = leaf;
    for (;;) {
      const row = (this.levels[level] ??= []);
      row.push(hash);
      if (row.length % 2 === 1) return;
      hash = nodeHash(row[row.length - 2] as Hash, hash);
      level += 1;
    }
  }

  leaf(index: number): Hash {
    const leaf = this.levels[0]?.[index];
    if (!leaf) throw new RangeError(`no leaf ${index} in a tree of ${this.size}`);
    return leaf;
  }

  /** MTH(D[0:size]) — the root of the tree's first `size` leaves (default: all). */
  root(size = this.size): Hash {
    this.assertWithin(size, "size");
    return size === 0 ? emptyRoot() : this.rangeHash(0, size);
  }

  /** RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of the first `size` leaves. */
  inclusionProof(index: number, size = this.size): Hash[] {
    this.assertWithin(size, "size");
    assertSize(index, "the leaf index");
    if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
    const path: Hash[] = [];
    const walk = (m: number, start: number, end: number): void => {
      const n = end - start;
      if (n === 1) return;
      const k = largestPowerOfTwoBelow(n);
      if (m < k) {
        walk(m, start, start + k);
        path.push(this.rangeHash(start + k, end));
      } else {
        walk(m - k, start + k, end);
        path.push(this.rangeHash(start, start + k));
      }
    };
    walk(index, 0, size);
    return path;
  }

  /** RFC 9162 §2.1.4.1: the proof that the tree of `oldSize` leaves is a prefix of the tree of `newSize`. */
  consistencyProof(oldSize: number, newSize = this.size): Hash[] {
    this.assertWithin(newSize, "the new size");
    assertSize(oldSize, "the old size");
    if (oldSize > newSize) throw new RangeError(`the old size ${oldSize} is larger than the new size ${newSize}`);
    if (oldSize === 0 || oldSize === newSize) return [];
    const proof: Hash[] = [];
    const subproof = (m: number, start: number, end: number, isWholeOldTree: boolean): void => {
      const n = end - start;
      if (m === n) {
        if (!isWholeOldTree) proof.push(this.rangeHash(start, end));
        return;
      }
      const k = largestPowerOfTwoBelow(n);
      if (m <= k) {
        subproof(m, start, start + k, isWholeOldTree);
        proof.push(this.rangeHash(start + k, end));
      } else {
        subproof(m - k, start + k, end, false);
        proof.push(this.rangeHash(start, start + k));
      }
    };
    subproof(oldSize, 0, newSize, true);
    return proof;
  }

  /** The roots of the complete subtrees that make up the first `size` leaves, largest first (StreamingRoot's frontier). */
  frontier(size = this.size): Hash[] {
    this.assertWithin(size, "size");
    const hashes: Hash[] = [];
    let start = 0;
    for (let bit = 52; bit >= 0; bit -= 1) {
      const width = 2 ** bit;
      if (Math.floor(size / width) % 2 === 1) {
        hashes.push(this.rangeHash(start, start + width));
        start += width;
      }
    }
    return hashes;
  }

  /** MTH(D[start:end]) for a range the RFC recursion produces (start aligned to the left subtree). */
  private rangeHash(start: number, end: number): Hash {
    const n = end - start;
    if ((n & (n - 1)) === 0 && start % n === 0) {
      const level = Math.log2(n);
      const hash = this.levels[level]?.[start / n];
      if (hash) return hash;
    }
    if (n === 1) return this.leaf(start);
    const k = largestPowerOfTwoBelow(n);
    return nodeHash(this.rangeHash(start, start + k), this.rangeHash(start + k, end));
  }

  private assertWithin(size: number, what: string): void {
    assertSize(size, what);
    if (size > this.size) throw new RangeError(`${what} ${size} is beyond the tree's ${this.size} leaves`);
  }
}

/**
 * The root of a log of leaf hashes, streamed: `rootAt` gives MTH(D[0:n]) for
 * the leaves appended so far in O(log n) memory (the roots of the complete
 * subtrees that make up n, folded right to left — the RFC's tree shape).
 */
export class StreamingRoot {
  /** stack of [height, hash], heights strictly decreasing */
  private readonly stack: Array<[number, Hash]> = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Resumes from a stored frontier: the roots of the complete subtrees that
   * make up `size` (one per set bit, largest first), as `frontier()` gave them.
   */
  static fromFrontier(size: number, frontier: readonly Hash[]): StreamingRoot {
    assertSize(size, "the tree size");
    const heights: number[] = [];
    for (let bit = 52; bit >= 0; bit -= 1) if (Math.floor(size / 2 ** bit) % 2 === 1) heights.push(bit);
    if (heights.length !== frontier.length || frontier.some((hash) => hash.length !== HASH_BYTES)) {
      throw new RangeError(`a frontier of a tree of ${size} has ${heights.length} hashes of ${HASH_BYTES} bytes`);
    }
    const resumed = new StreamingRoot();
    heights.forEach((height, i) => resumed.stack.push([height, frontier[i] as Hash]));
    resumed.count = size;
    return resumed;
  }

  frontier(): Hash[] {
    return this.stack.map(([, hash]) => hash);
  }

  append(leaf: Hash): void {
    let entry: [number, Hash] = [0, leaf];
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top || top[0] !== entry[0]) break;
      this.stack.pop();
      entry = [entry[0] + 1, nodeHash(top[1], entry[1])];
    }
    this.stack.push(entry);
    this.count += 1;
  }

  root(): Hash {
    if (this.stack.length === 0) return emptyRoot();
    let root = (this.stack[this.stack.length - 1] as [number, Hash])[1];
    for (let i = this.stack.length - 2; i >= 0; i -= 1) root = nodeHash((this.stack[i] as [number, Hash])[1], root);
    return root;
  }
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: does `proof` show leaf `leaf` at `index` in the tree of `size` leaves with root `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (leaf.length !== HASH_BYTES || root.length !== HASH_BYTES || proof.some((p) => p.length !== HASH_BYTES)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(Buffer.from(root));
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (oldSize, oldRoot) to be a prefix of (newSize, newRoot)? */
export function verifyConsistency(oldSize: number, newSize: number, proof: readonly Uint8Array[], oldRoot: Uint8Array, newRoot: Uint8Array): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  if (oldRoot.length !== HASH_BYTES || newRoot.length !== HASH_BYTES || proof.some((p) => p.length !== HASH_BYTES)) return false;
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  // Every tree extends the empty one; a tree is consistent with itself alone.
  if (oldSize === 0) return proof.length === 0 && same(oldRoot, emptyRoot());
  if (oldSize === newSize) return proof.length === 0 && same(oldRoot, newRoot);
  if (proof.length === 0) return false;
  const path: Uint8Array[] = (oldSize & (oldSize - 1)) === 0 ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(fr, oldRoot) && same(sr, newRoot);
}
