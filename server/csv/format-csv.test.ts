// formatCsvRows: RFC 4180 with CRLF, every cell through the guard — checked by
// reading the output back with csv-parse alone, as a spreadsheet would get it.
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CSV_OPTIONS, formatCsvRows } from "./format-csv";

const LEADS = ["=", "+", "-", "@", "\t", "\r", "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20"];

const read = (text: string) => parse(text, { relax_column_count: false }) as string[][];

describe("formatCsvRows", () => {
  it("quotes commas, quotes and line breaks, and ends every record with CRLF", () => {
    expect(formatCsvRows([["id", "note"], ["e1", 'say "hi", then go'], ["e2", "two\r\nlines"], ["e3", null]])).toBe(
      'id,note\r\ne1,"say ""hi"", then go"\r\ne2,"two\r\nlines"\r\ne3,\r\n',
    );
    expect(formatCsvRows([])).toBe("");
  });

  it.each(LEADS)("guards %j first in a scalar cell and in every element of a list cell", (lead) => {
    const formula = `${lead}HYPERLINK("http://evil.example")`;
    const [row] = read(formatCsvRows([[formula, ["trim", formula], [formula, "trim"], ` "${formula}`, 7]]));
    expect(row).toEqual([`'${formula}`, `trim;'${formula}`, `'${formula};trim`, `' "${formula}`, "7"]);
  });

  it("leaves csv-stringify's own escape_formulas nothing to do (our guard runs first, for every type)", () => {
    const cell = fc.oneof(
      fc.string(),
      fc.constantFrom("=1", "-1", "+1", "@x", "\tx", "\rx", " =1", "a;=1", "\uFF1D1"),
      fc.double(),
      fc.bigInt(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string(), fc.constantFrom("=1", "-1", "@x"))),
      fc.dictionary(fc.string(), fc.string()),
      fc.date(),
    );
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        expect(formatCsvRows(rows)).toBe(stringify(rows, { ...CSV_OPTIONS, escape_formulas: false }));
      }),
      { numRuns: 500 },
    );
  });
});
