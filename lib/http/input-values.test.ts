// The values read from URLs, checked before they reach the database (issue 10, finding 6).
import { describe, expect, it } from "vitest";
import { bigintIdString, isStrictTimestamp, parseDateTime, storableText, textProblem, uuidString } from "./input-values";

describe("text PostgreSQL can store", () => {
  it.each([
    ["a\u0000b", "must not contain NUL characters"],
    ["\u0000", "must not contain NUL characters"],
    ["x\uD800y", "must not contain unpaired UTF-16 surrogates"],
    ["\uDC00", "must not contain unpaired UTF-16 surrogates"],
    ["\uDC00\uD800", "must not contain unpaired UTF-16 surrogates"],
  ])("refuses %j", (text, problem) => {
    expect(textProblem(text)).toBe(problem);
    expect(storableText(100).safeParse(text).error?.issues.map((issue) => issue.message)).toEqual([problem]);
  });

  it("keeps ordinary text, emoji (paired surrogates) included", () => {
    for (const text of ["linux", "Zürich", "😀 ok", "tab\tand\nnewline"]) expect(textProblem(text)).toBeNull();
    expect(storableText(10).parse("  😀 ok ")).toBe("😀 ok");
  });

  it("bounds the length and refuses empty text", () => {
    expect(storableText(3).safeParse("abcd").error?.issues[0]?.message).toBe("must be at most 3 characters");
    expect(storableText(3).safeParse("   ").error?.issues[0]?.message).toBe("must not be empty");
  });
});

describe("ids", () => {
  it("takes UUIDs in canonical 8-4-4-4-12 form only, lower-cased", () => {
    const schema = uuidString("must be an event id (a UUID)");
    expect(schema.parse(" 0F0E0D0C-0B0A-4908-8706-050403020100 ")).toBe("0f0e0d0c-0b0a-4908-8706-050403020100");
    for (const bad of ["-".repeat(36), "0f0e0d0c0b0a490887060504030201000000", "{0f0e0d0c-0b0a-4908-8706-050403020100}", "0f0e0d0c-0b0a-4908-8706-05040302010g", "12345", ""]) {
      expect(schema.safeParse(bad).error?.issues[0]?.message, bad).toBe("must be an event id (a UUID)");
    }
  });

  it("takes bigint ids within range only", () => {
    const schema = bigintIdString("must be an audit row number");
    expect(schema.parse("1")).toBe("1");
    expect(schema.parse("9223372036854775807")).toBe("9223372036854775807");
    for (const bad of ["9223372036854775808", "9999999999999999999", "99999999999999999999", "0", "-1", "01", "1e3", "1.0", ""]) {
      expect(schema.safeParse(bad).error?.issues[0]?.message, bad).toBe("must be an audit row number (1 to 9223372036854775807)");
    }
  });
});

describe("parseDateTime (typed by a person)", () => {
  it.each([
    ["2026-11-20", "2026-11-20T00:00:00.000Z"],
    ["2026-11-20T09:30+15:59", "2026-11-19T17:31:00.000Z"],
    ["2026-11-20T09:30-15:59", "2026-11-21T01:29:00.000Z"],
    ["2024-02-29T12:00Z", "2024-02-29T12:00:00.000Z"],
  ])("reads %s", (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each(["2026-11-20T09:30+16:00", "2026-11-20T09:30-16:00", "2026-11-20T09:30+23:59", "2026-11-20T09:30+05:60", "2026-02-29", "2026-04-31", "2026-11-20T24:00", "1969-12-31T23:59Z", "10000-01-01"])(
    "refuses %s",
    (text) => {
      expect(parseDateTime(text)).toBeNull();
    },
  );
});

describe("isStrictTimestamp (written by the portal, read back from a cursor)", () => {
  it.each(["2026-11-20T10:00:00Z", "2026-11-20T10:00:00.123Z", "2026-11-20T10:00:00.123456+15:59", "2026-11-20T10:00:00-15:59", "0001-01-01T00:00:00Z"])("accepts %s", (text) => {
    expect(isStrictTimestamp(text)).toBe(true);
  });

  it.each([
    "2026-11-20T10:00:00+16:00",
    "2026-11-20T10:00:00-23:00",
    "2026-11-20T10:00:00+15:60",
    "2026-02-30T10:00:00Z",
    "2026-11-20T99:99:99Z",
    "2026-11-20T10:00:00",
    "2026-11-20 10:00:00Z",
    "2026-11-20T10:00Z",
    "2026-11-20T10:00:00.1234567Z",
    "infinity",
  ])("refuses %s", (text) => {
    expect(isStrictTimestamp(text)).toBe(false);
  });
});
