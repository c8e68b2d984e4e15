// The HTTP response of every CSV export (events, audit trail, access list),
// with one header vocabulary: the row count, the SHA-256 of the file (the value
// in the export's audit row) and whether the export stopped at the cap.
import "server-only";
import type { CsvExport } from "./csv-export";

export const EXPORT_HEADERS = {
  /** data rows in the file, the header not counted */
  rowCount: "X-Export-Row-Count",
  /** SHA-256 (hex) of the file's bytes, as recorded in the export's audit row */
  sha256: "X-Export-Sha256",
  /** "true" when more rows matched than the cap allows, else "false" */
  truncated: "X-Export-Truncated",
  /** the cap (EXPORT_MAX_ROWS) */
  maxRows: "X-Export-Max-Rows",
} as const;

export function csvExportResponse(file: CsvExport): Response {
  return new Response(file.body, {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Content-Length": String(file.byteLength),
      "Cache-Control": "private, no-store, max-age=0",
      "X-Content-Type-Options": "nosniff",
      [EXPORT_HEADERS.rowCount]: String(file.rowCount),
      [EXPORT_HEADERS.sha256]: file.sha256,
      [EXPORT_HEADERS.truncated]: String(file.truncated),
      [EXPORT_HEADERS.maxRows]: String(file.maxRows),
    },
  });
}
