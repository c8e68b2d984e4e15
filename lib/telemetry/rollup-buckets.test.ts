// The rollups' latency and persistence buckets (lib/telemetry/rollup-buckets.ts):
// bounded in number and width, "fully persisted" kept exact, and the estimate
// from bucket counts always within the bucket of the exact percentile's order statistic.
import { describe, expect, it } from "vitest";
import {
  FULLY_PERSISTED,
  LATENCY_RELATIVE_ERROR,
  LATENCY_THRESHOLDS,
  PERSISTENCE_THRESHOLDS,
  latencyBucketOf,
  latencyBucketRange,
  persistenceBucketOf,
  persistenceBucketRange,
  quantileFromBuckets,
} from "./rollup-buckets";

describe("latency buckets", () => {
  it("are at most 120 (and one for negatives), exact below 20 ms, at most 11 % wide up to 10 min", () => {
    expect(LATENCY_THRESHOLDS.length + 1).toBeLessThanOrEqual(120);
    for (let ms = 0; ms < 20; ms++) expect(latencyBucketRange(latencyBucketOf(ms))).toEqual({ lo: ms, hi: ms });
    expect(LATENCY_RELATIVE_ERROR).toBeLessThan(0.115);
    for (const ms of [20, 99, 260, 899, 12_345, 599_999]) {
      const range = latencyBucketRange(latencyBucketOf(ms))!;
      expect(ms).toBeGreaterThanOrEqual(range.lo);
      expect(ms).toBeLessThanOrEqual(range.hi);
      expect((range.hi - range.lo) / range.lo).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR);
    }
    expect(latencyBucketRange(latencyBucketOf(600_000))).toBeNull();
    expect(latencyBucketOf(-1)).toBe(-1);
  });
});

describe("persistence buckets", () => {
  it("keep ≥ 0.999 in a bucket of its own and everything outside [0, 1] out of range", () => {
    expect(persistenceBucketOf(FULLY_PERSISTED)).toBe(PERSISTENCE_THRESHOLDS.length);
    expect(persistenceBucketOf(1)).toBe(PERSISTENCE_THRESHOLDS.length);
    expect(persistenceBucketOf(0.99899)).toBe(PERSISTENCE_THRESHOLDS.length - 1);
    expect(persistenceBucketOf(0)).toBe(0);
    for (const ratio of [-0.1, 1.0001, Number.NaN]) expect(persistenceBucketOf(ratio)).toBe(-1);
    expect(persistenceBucketRange(persistenceBucketOf(0.555))).toEqual({ lo: 0.55, hi: 0.56 });
  });
});

describe("quantileFromBuckets", () => {
  it("lies in the bucket of percentile_cont's lower order statistic, on random data", () => {
    let state = 7;
    const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const values = Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.round(Math.exp(3 + random() * 6)));
      const counts = new Map<number, number>();
      for (const value of values) counts.set(latencyBucketOf(value), (counts.get(latencyBucketOf(value)) ?? 0) + 1);
      const sorted = [...values].sort((a, b) => a - b);
      for (const p of [0.5, 0.95]) {
        const estimate = quantileFromBuckets([...counts].map(([index, count]) => ({ index, count })), p, latencyBucketRange)!;
        const range = latencyBucketRange(latencyBucketOf(sorted[Math.floor(p * (sorted.length - 1))]!))!;
        expect(estimate).toBeGreaterThanOrEqual(range.lo);
        expect(estimate).toBeLessThanOrEqual(range.hi);
      }
    }
  });

  it("gives up (null) when the percentile lands in an unbounded bucket, and on no data", () => {
    expect(quantileFromBuckets([{ index: latencyBucketOf(700_000), count: 3 }], 0.5, latencyBucketRange)).toBeNull();
    expect(quantileFromBuckets([{ index: -1, count: 1 }, { index: latencyBucketOf(100), count: 9 }], 0.5, latencyBucketRange)).not.toBeNull();
    expect(quantileFromBuckets([], 0.5, latencyBucketRange)).toBeNull();
  });
});
