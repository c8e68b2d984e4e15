// A small, fast, seedable PRNG for the demo data generator: xoshiro128**
// (Blackman & Vigna) seeded through splitmix32, written from the published
// algorithm. 128 bits of state, so a 1M-event run (tens of millions of draws)
// stays far from the period, and the same seed always yields the same data.

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** cached second Box–Muller variate */
  private spareNormal: number | undefined;

  constructor(seed: number) {
    const init = splitmix32(seed);
    this.a = init();
    this.b = init();
    this.c = init();
    this.d = init();
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max] (inclusive). */
  range(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick() from an empty list");
    return item;
  }

  /** A standard normal variate (Box–Muller, both halves used). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string {
    let out = "";
    for (let i = 0; i < bytes; i += 4) {
      const word = this.u32();
      out += HEX[word >>> 24]! + HEX[(word >>> 16) & 0xff]! + HEX[(word >>> 8) & 0xff]! + HEX[word & 0xff]!;
    }
    return bytes % 4 === 0 ? out : out.slice(0, bytes * 2);
  }

  /** A random (version 4, RFC 9562 variant) UUID drawn from this generator. */
  uuid(): string {
    const w0 = this.u32();
    const w1 = this.u32();
    const w2 = this.u32();
    const w3 = this.u32();
    return (
      HEX[w0 >>> 24]! +
      HEX[(w0 >>> 16) & 0xff]! +
      HEX[(w0 >>> 8) & 0xff]! +
      HEX[w0 & 0xff]! +
      "-" +
      HEX[w1 >>> 24]! +
      HEX[(w1 >>> 16) & 0xff]! +
      "-" +
      HEX[0x40 | ((w1 >>> 8) & 0x0f)]! +
      HEX[w1 & 0xff]! +
      "-" +
      HEX[0x80 | ((w2 >>> 24) & 0x3f)]! +
      HEX[(w2 >>> 16) & 0xff]! +
      "-" +
      HEX[(w2 >>> 8) & 0xff]! +
      HEX[w2 & 0xff]! +
      HEX[w3 >>> 24]! +
      HEX[(w3 >>> 16) & 0xff]! +
      HEX[(w3 >>> 8) & 0xff]! +
      HEX[w3 & 0xff]!
    );
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Weighted choice with precomputed cumulative weights: build once, draw in
 * O(log n).
 */
export class WeightedTable<T> {
  private readonly items: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    if (entries.length === 0) throw new Error("WeightedTable needs at least one entry");
    this.items = entries.map(([item]) => item);
    this.cumulative = [];
    let sum = 0;
    for (const [, weight] of entries) {
      sum += weight;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  draw(random: Random): T {
    const target = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}
