// One CSV export, written the fail-closed way every export shares. The audit
// row must carry the SHA-256 of the bytes served and be committed before the
// first byte leaves; streaming straight from the database cannot do both (the
// hash is known only at the end, when the bytes are already out). So:
//
//   1. `write` runs the audited transaction (server/access/audited.ts) and,
//      inside it, appends the rows to a private temporary file that hashes what
//      it is given (hashed-file.ts), seals it and hands the hash to the audit
//      row, which the gate writes last before it commits. Large exports stream
//      (`streamRows`): rows come from a database cursor a batch at a time,
//      each batch through csv-stringify and the hash into the file before the
//      next one is fetched (back-pressure: the file's drain), so memory holds
//      one batch whatever the row count.
//   2. Only when `write` has returned — the transaction committed — does the
//      caller get a stream of the file; the file is deleted when the stream
//      ends, fails or is cancelled.
//
// If `write` throws (audit row not written, bad input, refusal), the file is
// deleted and nothing is served.
import "server-only";
import { formatCsvRows } from "./format-csv";
import { createHashedFile } from "./hashed-file";

/** What every export returns; export-response.ts turns it into the HTTP response. */
export type CsvExport = {
  filename: string;
  /** data rows, the header not counted */
  rowCount: number;
  /** SHA-256 (hex) of the bytes `body` yields: the value in the audit row */
  sha256: string;
  byteLength: number;
  /** true when more rows matched than the cap allows */
  truncated: boolean;
  maxRows: number;
  body: ReadableStream<Uint8Array>;
};

export type CsvExportFile = {
  /** append rows (the header is a row too); every cell goes through the formula guard */
  writeRows(rows: ReadonlyArray<ReadonlyArray<unknown>>): Promise<void>;
  /**
   * append rows a batch at a time as `batches` yields them, formatted as
   * writeRows does; the next batch is pulled only once the file has taken the
   * previous one. Resolves when the last row is in the file; a failure of the
   * source (a query) rejects.
   */
  streamRows(batches: AsyncIterable<ReadonlyArray<ReadonlyArray<unknown>>>): Promise<void>;
  /** bytes in the file so far */
  bytesWritten(): number;
  /** close for writing: the digest and size of everything written */
  seal(): Promise<{ sha256: string; byteLength: number }>;
};

/** Runs `write` (the audited transaction that fills and seals the file), then serves the file. */
export async function exportCsv<T extends Omit<CsvExport, "body">>(prefix: string, write: (file: CsvExportFile) => Promise<T>): Promise<T & { body: ReadableStream<Uint8Array> }> {
  const file = await createHashedFile(prefix);
  try {
    const written = await write({
      writeRows: (rows) => file.write(formatCsvRows(rows)),
      async streamRows(batches) {
        for await (const rows of batches) await file.write(formatCsvRows(rows));
      },
      bytesWritten: () => file.bytesWritten(),
      seal: () => file.seal(),
    });
    return { ...written, body: file.stream() };
  } catch (error) {
    await file.discard();
    throw error;
  }
}
