// Rows as CSV text: RFC 4180 quoting by csv-stringify, CRLF after every
// record, UTF-8 without a BOM. Every cell goes through cellText (the formula
// guard) by way of csv-stringify's per-type cast hooks, so the library still
// sees each value's own type; its escape_formulas stays on as a second line of
// defence (our guard leaves it nothing to do: a test checks that).
import "server-only";
import { stringify, type Options } from "csv-stringify/sync";
import { cellText } from "./cell-text";

export const CSV_OPTIONS = {
  cast: { string: cellText, number: cellText, bigint: cellText, boolean: cellText, date: cellText, object: cellText, null: cellText, undefined: cellText },
  escape_formulas: true,
  record_delimiter: "\r\n",
  eof: true,
} satisfies Options;

export function formatCsvRows(rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  if (rows.length === 0) return "";
  return stringify(rows as unknown[][], CSV_OPTIONS);
}
