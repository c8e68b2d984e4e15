// The events explorer's query string, as one zod schema shared by the page
// (/events), the JSON API (/api/v1/events…) and the data layer. Strict: an
// unknown parameter or a bad value is a 400 that names it. Safe on both sides.
//
// Filters: time (`range` = a quick range back from now, or `from`/`to`),
// `kind` (repeatable or comma-separated), exact-match environment, location,
// identifier and measurement fields, and numeric ranges. Paging: `sort`,
// `limit` (1..500), `cursor` (opaque keyset position from a previous page).
// The page adds `columns` (the column chooser).
import { z } from "zod";
import { cursorCodec, cursorInt4, cursorNumber, cursorTimestamp, cursorUuid } from "@/lib/http/cursor";
import { parseDateTime } from "@/lib/http/input-values";
import {
  booleanParam,
  cursorParam,
  dateTimeParam,
  decimalParam,
  enumParam,
  fromSearchParams,
  integerParam,
  listParam,
  normalizeSearchParams,
  queryObject,
  refuseCursorOfAnotherSort,
  single,
  textParam,
  type RawSearchParams,
} from "@/lib/http/query-params";
import { EVENT_COLUMN_IDS, type EventColumnId } from "./event-columns";
import { EVENT_KINDS, UI_KINDS, type EventKind, type FieldClass } from "./vocabulary";

export const QUICK_RANGES = ["1h", "24h", "7d", "30d"] as const;
export type QuickRange = (typeof QUICK_RANGES)[number];
export const QUICK_RANGE_MS: Record<QuickRange, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };
export const QUICK_RANGE_LABELS: Record<QuickRange, string> = { "1h": "Last hour", "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days" };

/** Sort orders; each is a keyset order ending in `id`, so every page is an index range. */
export const EVENT_SORTS = ["time_desc", "time_asc", "latency_desc", "latency_asc", "certainty_desc", "certainty_asc"] as const;
export type EventSort = (typeof EVENT_SORTS)[number];
export const DEFAULT_EVENT_SORT: EventSort = "time_desc";
export type EventSortKey = "time" | "latency" | "certainty";
export const SORT_KEY_COLUMN: Record<EventSortKey, EventColumnId> = { time: "time", latency: "latencyMs", certainty: "modelCertainty" };
/** The field class a sort key reads (sorting by a value discloses its order). */
export const SORT_KEY_FIELD_CLASS: Record<EventSortKey, FieldClass | null> = { time: null, latency: "measurements", certainty: "measurements" };

export function sortKeyOf(sort: EventSort): EventSortKey {
  return sort.slice(0, sort.lastIndexOf("_")) as EventSortKey;
}
export function isDescending(sort: EventSort): boolean {
  return sort.endsWith("_desc");
}

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;
const TEXT_MAX = 200;

/** The field class of the column each filter reads; filtering by a field discloses it. */
export const FILTER_FIELD_CLASSES = {
  vscodeVersion: "environment",
  extensionVersion: "environment",
  os: "environment",
  uiKind: "environment",
  country: "location",
  region: "location",
  city: "location",
  machineId: "identifiers",
  sessionId: "identifiers",
  errorKind: "measurements",
  redactionFilter: "measurements",
  accepted: "measurements",
  latencyMin: "measurements",
  latencyMax: "measurements",
  certaintyMin: "measurements",
  certaintyMax: "measurements",
} as const satisfies Record<string, FieldClass>;
export type FieldFilterKey = keyof typeof FILTER_FIELD_CLASSES;
export const FIELD_FILTER_KEYS = Object.keys(FILTER_FIELD_CLASSES) as FieldFilterKey[];

// ─── Cursor ──────────────────────────────────────────────────────────────────

/** A keyset position: the sort it belongs to, the last row's sort value and id. */
export type EventCursor = { sort: EventSort; value: string | number; id: string };

const sortsBy = (key: EventSortKey) => EVENT_SORTS.filter((sort) => sortKeyOf(sort) === key) as [EventSort, ...EventSort[]];

/** The sort value's type follows the sort: a timestamp for time, an int4 for latency, a double for certainty. */
const eventCursorCodec = cursorCodec(
  z.union([
    z.strictObject({ s: z.enum(sortsBy("time")), v: cursorTimestamp, i: cursorUuid }),
    z.strictObject({ s: z.enum(sortsBy("latency")), v: cursorInt4, i: cursorUuid }),
    z.strictObject({ s: z.enum(sortsBy("certainty")), v: cursorNumber, i: cursorUuid }),
  ]),
);

export function encodeCursor(cursor: EventCursor): string {
  return eventCursorCodec.encode({ s: cursor.sort, v: cursor.value, i: cursor.id } as never);
}

/** Decodes and checks a cursor; null for anything that is not one this portal made. */
export function decodeCursor(encoded: string): EventCursor | null {
  const payload = eventCursorCodec.decode(encoded);
  return payload ? { sort: payload.s, value: payload.v, id: payload.i } : null;
}

// ─── Schemas (parameters as lib/http/query-params.ts reads them on every list) ─

export { normalizeSearchParams, parseDateTime, type RawSearchParams };

const text = textParam(TEXT_MAX);

const filterShape = {
  range: enumParam(QUICK_RANGES),
  from: dateTimeParam(),
  to: dateTimeParam(),
  kind: listParam(EVENT_KINDS, "event kind"),
  vscodeVersion: text,
  extensionVersion: text,
  os: text,
  uiKind: enumParam(UI_KINDS),
  country: single(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, "must be a two-letter country code")
      .transform((value) => value.toUpperCase()),
  ),
  region: text,
  city: text,
  machineId: text,
  sessionId: text,
  errorKind: text,
  redactionFilter: text,
  accepted: booleanParam(),
  latencyMin: integerParam(0, 3_600_000),
  latencyMax: integerParam(0, 3_600_000),
  certaintyMin: decimalParam(0, 1),
  certaintyMax: decimalParam(0, 1),
};

type RawFilters = z.output<z.ZodObject<typeof filterShape>>;

/** The filters, parsed: every key optional except `kinds` (empty = every permitted kind). */
export type EventFilters = Omit<RawFilters, "kind"> & { kinds: EventKind[] };

function checkFilters(filters: RawFilters, ctx: z.RefinementCtx): void {
  if (filters.range && (filters.from || filters.to)) {
    ctx.addIssue({ code: "custom", path: ["range"], message: "choose a quick range or from/to, not both" });
  }
  if (filters.from && filters.to && filters.from.getTime() >= filters.to.getTime()) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must be later than from" });
  }
  if (filters.latencyMin !== undefined && filters.latencyMax !== undefined && filters.latencyMin > filters.latencyMax) {
    ctx.addIssue({ code: "custom", path: ["latencyMax"], message: "must not be less than latencyMin" });
  }
  if (filters.certaintyMin !== undefined && filters.certaintyMax !== undefined && filters.certaintyMin > filters.certaintyMax) {
    ctx.addIssue({ code: "custom", path: ["certaintyMax"], message: "must not be less than certaintyMin" });
  }
}

function toFilters({ kind, ...rest }: RawFilters): EventFilters {
  return { ...rest, kinds: kind };
}

const columnsParam = listParam(EVENT_COLUMN_IDS, "column", { listKnown: false }).transform((columns) => (columns.length > 0 ? columns : null));

const sortParam = enumParam(EVENT_SORTS).transform((sort) => sort ?? DEFAULT_EVENT_SORT);

/** `GET /api/v1/events/insights` and the charts page: filters only. */
export const eventFilterQuerySchema = fromSearchParams(
  queryObject(filterShape)
    .superRefine(checkFilters)
    .transform((raw) => ({ filters: toFilters(raw) })),
);
export type EventFilterQuery = z.output<typeof eventFilterQuerySchema>;

/** `GET /api/v1/events` and the /events page: filters, sort, page size, cursor, columns. */
export const eventListQuerySchema = fromSearchParams(
  queryObject({
    ...filterShape,
    sort: sortParam,
    limit: integerParam(1, MAX_PAGE_SIZE).transform((limit) => limit ?? DEFAULT_PAGE_SIZE),
    cursor: cursorParam(decodeCursor),
    columns: columnsParam,
  })
    .superRefine(checkFilters)
    .superRefine((raw, ctx) => {
      if (raw.cursor && raw.cursor.sort !== raw.sort) refuseCursorOfAnotherSort(ctx);
    })
    .transform(({ sort, limit, cursor, columns, ...raw }) => ({
      filters: toFilters(raw),
      sort,
      limit,
      cursor: cursor ?? null,
      columns,
    })),
);
export type EventListQuery = z.output<typeof eventListQuerySchema>;

/** `GET /api/v1/events/export`: filters, sort and (optionally) the columns to write. */
export const eventExportQuerySchema = fromSearchParams(
  queryObject({ ...filterShape, sort: sortParam, columns: columnsParam })
    .superRefine(checkFilters)
    .transform(({ sort, columns, ...raw }) => ({ filters: toFilters(raw), sort, columns })),
);
export type EventExportQuery = z.output<typeof eventExportQuerySchema>;

// ─── Back to a query string ──────────────────────────────────────────────────

function formatDateParam(date: Date): string {
  return date.toISOString().replace(/:00\.000Z$/, "Z").replace(/\.000Z$/, "Z");
}

/** The filters as query-string pairs (canonical order), for links that keep the current view. */
export function filtersToSearchParams(filters: EventFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.range) params.set("range", filters.range);
  if (filters.from) params.set("from", formatDateParam(filters.from));
  if (filters.to) params.set("to", formatDateParam(filters.to));
  for (const kind of filters.kinds) params.append("kind", kind);
  for (const key of FIELD_FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined) params.set(key, String(value));
  }
  return params;
}

export type ListParamsOverrides = { sort?: EventSort; limit?: number; cursor?: string | null; columns?: readonly EventColumnId[] | null };

/** Filters plus sort, limit, cursor and columns, leaving defaults out. */
export function listQueryToSearchParams(
  query: { filters: EventFilters; sort: EventSort; limit: number; columns: readonly EventColumnId[] | null },
  overrides: ListParamsOverrides = {},
): URLSearchParams {
  const params = filtersToSearchParams(query.filters);
  const sort = overrides.sort ?? query.sort;
  const limit = overrides.limit ?? query.limit;
  const columns = overrides.columns === undefined ? query.columns : overrides.columns;
  if (sort !== DEFAULT_EVENT_SORT) params.set("sort", sort);
  if (limit !== DEFAULT_PAGE_SIZE) params.set("limit", String(limit));
  if (columns && columns.length > 0) params.set("columns", columns.join(","));
  if (overrides.cursor) params.set("cursor", overrides.cursor);
  return params;
}

/** The export of the current view: filters, sort and the chosen columns (no paging). */
export function exportQueryToSearchParams(query: { filters: EventFilters; sort: EventSort; columns: readonly EventColumnId[] | null }): URLSearchParams {
  const params = filtersToSearchParams(query.filters);
  if (query.sort !== DEFAULT_EVENT_SORT) params.set("sort", query.sort);
  if (query.columns && query.columns.length > 0) params.set("columns", query.columns.join(","));
  return params;
}

/** The kinds a query names, or every kind when it names none. */
export function requestedKinds(filters: EventFilters): EventKind[] {
  return filters.kinds.length > 0 ? filters.kinds : [...EVENT_KINDS];
}
