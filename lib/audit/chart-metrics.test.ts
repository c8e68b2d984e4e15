import { describe, expect, it } from "vitest";
import { chartBuckets, chartUnitFor, niceTicks, truncateUtc } from "./chart-metrics";

describe("chart axes", () => {
  it.each([
    [0, [0, 1]],
    [1, [0, 1]],
    [3, [0, 1, 2, 3]],
    [7, [0, 2, 4, 6, 8]],
    [10, [0, 5, 10]],
    [37, [0, 10, 20, 30, 40]],
    [1204, [0, 500, 1000, 1500]],
  ])("ticks for %d are round and reach the top", (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
    expect(niceTicks(max).at(-1)).toBeGreaterThanOrEqual(max);
  });

  it("never yields fractional ticks for counts", () => {
    for (let max = 1; max < 500; max += 7) for (const tick of niceTicks(max)) expect(Number.isInteger(tick)).toBe(true);
  });
});

describe("chart buckets", () => {
  it("picks days, weeks or months by the range", () => {
    const at = (iso: string) => new Date(iso);
    expect(chartUnitFor(at("2026-11-01T00:00Z"), at("2026-11-30T12:00Z"))).toBe("day");
    expect(chartUnitFor(at("2026-06-01T00:00Z"), at("2026-11-30T00:00Z"))).toBe("week");
    expect(chartUnitFor(at("2025-01-01T00:00Z"), at("2026-11-30T00:00Z"))).toBe("month");
  });

  it("truncates as PostgreSQL's date_trunc does (weeks start on Monday, in UTC)", () => {
    expect(truncateUtc(new Date("2026-11-29T23:59:59Z"), "week").toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(truncateUtc(new Date("2026-11-30T00:00:00Z"), "week").toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(truncateUtc(new Date("2026-11-30T15:00:00Z"), "month").toISOString()).toBe("2026-11-01T00:00:00.000Z");
  });

  it("lists every bucket from the range's first to its last", () => {
    const days = chartBuckets(new Date("2026-11-01T09:00Z"), new Date("2026-11-30T15:00Z"), "day");
    expect(days).toHaveLength(30);
    expect(days[0]).toBe("2026-11-01T00:00:00.000Z");
    expect(days.at(-1)).toBe("2026-11-30T00:00:00.000Z");
    expect(chartBuckets(new Date("2026-01-15T00:00Z"), new Date("2026-03-02T00:00Z"), "month")).toEqual([
      "2026-01-01T00:00:00.000Z",
      "2026-02-01T00:00:00.000Z",
      "2026-03-01T00:00:00.000Z",
    ]);
  });
});
