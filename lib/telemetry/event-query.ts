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
import { enumValues, FIELD_LIST, type FieldKey, type Fields, type FieldSpec } from "./fields";
import { EVENT_KINDS, type EventKind, type FieldClass, type UiKind } from "./vocabulary";

export const QUICK_RANGES = ["1h", "24h", "7d", "30d"] as const;
export type QuickRange = (typeof QUICK_RANGES)[number];
export const QUICK_RANGE_MS: Record<QuickRange, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };
export const QUICK_RANGE_LABELS: Record<QuickRange, string> = { "1h": "Last hour", "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days" };

/** Sort orders (the registry's sortable fields); each is a keyset order ending in `id`, so every page is an index range. */
type SortFieldKey = { [K in FieldKey]: Fields[K] extends { sort: string } ? K : never }[FieldKey];
export type EventSortKey = Fields[SortFieldKey]["sort"];
export type EventSort = `${EventSortKey}_${"desc" | "asc"}`;
const SORT_FIELDS = FIELD_LIST.filter((field) => field.sort !== undefined);
export const EVENT_SORTS = SORT_FIELDS.flatMap((field) => [`${field.sort}_desc`, `${field.sort}_asc`]) as [EventSort, ...EventSort[]];
export const DEFAULT_EVENT_SORT: EventSort = "time_desc";
/** The field each sort key orders by. */
export const SORT_KEY_FIELD = Object.fromEntries(SORT_FIELDS.map((field) => [field.sort, field])) as Record<EventSortKey, FieldSpec & { key: FieldKey }>;
export const SORT_KEY_COLUMN = Object.fromEntries(SORT_FIELDS.map((field) => [field.sort, field.key])) as Record<EventSortKey, EventColumnId>;
/** The field class a sort key reads (sorting by a value discloses its order). */
export const SORT_KEY_FIELD_CLASS = Object.fromEntries(SORT_FIELDS.map((field) => [field.sort, field.fieldClass])) as Record<EventSortKey, FieldClass | null>;

export function sortKeyOf(sort: EventSort): EventSortKey {
  return sort.slice(0, sort.lastIndexOf("_")) as EventSortKey;
}
export function isDescending(sort: EventSort): boolean {
  return sort.endsWith("_desc");
}

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;
const TEXT_MAX = 200;

// ─── Filters, from the field registry ────────────────────────────────────────

type FilterFieldKey = { [K in FieldKey]: Fields[K]["filter"]["mode"] extends "none" ? never : K }[FieldKey];
type RangeFieldKey = { [K in FilterFieldKey]: Fields[K]["filter"] extends { mode: "range" } ? K : never }[FilterFieldKey];
type ValueFilterKey = Exclude<FilterFieldKey, RangeFieldKey>;
type RangeParams<K extends RangeFieldKey> = Fields[K]["filter"] extends { param: infer P extends string } ? `${P}Min` | `${P}Max` : never;
/** A field filter's query parameter: the field's key, or `<param>Min`/`<param>Max` for a range. */
type ExcludeKey = `not${Capitalize<ValueFilterKey>}`;
type ExcludedField<P extends ExcludeKey> = { [K in ValueFilterKey]: `not${Capitalize<K>}` extends P ? K : never }[ValueFilterKey];
/** A field filter's query parameter: the field's key, `not<Key>` to exclude a value, or `<param>Min`/`<param>Max` for a range. */
export type FieldFilterKey = ValueFilterKey | ExcludeKey | { [K in RangeFieldKey]: RangeParams<K> }[RangeFieldKey];
type ValueOf<K extends ValueFilterKey> = Fields[K]["value"] extends "bool" ? boolean : Fields[K]["value"] extends "uiKind" ? UiKind : string;
type FilterValue<P extends FieldFilterKey> = P extends ValueFilterKey ? ValueOf<P> : P extends ExcludeKey ? ValueOf<ExcludedField<P>> : number;
export type FieldFilters = { [P in FieldFilterKey]?: FilterValue<P> };

/** One filter parameter: the field it reads and how (a range has two, `min` and `max`). */
export type FieldFilter = {
  param: FieldFilterKey;
  field: FieldSpec & { key: FieldKey };
  bound?: "min" | "max";
  /** `not<Key>`: events whose value is not this one (a modifier-click on a table cell) */
  excludes?: true;
};

/** Every field filter, in registry order. */
export const FIELD_FILTERS: readonly FieldFilter[] = FIELD_LIST.flatMap((field): FieldFilter[] => {
  const { filter } = field;
  if (filter.mode === "none") return [];
  if (filter.mode === "range") {
    return [
      { param: `${filter.param}Min` as FieldFilterKey, field, bound: "min" },
      { param: `${filter.param}Max` as FieldFilterKey, field, bound: "max" },
    ];
  }
  const exclude = `not${field.key.charAt(0).toUpperCase()}${field.key.slice(1)}` as FieldFilterKey;
  return [
    { param: field.key as FieldFilterKey, field },
    { param: exclude, field, excludes: true },
  ];
});
export const FIELD_FILTER_KEYS: readonly FieldFilterKey[] = FIELD_FILTERS.map((filter) => filter.param);
export const FIELD_FILTER_BY_PARAM = Object.fromEntries(FIELD_FILTERS.map((filter) => [filter.param, filter])) as Record<FieldFilterKey, FieldFilter>;

/** The field class of the column each filter reads; filtering by a field discloses it. */
export const FILTER_FIELD_CLASSES = Object.fromEntries(FIELD_FILTERS.map((filter) => [filter.param, filter.field.fieldClass])) as Record<
  FieldFilterKey,
  FieldClass
>;

// ─── Cursor ──────────────────────────────────────────────────────────────────

/**
 * A keyset position: the sort it belongs to, a row's sort value and id, and
 * which way the page goes from it — after the row (the next page; the
 * default) or before it (`before`: the previous page, read backwards and
 * turned round, so it holds exactly the rows that preceded). `offset`: how
 * many rows of the list come before the page's first row (after) or before
 * the row itself (before), carried so the page can say "rows 51–100".
 */
export type EventCursor = { sort: EventSort; value: string | number; id: string; before?: boolean; offset?: number };

/** The largest row offset a cursor carries (beyond it, the position is not shown). */
export const MAX_CURSOR_OFFSET = 1_000_000_000;

const sortsBy = (key: EventSortKey) => EVENT_SORTS.filter((sort) => sortKeyOf(sort) === key) as [EventSort, ...EventSort[]];

/** The sort value's type follows the sort's field: a timestamp for time, an int4 for latency, a double for certainty. */
const CURSOR_VALUES = { timestamp: cursorTimestamp, int: cursorInt4, float: cursorNumber } as const;
const eventCursorCodec = cursorCodec(
  z.union(
    SORT_FIELDS.map((field) =>
      z.strictObject({
        s: z.enum(sortsBy(field.sort as EventSortKey)),
        v: CURSOR_VALUES[field.value as keyof typeof CURSOR_VALUES],
        i: cursorUuid,
        d: z.literal("b").optional(),
        o: z.number().int().min(0).max(MAX_CURSOR_OFFSET).optional(),
      }),
    ) as unknown as [
      z.ZodObject<{ s: z.ZodType<EventSort>; v: z.ZodType<string | number>; i: z.ZodType<string>; d: z.ZodOptional<z.ZodLiteral<"b">>; o: z.ZodOptional<z.ZodNumber> }>,
    ],
  ),
);

export function encodeCursor(cursor: EventCursor): string {
  const offset = cursor.offset !== undefined && cursor.offset <= MAX_CURSOR_OFFSET ? { o: Math.max(0, Math.trunc(cursor.offset)) } : {};
  return eventCursorCodec.encode({ s: cursor.sort, v: cursor.value, i: cursor.id, ...(cursor.before ? { d: "b" } : {}), ...offset } as never);
}

/** Decodes and checks a cursor; null for anything that is not one this portal made. */
export function decodeCursor(encoded: string): EventCursor | null {
  const payload = eventCursorCodec.decode(encoded);
  if (!payload) return null;
  return {
    sort: payload.s,
    value: payload.v,
    id: payload.i,
    ...(payload.d === "b" ? { before: true } : {}),
    ...(payload.o !== undefined ? { offset: payload.o } : {}),
  };
}

// ─── Schemas (parameters as lib/http/query-params.ts reads them on every list) ─

export { normalizeSearchParams, parseDateTime, type RawSearchParams };

const text = textParam(TEXT_MAX);

const countryCode = single(
  z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, "must be a two-letter country code")
    .transform((value) => value.toUpperCase()),
);

/** The query parameter of one field filter. */
function filterParam({ field, bound }: FieldFilter): z.ZodType {
  const { filter } = field;
  if (filter.mode === "range") {
    const [min, max] = [filter.min, filter.max];
    return filter.step === "integer" ? integerParam(min, max) : decimalParam(min, max);
  }
  if (bound) throw new Error(`${field.key}: a bound on a filter that is not a range`);
  if (filter.mode === "enum") return field.value === "bool" ? booleanParam() : enumParam(enumValues(field) as [string, ...string[]]);
  if (field.value === "country") return countryCode;
  return text;
}

const fieldFilterShape = Object.fromEntries(FIELD_FILTERS.map((filter) => [filter.param, filterParam(filter)])) as unknown as {
  [P in FieldFilterKey]: z.ZodOptional<z.ZodType<FilterValue<P>>>;
};

const filterShape = {
  range: enumParam(QUICK_RANGES),
  from: dateTimeParam(),
  to: dateTimeParam(),
  kind: listParam(EVENT_KINDS, "event kind"),
  ...fieldFilterShape,
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
  for (const field of FIELD_LIST) {
    if (field.filter.mode !== "range") continue;
    const [minKey, maxKey] = [`${field.filter.param}Min`, `${field.filter.param}Max`] as FieldFilterKey[];
    const [min, max] = [filters[minKey!], filters[maxKey!]] as Array<number | undefined>;
    if (min !== undefined && max !== undefined && min > max) ctx.addIssue({ code: "custom", path: [maxKey!], message: `must not be less than ${minKey}` });
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

// ─── Facets ──────────────────────────────────────────────────────────────────

type FacetFieldKey = { [K in FieldKey]: Fields[K]["facetable"] extends true ? K : never }[FieldKey];
export type { FacetFieldKey };
/** The registry's facetable fields, in registry order. */
export const FACET_FIELDS = FIELD_LIST.filter((field) => field.facetable);
export const FACET_FIELD_KEYS = FACET_FIELDS.map((field) => field.key) as [FacetFieldKey, ...FacetFieldKey[]];
export const MAX_FACET_VALUES = 50;
export const DEFAULT_FACET_VALUES = 10;

/** The filters without a field's own filter (a facet counts the alternatives to it). */
export function withoutFieldFilter(filters: EventFilters, key: FieldKey): EventFilters {
  const rest: Record<string, unknown> = { ...filters };
  for (const filter of FIELD_FILTERS) if (filter.field.key === key) delete rest[filter.param];
  return rest as EventFilters;
}

/** `GET /api/v1/events/facets`: the filters, the field (`field`) and how many values (`limit`, 1..50, default 10). */
export const eventFacetQuerySchema = fromSearchParams(
  queryObject({
    ...filterShape,
    field: z.preprocess(
      (value, ctx) => {
        if (!Array.isArray(value)) return value;
        if (value.length === 1) return value[0];
        ctx.addIssue({ code: "custom", message: "may be given only once" });
        return z.NEVER;
      },
      z.enum(FACET_FIELD_KEYS, {
        error: (issue) => (issue.input === undefined ? `is required: one of ${FACET_FIELD_KEYS.join(", ")}` : `must be one of ${FACET_FIELD_KEYS.join(", ")}`),
      }),
    ),
    limit: integerParam(1, MAX_FACET_VALUES).transform((limit) => limit ?? DEFAULT_FACET_VALUES),
  })
    .superRefine(checkFilters)
    .transform(({ field, limit, ...raw }) => ({ filters: toFilters(raw), field, limit })),
);
export type EventFacetQuery = z.output<typeof eventFacetQuerySchema>;
