// Next's searchParams object ↔ URLSearchParams, keeping repeated keys.
import type { RawSearchParams } from "./event-query";

export function toUrlSearchParams(raw: RawSearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, item);
  }
  return params;
}

/** `path?query`, or just `path` when there is no query. */
export function withQuery(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** Parameters a form may repeat that travel as one comma-separated value. */
const LIST_PARAMETERS = new Set(["kind", "columns"]);

/**
 * A GET form's fields as a compact query: no empty values (a form submits
 * every blank field), list parameters joined with commas (`kind=a,b`), and
 * values equal to their default left out (`defaults`; a list compares as a set).
 */
export function compactFormParams(entries: Iterable<[string, string]>, defaults: Readonly<Record<string, string>> = {}): URLSearchParams {
  const values = new Map<string, string[]>();
  for (const [key, value] of entries) {
    const trimmed = value.trim();
    if (trimmed !== "") values.set(key, [...(values.get(key) ?? []), trimmed]);
  }
  const params = new URLSearchParams();
  for (const [key, list] of values) {
    const joined = LIST_PARAMETERS.has(key) ? [list.join(",")] : list;
    const fallback = defaults[key];
    if (fallback !== undefined && sameValue(joined.join(","), fallback, LIST_PARAMETERS.has(key))) continue;
    for (const value of joined) params.append(key, value);
  }
  return params;
}

function sameValue(value: string, fallback: string, isList: boolean): boolean {
  if (!isList) return value === fallback;
  const set = (text: string) => [...new Set(text.split(",").filter(Boolean))].sort().join(",");
  return set(value) === set(fallback);
}

/** Next's searchParams without empty values (the same view; a compact URL carries no `key=`). */
export function compactSearchParams(raw: RawSearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of toUrlSearchParams(raw)) if (value.trim() !== "") params.append(key, value);
  return params;
}
