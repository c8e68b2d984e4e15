// How hourlyCounts splits a time range between the per-day rollups, the
// per-hour rollups and the events (server/telemetry/rollups.ts).
import { describe, expect, it } from "vitest";
import { splitTimeRange } from "./rollups";

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;
const spans = (list: ReadonlyArray<{ from: Date | null; to: Date | null }>) => list.map((span) => [iso(span.from), iso(span.to)]);

describe("splitTimeRange", () => {
  const now = at("2026-12-01T04:23:43.160Z");

  it("reads the last 30 days as whole days up to today, today's and the first day's whole hours, and the partial hour", () => {
    const split = splitTimeRange(at("2026-11-01T04:23:43.160Z"), null, now)!;
    expect(spans([split.days!])).toEqual([["2026-11-02T00:00:00.000Z", "2026-12-01T00:00:00.000Z"]]);
    // the first day's hours after the partial one, and today's (unbounded: whatever arrives later today)
    expect(spans(split.hours)).toEqual([
      ["2026-11-01T05:00:00.000Z", "2026-11-02T00:00:00.000Z"],
      ["2026-12-01T00:00:00.000Z", null],
    ]);
    expect(split.edges).not.toBeNull();
  });

  it("keeps to the hours without a day to read, or when days are not asked for", () => {
    const within = splitTimeRange(at("2026-11-30T01:30:00.000Z"), at("2026-11-30T23:00:00.000Z"), now)!;
    expect(within.days).toBeNull();
    expect(spans(within.hours)).toEqual([["2026-11-30T02:00:00.000Z", "2026-11-30T23:00:00.000Z"]]);

    const hoursOnly = splitTimeRange(at("2026-11-01T04:23:43.160Z"), null, null)!;
    expect(hoursOnly.days).toBeNull();
    expect(spans(hoursOnly.hours)).toEqual([["2026-11-01T05:00:00.000Z", null]]);
  });

  it("stops the days at the range's end when it comes before today, and reads no hour twice", () => {
    const split = splitTimeRange(at("2026-11-10T00:00:00.000Z"), at("2026-11-20T06:30:00.000Z"), now)!;
    expect(spans([split.days!])).toEqual([["2026-11-10T00:00:00.000Z", "2026-11-20T00:00:00.000Z"]]);
    expect(spans(split.hours)).toEqual([["2026-11-20T00:00:00.000Z", "2026-11-20T06:00:00.000Z"]]);
    expect(split.edges).not.toBeNull(); // 06:00–06:30

    const unbounded = splitTimeRange(null, null, now)!;
    expect(spans([unbounded.days!])).toEqual([[null, "2026-12-01T00:00:00.000Z"]]);
    expect(spans(unbounded.hours)).toEqual([["2026-12-01T00:00:00.000Z", null]]);
    expect(unbounded.edges).toBeNull();
  });

  it("has nothing for the rollups in a range inside one hour", () => {
    expect(splitTimeRange(at("2026-11-30T01:10:00.000Z"), at("2026-11-30T01:50:00.000Z"), now)).toBeNull();
  });
});
