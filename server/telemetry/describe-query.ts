// What an explorer query asked for, as the JSON an audit row keeps in
// `filters`: the parsed filters (dates as ISO), the time bound a quick range
// resolved to, the kinds actually searched, and paging. Never result content.
import "server-only";
import { FIELD_FILTER_KEYS, type EventCursor, type EventFilters, type EventSort } from "@/lib/telemetry/event-query";
import type { EventKind } from "@/lib/telemetry/vocabulary";
import { resolveFrom } from "./event-sql";

export type QueryDescription = Record<string, string | number | boolean | null | string[] | Record<string, string | number>>;

export function describeQuery(
  filters: EventFilters,
  searchedKinds: readonly EventKind[],
  now: Date,
  paging: { sort?: EventSort; limit?: number; cursor?: EventCursor | null } = {},
): QueryDescription {
  const description: QueryDescription = {};
  if (filters.range) description.range = filters.range;
  const from = resolveFrom(filters, now);
  if (from) description.from = from.toISOString();
  if (filters.to) description.to = filters.to.toISOString();
  if (filters.kinds.length > 0) description.kind = [...filters.kinds];
  for (const key of FIELD_FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined) description[key] = value;
  }
  description.searchedKinds = [...searchedKinds];
  if (paging.sort) description.sort = paging.sort;
  if (paging.limit !== undefined) description.limit = paging.limit;
  // a previous page is recorded as `before` its row, so the audit says which rows the page held
  if (paging.cursor) description[paging.cursor.before ? "before" : "after"] = { value: paging.cursor.value, id: paging.cursor.id };
  return description;
}
