import { describe, expect, it } from "vitest";
import { isOutsideWorkingHours } from "./evaluate-audit-alerts";

const weekdays = { startMinute: 7 * 60, endMinute: 20 * 60, days: [1, 2, 3, 4, 5] };

describe("working hours in the person's time zone", () => {
  it("reads the wall clock of the zone, daylight saving included", () => {
    // Wednesday 2026-07-01 05:30 UTC is 07:30 in Berlin (CEST, UTC+2): working; 22:30 the evening before in Los Angeles.
    expect(isOutsideWorkingHours(new Date("2026-07-01T05:30:00Z"), "Europe/Berlin", weekdays)).toBe(false);
    expect(isOutsideWorkingHours(new Date("2026-07-01T05:30:00Z"), "America/Los_Angeles", weekdays)).toBe(true);
    // Wednesday 2026-01-07 05:30 UTC is 06:30 in Berlin (CET, UTC+1): before the day starts.
    expect(isOutsideWorkingHours(new Date("2026-01-07T05:30:00Z"), "Europe/Berlin", weekdays)).toBe(true);
  });

  it("treats the end as exclusive and days off as off", () => {
    expect(isOutsideWorkingHours(new Date("2026-07-01T19:59:00Z"), "UTC", weekdays)).toBe(false);
    expect(isOutsideWorkingHours(new Date("2026-07-01T20:00:00Z"), "UTC", weekdays)).toBe(true);
    // Saturday noon.
    expect(isOutsideWorkingHours(new Date("2026-07-04T12:00:00Z"), "UTC", weekdays)).toBe(true);
    // Friday 23:30 UTC is already Saturday in Tokyo.
    expect(isOutsideWorkingHours(new Date("2026-07-03T23:30:00Z"), "Asia/Tokyo", { ...weekdays, endMinute: 24 * 60 })).toBe(true);
  });

  it("falls back to UTC for a zone the runtime does not know", () => {
    expect(isOutsideWorkingHours(new Date("2026-07-01T12:00:00Z"), "Mars/Olympus_Mons", weekdays)).toBe(false);
    expect(isOutsideWorkingHours(new Date("2026-07-01T03:00:00Z"), "Mars/Olympus_Mons", weekdays)).toBe(true);
  });
});
