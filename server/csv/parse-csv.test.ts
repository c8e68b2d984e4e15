// parseCsvTable: strict reading of uploads — BOM, line ends, a zod-checked
// header, one error per line of the wrong width, a clear error naming the line
// for malformed quoting — and an exact round trip of what formatCsvRows wrote.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCsvRows } from "./format-csv";
import { CsvFormatError, parseCsvTable } from "./parse-csv";

const SPEC = { required: ["email", "note"], optional: ["status"] } as const;

function formatError(text: string): CsvFormatError {
  try {
    parseCsvTable(text, SPEC);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvFormatError);
    return error as CsvFormatError;
  }
  throw new Error("expected the file to be refused");
}

describe("parseCsvTable", () => {
  it("reads CRLF or LF files, with or without a BOM, columns in any order, skipping blank lines", () => {
    for (const text of ["\uFEFFNote , Email,status\r\nhi,a@x.example,active\r\n\r\n , , \r\nyo,b@x.example,\r\n", "note,email,status\nhi,a@x.example,active\n\n , , \nyo,b@x.example,"]) {
      expect(parseCsvTable(text, SPEC)).toEqual({
        rows: [
          { line: 2, cells: { email: "a@x.example", note: "hi" } },
          { line: 5, cells: { email: "b@x.example", note: "yo" } },
        ],
        lineErrors: [],
      });
    }
  });

  it("names the line a record starts on, after quoted cells that span lines", () => {
    const text = 'email,note\r\na@x.example,"one\r\ntwo\r\nthree"\r\nb@x.example,"four\nfive"\r\nc@x.example\r\nd@x.example,x,y\r\n"e@x.example",ok\r\n';
    expect(parseCsvTable(text, SPEC)).toEqual({
      rows: [
        { line: 2, cells: { email: "a@x.example", note: "one\r\ntwo\r\nthree" } },
        { line: 5, cells: { email: "b@x.example", note: "four\nfive" } },
        { line: 9, cells: { email: "e@x.example", note: "ok" } },
      ],
      lineErrors: [
        { line: 7, message: "has 1 cell where the header has 2." },
        { line: 8, message: "has 3 cells where the header has 2." },
      ],
    });
  });

  it.each([
    ["an unclosed quote", 'email,note\r\na@x.example,ok\r\n\r\nb@x.example,"never\r\nclosed\r\n', 4, "a quoted cell is never closed"],
    ["an unclosed quote after a multi-line cell", 'email,note\r\na@x.example,"one\r\ntwo"\r\n"b@x.example,x\r\n', 4, "a quoted cell is never closed"],
    ["a quote inside an unquoted cell", 'email,note\r\na@x.example,say "hi"\r\n', 2, "a quote appears inside a cell that does not start with one"],
    ["text after a closing quote", 'email,note\r\na@x.example,ok\r\nb@x.example,"hi" there\r\n', 3, "text follows a closing quote"],
    ["an unknown column", "email,note,colour\r\na@x.example,ok,red\r\n", 1, "unknown column “colour”; expected email, note"],
    ["a missing column", "email\r\na@x.example\r\n", 1, "missing column note"],
    ["a repeated column", "email,note,Email\r\na@x.example,ok,b@x.example\r\n", 1, "the column “email” appears twice"],
    ["semicolons for commas", "email;note\r\na@x.example;ok\r\n", 1, "the columns are separated by semicolons; save the file with commas (expected email, note)"],
  ])("refuses %s, naming the line", (_label, text, line, reason) => {
    const error = formatError(text);
    expect(error.line).toBe(line);
    expect(error.reason).toContain(reason);
    expect(error.message).toBe(`line ${line}: ${error.reason}`);
  });

  it.each(["", "\uFEFF", "\r\n\r\n", " , \r\n"])("refuses %j as empty", (text) => {
    const error = formatError(text);
    expect(error).toMatchObject({ line: null, message: "it is empty" });
  });

  it("reads back exactly what formatCsvRows wrote, formula guard undone", () => {
    const awkward = fc
      .array(fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", "\r\n", ";", "'", '"', " ", ",", "\uFEFF", "\u200B", "\uFF1D", "a", "é"), { maxLength: 10 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.array(fc.oneof(awkward, fc.string(), fc.string({ unit: "grapheme" })), { maxLength: 20 }), (notes) => {
        const rows = notes.map((note, index) => [`r${index}@x.example`, note]);
        const table = parseCsvTable(formatCsvRows([["email", "note"], ...rows]), SPEC);
        expect(table.lineErrors).toEqual([]);
        expect(table.rows.map((row) => [row.cells.email, row.cells.note])).toEqual(rows);
      }),
      { numRuns: 1_000 },
    );
  });
});
