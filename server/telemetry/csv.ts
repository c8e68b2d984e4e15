// CSV (RFC 4180, CRLF line ends) for the events export. Text cells that a
// spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a leading
// apostrophe: telemetry values come from outside and must not execute.
import "server-only";
import type { EventColumnId } from "@/lib/telemetry/event-columns";
import type { EventDto } from "@/lib/telemetry/event-types";

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  let text: string;
  if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else if (Array.isArray(value)) text = value.map(String).join(";");
  else if (typeof value === "object") text = JSON.stringify(value);
  else {
    text = String(value);
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(columns: readonly EventColumnId[]): string {
  return `${["id", ...columns].map(csvCell).join(",")}\r\n`;
}

/** One event as a CSV line; a column outside the person's scope for this kind is an empty cell. */
export function csvLine(event: EventDto, columns: readonly EventColumnId[]): string {
  const record = event as Record<string, unknown>;
  return `${[csvCell(event.id), ...columns.map((column) => csvCell(record[column]))].join(",")}\r\n`;
}
