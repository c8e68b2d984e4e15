// The buckets of the measured rollup dimensions (docs/ARCHITECTURE.md,
// "Rollups"): latency and persistence percentiles from per-hour bucket counts
// instead of percentile_cont over telemetry_event.
//
//   latencyBucket      latency_ms → a bucket index: exact below 20 ms (one
//                      bucket per millisecond), then 22 per decade (≈ 11 %
//                      wide) up to 10 min, one overflow bucket beyond; -1 for
//                      a negative latency (out of range).
//   persistenceBucket  "<check sec>:<index>" of persistence_ratio: 0.01 wide
//                      from 0 to 0.99, [0.99, 0.999), and [0.999, 1] (so
//                      "fully persisted", ≥ 0.999, stays exact); -1 outside [0, 1].
//   persistenceSum     "<check sec>": its events column holds the sum of
//                      1 + round(ratio × 10⁶) (0 for an out-of-range ratio),
//                      always > 0, so the mean ratio (to 10⁻⁶) is exact.
//
// The SQL functions telemetry_latency_bucket, telemetry_persistence_bucket and
// telemetry_persistence_weight (migration 20261204010000) hold the same
// thresholds; rollups.integration.test.ts fails when the two disagree.

/** Upper bound of the overflow-free range: latencies from here on share one bucket. */
export const LATENCY_OVERFLOW_MS = 600_000;
const LATENCY_EXACT_BELOW_MS = 20;
const LATENCY_STEPS_PER_DECADE = 22;

/** width_bucket thresholds: bucket i holds [T[i-1], T[i]) (T[-1] = 0), the last one [600000, ∞). */
export const LATENCY_THRESHOLDS: readonly number[] = (() => {
  const thresholds: number[] = [];
  for (let ms = 1; ms < LATENCY_EXACT_BELOW_MS; ms++) thresholds.push(ms);
  for (let step = 0; ; step++) {
    const ms = Math.round(LATENCY_EXACT_BELOW_MS * 10 ** (step / LATENCY_STEPS_PER_DECADE));
    if (ms >= LATENCY_OVERFLOW_MS) break;
    thresholds.push(ms);
  }
  thresholds.push(LATENCY_OVERFLOW_MS);
  return thresholds;
})();

/** As SQL's width_bucket over ascending thresholds: how many of them are ≤ value. */
function thresholdIndex(thresholds: readonly number[], value: number): number {
  let index = 0;
  while (index < thresholds.length && thresholds[index]! <= value) index++;
  return index;
}

/** The bucket index of a latency, as telemetry_latency_bucket() computes it. */
export function latencyBucketOf(ms: number): number {
  return ms < 0 ? -1 : thresholdIndex(LATENCY_THRESHOLDS, ms);
}

/** The integer latencies a bucket holds, [lo, hi]; null for the out-of-range and overflow buckets (no upper bound). */
export function latencyBucketRange(index: number): { lo: number; hi: number } | null {
  if (index < 0 || index >= LATENCY_THRESHOLDS.length) return null;
  const lo = index === 0 ? 0 : LATENCY_THRESHOLDS[index - 1]!;
  return { lo, hi: LATENCY_THRESHOLDS[index]! - 1 };
}

/** The widest bucket's width relative to its lower bound: how far an estimate can be from the exact percentile. */
export const LATENCY_RELATIVE_ERROR = Math.max(
  ...LATENCY_THRESHOLDS.map((_, index) => latencyBucketRange(index))
    .filter((range): range is { lo: number; hi: number } => range !== null && range.lo >= LATENCY_EXACT_BELOW_MS)
    .map((range) => (range.hi - range.lo) / range.lo),
);

/** width_bucket thresholds of a ratio in [0, 1]: [0, 0.01), …, [0.98, 0.99), [0.99, 0.999), [0.999, 1]. */
export const PERSISTENCE_THRESHOLDS: readonly number[] = [...Array.from({ length: 99 }, (_, i) => (i + 1) / 100), 0.999];
export const FULLY_PERSISTED = 0.999;
/** The widest ratio bucket: the most the median estimate can be off. */
export const PERSISTENCE_MEDIAN_ERROR = 0.01;
/** persistenceSum holds 1 + round(ratio × this) per event. */
export const PERSISTENCE_SUM_SCALE = 1_000_000;

export function persistenceBucketOf(ratio: number): number {
  return ratio >= 0 && ratio <= 1 ? thresholdIndex(PERSISTENCE_THRESHOLDS, ratio) : -1;
}

export function persistenceBucketRange(index: number): { lo: number; hi: number } | null {
  if (index < 0 || index > PERSISTENCE_THRESHOLDS.length) return null;
  return { lo: index === 0 ? 0 : PERSISTENCE_THRESHOLDS[index - 1]!, hi: index === PERSISTENCE_THRESHOLDS.length ? 1 : PERSISTENCE_THRESHOLDS[index]! };
}

/**
 * The p-quantile (as percentile_cont: rank p × (n − 1)) estimated from bucket
 * counts: the bucket holding the order statistic at floor(rank), and inside
 * it the value at the rank's place, the bucket's values assumed evenly spread
 * over [lo, hi]. Null when that bucket has no bounds (out of range, overflow):
 * the caller answers from the events then.
 */
export function quantileFromBuckets(
  counts: ReadonlyArray<{ index: number; count: number }>,
  p: number,
  range: (index: number) => { lo: number; hi: number } | null,
): number | null {
  const sorted = [...counts].filter((entry) => entry.count > 0).sort((a, b) => a.index - b.index);
  const n = sorted.reduce((sum, entry) => sum + entry.count, 0);
  if (n === 0) return null;
  const rank = p * (n - 1);
  const target = Math.floor(rank);
  let before = 0;
  for (const entry of sorted) {
    if (target < before + entry.count) {
      const bounds = range(entry.index);
      if (!bounds) return null;
      const position = Math.min(1, (rank - before + 0.5) / entry.count);
      return bounds.lo + (bounds.hi - bounds.lo) * position;
    }
    before += entry.count;
  }
  return null;
}
