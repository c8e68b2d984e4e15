// Reads an uploaded CSV table (RFC 4180, UTF-8, CRLF or LF, with or without a
// BOM) with csv-parse, strictly:
// - quotes are never relaxed: a quote inside an unquoted cell, text after a
//   closing quote, or a quoted cell never closed refuse the file, naming the
//   line the record starts on (csv-parse's own line count is off after a CRLF
//   inside a quoted cell, so lines are counted here from byte offsets);
// - the header row is validated with zod: every required column, no unknown
//   or repeated one, in any order, case and surrounding blanks ignored;
// - every record must have the header's width. csv-parse would stop at the
//   first one that has not; it is told to let them through so that each is
//   reported with its line, and none of them is returned as a row;
// - blank lines, and lines whose cells are all blank, are skipped;
// - every cell has the export's formula guard undone (formula-guard.ts), so a
//   file the portal exported reads back exactly as it was written.
import "server-only";
import { CsvError, parse } from "csv-parse/sync";
import { z } from "zod";
import { unguardFormula } from "./formula-guard";

/** The file cannot be read at all; `line` is null when no one line is to blame. */
export class CsvFormatError extends Error {
  override name = "CsvFormatError";
  constructor(
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(line === null ? reason : `line ${line}: ${reason}`);
  }
}

export type CsvTableSpec<Column extends string> = {
  /** columns the header must have */
  required: readonly Column[];
  /** columns the header may have; their cells are not returned */
  optional?: readonly string[];
};

export type CsvTableRow<Column extends string> = { line: number; cells: Record<Column, string> };

export type CsvTable<Column extends string> = {
  rows: Array<CsvTableRow<Column>>;
  /** records refused one by one (wrong width), each with the line it starts on */
  lineErrors: Array<{ line: number; message: string }>;
};

const LF = 0x0a;
const CR = 0x0d;

const quoted = (names: readonly string[]) => names.map((name) => `“${name}”`).join(", ");
const plural = (count: number, word: string) => (count === 1 ? word : `${word}s`);

function headerSchema<Column extends string>(spec: CsvTableSpec<Column>) {
  const known = new Set<string>([...spec.required, ...(spec.optional ?? [])]);
  return z
    .array(z.string().trim().toLowerCase())
    .superRefine((names, context) => {
      if (names.length === 1 && names[0]!.includes(";")) {
        context.addIssue({ code: "custom", message: `the columns are separated by semicolons; save the file with commas (expected ${spec.required.join(", ")})` });
        return;
      }
      const unknown = names.filter((name) => !known.has(name));
      if (unknown.length > 0) {
        context.addIssue({ code: "custom", message: `unknown ${plural(unknown.length, "column")} ${quoted(unknown)}; expected ${spec.required.join(", ")}` });
      }
      const repeated = names.find((name, index) => names.indexOf(name) !== index);
      if (repeated !== undefined) context.addIssue({ code: "custom", message: `the column “${repeated}” appears twice` });
      const missing = spec.required.filter((name) => !names.includes(name));
      if (missing.length > 0) context.addIssue({ code: "custom", message: `missing ${plural(missing.length, "column")} ${missing.join(", ")}` });
    })
    .transform((names) => Object.fromEntries(spec.required.map((name) => [name, names.indexOf(name)])) as Record<Column, number>);
}

/** Line numbers from byte offsets: counts CRLF, CR and LF as one line break each, scanning forward only. */
function lineCounter(bytes: Buffer) {
  let offset = 0;
  let line = 1;
  return {
    /** the line number at `target` (≥ every earlier call's) */
    at(target: number): number {
      for (; offset < target; offset++) {
        const byte = bytes[offset];
        if (byte === LF || (byte === CR && bytes[offset + 1] !== LF)) line++;
      }
      return line;
    },
  };
}

function lineBreaksIn(cells: readonly string[]): number {
  let breaks = 0;
  for (const cell of cells) breaks += cell.match(/\r\n|\r|\n/g)?.length ?? 0;
  return breaks;
}

/** The first line at or after `offset` that is not blank: where a record that failed to parse starts. */
function firstLineWithText(bytes: Buffer, offset: number, lineAtOffset: number): number {
  let line = lineAtOffset;
  for (let index = offset; index < bytes.length; index++) {
    const byte = bytes[index];
    if (byte === LF || (byte === CR && bytes[index + 1] !== LF)) line++;
    else if (byte !== CR) break;
  }
  return line;
}

function describeParseError(error: CsvError): string {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quoted cell is never closed";
    case "INVALID_OPENING_QUOTE":
      return 'a quote appears inside a cell that does not start with one (quote the whole cell and double the quotes inside: "say ""hi""")';
    case "CSV_INVALID_CLOSING_QUOTE":
      return "text follows a closing quote (a quote inside a quoted cell must be doubled)";
    default:
      return `it is not valid CSV (${error.code})`;
  }
}

type RawRecord = { line: number; cells: string[] };

function parseRecords(bytes: Buffer): RawRecord[] {
  const lines = lineCounter(bytes);
  const records: RawRecord[] = [];
  let lastEnd = 0;
  try {
    parse(bytes, {
      bom: true,
      relax_quotes: false,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      on_record: (cells: string[], context) => {
        // `bytes` is the offset just past the record and its line break (if any).
        const end = context.bytes;
        const endsWithBreak = bytes[end - 1] === LF || bytes[end - 1] === CR;
        const lastLine = lines.at(end) - (endsWithBreak ? 1 : 0);
        records.push({ line: lastLine - lineBreaksIn(cells), cells });
        lastEnd = end;
        return null;
      },
    });
  } catch (error) {
    if (error instanceof CsvError) throw new CsvFormatError(firstLineWithText(bytes, lastEnd, lines.at(lastEnd)), describeParseError(error));
    throw error;
  }
  return records;
}

export function parseCsvTable<Column extends string>(text: string, spec: CsvTableSpec<Column>): CsvTable<Column> {
  const [header, ...body] = parseRecords(Buffer.from(text, "utf8"));
  if (!header) throw new CsvFormatError(null, "it is empty");
  const parsedHeader = headerSchema(spec).safeParse(header.cells.map(unguardFormula));
  if (!parsedHeader.success) throw new CsvFormatError(header.line, parsedHeader.error.issues.map((issue) => issue.message).join("; "));
  const positions = parsedHeader.data;
  const width = header.cells.length;

  const table: CsvTable<Column> = { rows: [], lineErrors: [] };
  for (const record of body) {
    if (record.cells.length !== width) {
      table.lineErrors.push({ line: record.line, message: `has ${record.cells.length} ${plural(record.cells.length, "cell")} where the header has ${width}.` });
      continue;
    }
    const cells = Object.fromEntries(spec.required.map((name) => [name, unguardFormula(record.cells[positions[name]] ?? "")])) as Record<Column, string>;
    table.rows.push({ line: record.line, cells });
  }
  return table;
}
