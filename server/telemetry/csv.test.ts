// CSV cells for the events export: RFC 4180 quoting, and no formula injection.
import { describe, expect, it } from "vitest";
import { csvCell, csvHeader, csvLine } from "./csv";

describe("csvCell", () => {
  it.each([
    [null, ""],
    [undefined, ""],
    [42, "42"],
    [-3.5, "-3.5"],
    [true, "true"],
    ["plain", "plain"],
    ['say "hi", then go', '"say ""hi"", then go"'],
    ["two\r\nlines", '"two\r\nlines"'],
    [["trim", "dedupe-lines"], "trim;dedupe-lines"],
    ["=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""],
    ["+1+2", "'+1+2"],
    ["-cmd", "'-cmd"],
    ["@SUM(A1)", "'@SUM(A1)"],
  ])("writes %j as %j", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe("lines", () => {
  it("writes the id first, then the chosen columns; a column outside the scope is an empty cell", () => {
    expect(csvHeader(["time", "machineId"])).toBe("id,time,machineId\r\n");
    const event = { id: "e1", kind: "error" as const, eventName: "auth.error", time: "2026-11-20T10:00:00.000Z", receivedAt: "2026-11-20T10:00:01.000Z" };
    expect(csvLine(event, ["time", "machineId"])).toBe("e1,2026-11-20T10:00:00.000Z,\r\n");
  });
});
