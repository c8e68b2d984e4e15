// Display formatting for telemetry values (UTC times, ratios, ids), shared by
// the explorer's server pages and client components. Times and numbers come
// from the portal's one format (lib/format).
import { formatDateTime } from "@/lib/format/date-time";

export { formatCount, formatPercent } from "@/lib/format/number";

/** 2026-11-20 09:30:12.345 (UTC; the caller or a column heading says "UTC"); `false`: to the second. */
export function formatUtc(iso: string, withMilliseconds = true): string {
  return formatDateTime(iso, { precision: withMilliseconds ? "millisecond" : "second", suffix: false });
}

/** A long pseudonymous id shortened for a table cell (the full id goes in a title). */
export function shortId(id: string, keep = 12): string {
  return id.length > keep + 1 ? `${id.slice(0, keep)}…` : id;
}

/** `value` as text for a props list or a cell; "—" for nothing. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.map(String).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
