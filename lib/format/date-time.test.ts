import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatRelativeTime } from "./date-time";

describe("formatDateTime: one format across the portal", () => {
  const iso = "2026-11-24T09:30:12.345Z";
  it("is ISO-like, 24-hour, in UTC, minutes by default", () => {
    expect(formatDateTime(iso)).toBe("2026-11-24 09:30 UTC");
    expect(formatDateTime(new Date(iso))).toBe("2026-11-24 09:30 UTC");
  });
  it("shows seconds, milliseconds or the date alone when asked", () => {
    expect(formatDateTime(iso, { precision: "second" })).toBe("2026-11-24 09:30:12 UTC");
    expect(formatDateTime(iso, { precision: "millisecond", suffix: false })).toBe("2026-11-24 09:30:12.345");
    expect(formatDate(iso)).toBe("2026-11-24");
  });
  it("converts an offset to UTC rather than printing local time", () => {
    expect(formatDateTime("2026-11-24T23:30:00-02:00")).toBe("2026-11-25 01:30 UTC");
  });
  it("says — for something that is not a time", () => {
    expect(formatDateTime("not a time")).toBe("—");
  });
});

describe("formatRelativeTime", () => {
  const now = Date.parse("2026-11-24T12:00:00Z");
  it.each([
    ["2026-11-24T11:59:30Z", "just now"],
    ["2026-11-24T11:55:00Z", "5 minutes ago"],
    ["2026-11-24T13:00:00Z", "in 1 hour"],
    ["2026-11-26T00:00:00Z", "in 36 hours"],
    ["2026-11-27T12:00:00Z", "in 3 days"],
    ["2026-08-24T12:00:00Z", "3 months ago"],
    ["2024-11-24T12:00:00Z", "2 years ago"],
  ])("%s → %s", (iso, expected) => {
    expect(formatRelativeTime(iso, now)).toBe(expected);
  });
});
