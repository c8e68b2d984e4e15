// The formula guard: every character that starts a formula is guarded, wherever
// a spreadsheet may start a cell and whatever blanks or quotes come first;
// nothing else changes, and unguardFormula gives back exactly what went in.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { guardFormula, unguardFormula } from "./formula-guard";

const LEADS = ["=", "+", "-", "@", "\t", "\r", "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20"];
const LOOKED_THROUGH = [" ", "  ", "\u00A0", "\u3000", "\uFEFF", "\u200B", "\u2060", "'", '"', '" ', "\t "];
const PAYLOAD = 'HYPERLINK("http://evil.example","click")';

/** Text made of the characters that matter here, so that fast-check finds the edge cases. */
const awkwardText = fc
  .array(fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", "\r\n", ";", "'", '"', " ", "\u00A0", "\u200B", "\uFF1D", "a", "1", ",", "|"), { maxLength: 12 })
  .map((parts) => parts.join(""));
const anyText = fc.oneof(awkwardText, fc.string(), fc.string({ unit: "grapheme" }));

describe("guardFormula", () => {
  it.each(LEADS)("guards a cell that starts with %j", (lead) => {
    expect(guardFormula(`${lead}${PAYLOAD}`)).toBe(`'${lead}${PAYLOAD}`);
  });

  it.each(LEADS.flatMap((lead) => LOOKED_THROUGH.map((prefix) => [prefix, lead])))("is not bypassed by %j before %j", (prefix, lead) => {
    expect(guardFormula(`${prefix}${lead}${PAYLOAD}`)).toBe(`'${prefix}${lead}${PAYLOAD}`);
  });

  it.each([";", "\r\n", "\n", "\r"])("guards what follows %j, where a spreadsheet may start another cell", (separator) => {
    expect(guardFormula(`trim${separator}=${PAYLOAD}${separator} @x${separator}ok`)).toBe(`trim${separator}'=${PAYLOAD}${separator}' @x${separator}ok`);
  });

  it.each(["", "plain", "GitHub.copilot", "1.96.0", "2026-11-20T10:00:00.000Z", "dedupe-lines", "a=b", "x+y", "mail@example.com", "{\"a\":\"=b\"}", "[\"=b\"]", "'quoted'"])(
    "leaves %j alone",
    (text) => {
      expect(guardFormula(text)).toBe(text);
    },
  );

  it("guards an apostrophe-led formula again, so the inverse cannot mistake data for the guard", () => {
    expect(guardFormula("'=1+1")).toBe("''=1+1");
    expect(unguardFormula("''=1+1")).toBe("'=1+1");
  });

  it("leaves nothing a spreadsheet could run, however it splits the field", () => {
    // The oracle, spelled out apart from the module: a spreadsheet runs a cell that starts with a tab or CR,
    // or whose first character after blanks, zero-width characters and double quotes starts a formula.
    // An apostrophe there makes the rest text.
    const runs = (cell: string) => /^[\t\r]/.test(cell) || /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/u.test(cell.replace(/^[\s"\u200B-\u200D\u2060]*/u, ""));
    fc.assert(
      fc.property(anyText, (text) => {
        const guarded = guardFormula(text);
        const cells = [
          guarded, // the field read whole
          ...guarded.split(";"), // split at semicolons
          ...guarded.split(/\r\n|\r|\n/).flatMap((line) => line.split(";")), // and at line breaks
        ];
        for (const cell of cells) expect(runs(cell), `${JSON.stringify(cell)} in ${JSON.stringify(guarded)}`).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("unguardFormula", () => {
  it("gives back exactly what guardFormula was given, for any text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(unguardFormula(guardFormula(text))).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each(["'plain", "it's", "'", "''", "' text"])("keeps an apostrophe that is data: %j", (text) => {
    expect(unguardFormula(text)).toBe(text);
  });
});
