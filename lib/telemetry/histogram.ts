// The explorer's histogram over the whole time range (GET
// /api/v1/events/histogram, components/events/histogram.tsx): events per time
// bucket, stacked by kind, for the current filters. Safe on both sides.
import type { EventKind } from "./vocabulary";

/** Bucket widths the histogram picks from, in seconds: the narrowest giving at most MAX_HISTOGRAM_BUCKETS. */
export const HISTOGRAM_BUCKET_SECONDS = [60, 300, 900, 3_600, 3 * 3_600, 6 * 3_600, 12 * 3_600, 86_400, 7 * 86_400] as const;
export const MAX_HISTOGRAM_BUCKETS = 120;

/** From this span on, bars are whole days at least (the charts' unit for such ranges), read from the per-day rollups. */
export const DAY_BARS_FROM_SECONDS = 20 * 86_400;

/**
 * The narrowest bucket width that splits [from, to) into at most MAX_HISTOGRAM_BUCKETS, and at least a day
 * from DAY_BARS_FROM_SECONDS on (buckets start at multiples of the width since the epoch, UTC). Three weeks
 * and more draw a bar per day, as the charts page does: the per-day rollups answer them (~30 rows per kind
 * for 30 days, where 6-hour bars read ~720 hourly rows per kind), and the brush narrows to hours.
 */
export function pickHistogramBucket(from: Date, to: Date): number {
  const span = Math.max(1, (to.getTime() - from.getTime()) / 1000);
  const widths = span >= DAY_BARS_FROM_SECONDS ? HISTOGRAM_BUCKET_SECONDS.filter((seconds) => seconds >= 86_400) : HISTOGRAM_BUCKET_SECONDS;
  return widths.find((seconds) => span / seconds <= MAX_HISTOGRAM_BUCKETS) ?? 7 * 86_400;
}

export type HistogramBucket = {
  /** the bucket's start (ISO); it ends at the next bucket's start */
  start: string;
  counts: Partial<Record<EventKind, number>>;
  total: number;
};

export type EventHistogram = {
  /**
   * the range drawn (ISO): the filter's, or from the first matching event to now. null when the
   * range has no lower bound and no event matches: there is no range to draw (and no buckets),
   * rather than an arbitrary one
   */
  from: string | null;
  to: string;
  /** the bucket width in seconds; null when `from` is */
  bucketSeconds: number | null;
  /** every bucket of the range, empty ones included, oldest first; none when `from` is null */
  buckets: HistogramBucket[];
  /** the kinds counted (the person's permitted kinds ∩ the kinds filtered) */
  kinds: EventKind[];
  total: number;
};

/**
 * The lower bound the histogram draws from: the filter's own, else the first matching event's
 * time; null (nothing to draw) when there is neither, or when the first matching event lies at or
 * after the range's end (the events that match all fall outside the range).
 */
export function histogramStart(filterFrom: Date | null, firstEvent: Date | null, to: Date): Date | null {
  if (filterFrom) return filterFrom;
  if (!firstEvent || firstEvent.getTime() >= to.getTime()) return null;
  return firstEvent;
}

const bucketLabelUnits: Array<[number, string]> = [
  [86_400, "day"],
  [3_600, "hour"],
  [60, "minute"],
];

/** "1 hour", "15 minutes", "7 days". */
export function formatBucketWidth(seconds: number): string {
  for (const [unit, name] of bucketLabelUnits) {
    if (seconds % unit === 0) {
      const count = seconds / unit;
      return `${count} ${name}${count === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}
