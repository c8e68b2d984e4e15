// cellText: every type a cell may hold becomes guarded text; list cells are
// guarded after joining (every element, first or not).
import { describe, expect, it } from "vitest";
import { cellText } from "./cell-text";

const HYPERLINK = '=HYPERLINK("http://evil.example")';

describe("cellText", () => {
  it.each<[string, unknown, string]>([
    ["null", null, ""],
    ["undefined", undefined, ""],
    ["a number", 42, "42"],
    ["a negative number (a number in a spreadsheet, not a formula)", -3.5, "-3.5"],
    ["a bigint", -12n, "-12"],
    ["NaN", Number.NaN, "NaN"],
    ["-Infinity (not a number a spreadsheet reads)", Number.NEGATIVE_INFINITY, "'-Infinity"],
    ["a boolean", true, "true"],
    ["a date", new Date("2026-11-20T10:00:00.000Z"), "2026-11-20T10:00:00.000Z"],
    ["an invalid date", new Date(Number.NaN), ""],
    ["a string", "plain", "plain"],
    ["a formula", HYPERLINK, `'${HYPERLINK}`],
    ["a number as a string", "-1+2", "'-1+2"],
    ["a list", ["trim", "dedupe-lines"], "trim;dedupe-lines"],
    ["an empty list", [], ""],
    ["a list led by a formula", [HYPERLINK, "trim"], `'${HYPERLINK};trim`],
    ["a list with a formula later", ["trim", HYPERLINK, "@x"], `trim;'${HYPERLINK};'@x`],
    ["a list with a blank-led formula", ["trim", ` \t${HYPERLINK}`], `trim;' \t${HYPERLINK}`],
    ["a list of numbers", [-1, 2], "'-1;2"],
    ["a list with null and nested values", [null, { a: 1 }, ["x"]], ';{"a":1};x'],
    ["an object", { kinds: ["error"], from: "2026-11-01" }, '{"kinds":["error"],"from":"2026-11-01"}'],
    ["an object whose text a semicolon would split", { note: "a;=1+1" }, `{"note":"a;'=1+1"}`],
  ])("writes %s", (_label, value, expected) => {
    expect(cellText(value)).toBe(expected);
  });
});
