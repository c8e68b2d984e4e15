// Display formatting for telemetry values (UTC times, ratios, ids), shared by
// the explorer's server pages and client components.

/** 2026-11-20 09:30:12.345 (UTC) */
export function formatUtc(iso: string, withMilliseconds = true): string {
  const text = iso.replace("T", " ").replace(/Z$/, "");
  return withMilliseconds ? text : text.replace(/\.\d+$/, "");
}

export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

export function formatPercent(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
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
