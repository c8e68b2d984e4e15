// The access list as CSV (RFC 4180, CRLF, UTF-8): one row per grant in force,
// or one row with empty grant columns for a person who holds none. The same
// columns go out (export) and come back in (import); `status`, `granted_at`
// and `granted_by` are informational and ignored on import.
//
// A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR
// first) is written with a leading apostrophe, and the apostrophe is removed
// again on import.
import "server-only";

export const IMPORT_COLUMNS = ["email", "name", "employer", "employment_type", "access", "expires_at", "justification"] as const;
export const INFORMATIONAL_COLUMNS = ["status", "granted_at", "granted_by"] as const;
export const EXPORT_COLUMNS = [...IMPORT_COLUMNS, ...INFORMATIONAL_COLUMNS] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | null | undefined>): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** Undo the export's formula guard. */
export function uncsvCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export class CsvSyntaxError extends Error {
  override name = "CsvSyntaxError";
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** A record with the physical line it starts on (1 = the header). */
export type CsvRecord = { line: number; cells: string[] };

/** Parses RFC 4180 CSV (CRLF or LF; quoted cells may span lines). Blank lines (and lines of empty cells) are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let cellWasQuoted = false;

  const endCell = () => {
    cells.push(cell);
    cell = "";
    cellWasQuoted = false;
  };
  const endRecord = () => {
    endCell();
    if (cells.some((value) => value !== "")) records.push({ line: recordLine, cells });
    cells = [];
  };

  for (let index = 0; index < source.length; index++) {
    const character = source[index]!;
    if (quoted) {
      if (character === '"') {
        if (source[index + 1] === '"') {
          cell += '"';
          index++;
        } else {
          quoted = false;
        }
      } else {
        if (character === "\n") line++;
        cell += character;
      }
      continue;
    }
    if (character === '"') {
      if (cell !== "" || cellWasQuoted) throw new CsvSyntaxError("a quote appears inside an unquoted cell", line);
      quoted = true;
      cellWasQuoted = true;
    } else if (character === ",") {
      endCell();
    } else if (character === "\r" && source[index + 1] === "\n") {
      // CRLF: handled at the \n
    } else if (character === "\n" || character === "\r") {
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (cellWasQuoted) throw new CsvSyntaxError("text follows a closing quote", line);
      cell += character;
    }
  }
  if (quoted) throw new CsvSyntaxError("a quoted cell is never closed", recordLine);
  endRecord();
  return records;
}
