import { describe, expect, it } from "vitest";
import { formatBucketWidth, histogramStart, pickHistogramBucket } from "./histogram";

const at = (iso: string) => new Date(iso);
const TO = at("2026-11-30T12:00:00Z");

describe("where the histogram starts", () => {
  it("takes the filter's lower bound when there is one, matching events or not", () => {
    expect(histogramStart(at("2026-11-29T12:00:00Z"), null, TO)).toEqual(at("2026-11-29T12:00:00Z"));
    expect(histogramStart(at("2026-11-29T12:00:00Z"), at("2026-11-01T00:00:00Z"), TO)).toEqual(at("2026-11-29T12:00:00Z"));
  });

  it("starts at the first matching event when the range is open below", () => {
    expect(histogramStart(null, at("2026-11-20T08:30:00Z"), TO)).toEqual(at("2026-11-20T08:30:00Z"));
  });

  it("has no start (nothing to draw) when no event matches, instead of an invented range", () => {
    expect(histogramStart(null, null, TO)).toBeNull();
  });

  it("has no start when the first matching event is at or after the range's end", () => {
    expect(histogramStart(null, TO, TO)).toBeNull();
    expect(histogramStart(null, at("2026-11-30T13:00:00Z"), TO)).toBeNull();
  });
});

describe("the histogram's buckets", () => {
  it("picks the narrowest width giving at most 120 buckets", () => {
    expect(pickHistogramBucket(at("2026-11-30T10:00:00Z"), TO)).toBe(60);
    expect(pickHistogramBucket(at("2026-11-29T12:00:00Z"), TO)).toBe(900);
    expect(pickHistogramBucket(at("2026-11-23T12:00:00Z"), TO)).toBe(3_600 * 3);
    // 19 days: 6-hour bars (76)
    expect(pickHistogramBucket(at("2026-11-11T12:00:00Z"), TO)).toBe(3_600 * 6);
  });

  it("draws whole days from three weeks on (the charts' unit, from the per-day rollups), weeks past 120 days", () => {
    expect(pickHistogramBucket(at("2026-11-10T12:00:00Z"), TO)).toBe(86_400);
    expect(pickHistogramBucket(at("2026-10-31T12:00:00Z"), TO)).toBe(86_400);
    expect(pickHistogramBucket(at("2026-08-03T12:00:00Z"), TO)).toBe(86_400);
    expect(pickHistogramBucket(at("2026-07-01T12:00:00Z"), TO)).toBe(7 * 86_400);
  });

  it("names a width in words", () => {
    expect(formatBucketWidth(900)).toBe("15 minutes");
    expect(formatBucketWidth(3_600)).toBe("1 hour");
    expect(formatBucketWidth(7 * 86_400)).toBe("7 days");
  });
});
