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
import { fromBase64Url, toBase64Url } from "@/lib/base64url";
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

// ─── Raw input ───────────────────────────────────────────────────────────────

export type RawSearchParams = Record<string, string | string[] | undefined>;

/** URLSearchParams or Next's searchParams → one string per key, or an array when repeated; empty values dropped. */
export function normalizeSearchParams(input: unknown): unknown {
  let entries: Array<[string, unknown]>;
  if (input instanceof URLSearchParams) entries = [...new Set(input.keys())].map((key) => [key, input.getAll(key)]);
  else if (input !== null && typeof input === "object" && !Array.isArray(input)) entries = Object.entries(input);
  else return input; // zod then says what it expected
  const result: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const values = (Array.isArray(value) ? value : [value]).filter((item) => item !== undefined && item !== "");
    if (values.length === 0) continue;
    result[key] = values.length === 1 ? values[0] : values;
  }
  return result;
}

/** A parameter that may appear once. */
function once<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (Array.isArray(value)) {
      if (value.length === 1) return value[0];
      ctx.addIssue({ code: "custom", message: "may be given only once" });
      return z.NEVER;
    }
    return value;
  }, schema.optional());
}

const text = once(z.string().trim().min(1, "must not be empty").max(TEXT_MAX, `must be at most ${TEXT_MAX} characters`));

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO 8601 date or date-time; without an offset it is read as UTC (the portal shows UTC). */
export function parseDateTime(value: string): Date | null {
  const match = DATE_TIME.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", fraction = "0", zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const base = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), Math.floor(Number(`0.${fraction}`) * 1000));
  const check = new Date(base);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return null;
  }
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4));
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  const time = base - offsetMinutes * 60_000;
  return Number.isFinite(time) && year >= 1970 && year <= 9999 ? new Date(time) : null;
}

const dateTime = once(
  z.string().transform((value, ctx) => {
    const parsed = parseDateTime(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date-time, e.g. 2026-11-20T09:30Z (no offset means UTC)" });
      return z.NEVER;
    }
    return parsed;
  }),
);

/** Whole numbers given as query-string text (no exponents, no blanks). */
const integer = (min: number, max: number) =>
  once(
    z
      .string()
      .trim()
      .regex(/^-?\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
  );

const decimal = (min: number, max: number) =>
  once(
    z
      .string()
      .trim()
      .regex(/^-?(\d+(\.\d*)?|\.\d+)$/, "must be a number")
      .transform(Number)
      .pipe(z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`)),
  );

/** Repeatable and/or comma-separated values of an enum. */
function listOf<T extends readonly [string, ...string[]]>(values: T, noun: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value, ctx) => {
      const items = (value === undefined ? [] : Array.isArray(value) ? value : [value])
        .flatMap((item) => item.split(","))
        .map((item) => item.trim())
        .filter(Boolean);
      const unknown = items.filter((item) => !(values as readonly string[]).includes(item));
      if (unknown.length > 0) {
        ctx.addIssue({ code: "custom", message: `unknown ${noun} ${unknown.map((item) => JSON.stringify(item)).join(", ")}; expected one of ${values.join(", ")}` });
        return z.NEVER;
      }
      return [...new Set(items)] as Array<T[number]>;
    });
}

const booleanFlag = once(
  z.enum(["true", "false"], { error: 'must be "true" or "false"' }).transform((value) => value === "true"),
);

// ─── Cursor ──────────────────────────────────────────────────────────────────

/** A keyset position: the sort it belongs to, the last row's sort value and id. */
export type EventCursor = { sort: EventSort; value: string | number; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const cursorPayloadSchema = z.strictObject({
  s: z.enum(EVENT_SORTS),
  v: z.union([z.string().max(40), z.number().finite()]),
  i: z.string().regex(UUID),
});

export function encodeCursor(cursor: EventCursor): string {
  return toBase64Url(JSON.stringify({ s: cursor.sort, v: cursor.value, i: cursor.id }));
}

/** Decodes and checks a cursor; null for anything that is not one this portal made. */
export function decodeCursor(encoded: string): EventCursor | null {
  if (encoded.length > 300) return null;
  const json = fromBase64Url(encoded);
  if (json === null) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = cursorPayloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  const { s: sort, v: value, i: id } = parsed.data;
  if (sortKeyOf(sort) === "time") {
    if (typeof value !== "string" || parseDateTime(value) === null) return null;
  } else if (typeof value !== "number") {
    return null;
  }
  return { sort, value, id: id.toLowerCase() };
}

const CURSOR_INVALID = "is not valid; start again from the first page";

const cursorParam = once(
  z.string().transform((value, ctx) => {
    const cursor = decodeCursor(value.trim());
    if (!cursor) {
      ctx.addIssue({ code: "custom", message: CURSOR_INVALID });
      return z.NEVER;
    }
    return cursor;
  }),
);

// ─── Schemas ─────────────────────────────────────────────────────────────────

const filterShape = {
  range: once(z.enum(QUICK_RANGES, { error: `must be one of ${QUICK_RANGES.join(", ")}` })),
  from: dateTime,
  to: dateTime,
  kind: listOf(EVENT_KINDS, "event kind"),
  vscodeVersion: text,
  extensionVersion: text,
  os: text,
  uiKind: once(z.enum(UI_KINDS, { error: `must be one of ${UI_KINDS.join(", ")}` })),
  country: once(
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
  accepted: booleanFlag,
  latencyMin: integer(0, 3_600_000),
  latencyMax: integer(0, 3_600_000),
  certaintyMin: decimal(0, 1),
  certaintyMax: decimal(0, 1),
};

type RawFilters = z.output<z.ZodObject<typeof filterShape>>;

/** The filters, parsed: every key optional except `kinds` (empty = every permitted kind). */
export type EventFilters = Omit<RawFilters, "kind"> & { kinds: EventKind[] };

/** Unknown parameters are named in the 400. */
const STRICT = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys" && issue.keys
      ? `unknown parameter${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}`
      : undefined,
};

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

const columnsParam = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return null;
    const items = (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(",")).map((item) => item.trim()).filter(Boolean);
    const unknown = items.filter((item) => !(EVENT_COLUMN_IDS as readonly string[]).includes(item));
    if (unknown.length > 0) {
      ctx.addIssue({ code: "custom", message: `unknown column ${unknown.map((item) => JSON.stringify(item)).join(", ")}` });
      return z.NEVER;
    }
    return [...new Set(items)] as EventColumnId[];
  });

const sortParam = once(z.enum(EVENT_SORTS, { error: `must be one of ${EVENT_SORTS.join(", ")}` })).transform((sort) => sort ?? DEFAULT_EVENT_SORT);

/** `GET /api/v1/events/insights` and the charts page: filters only. */
export const eventFilterQuerySchema = z.preprocess(
  normalizeSearchParams,
  z
    .strictObject(filterShape, STRICT)
    .superRefine(checkFilters)
    .transform((raw) => ({ filters: toFilters(raw) })),
);
export type EventFilterQuery = z.output<typeof eventFilterQuerySchema>;

/** `GET /api/v1/events` and the /events page: filters, sort, page size, cursor, columns. */
export const eventListQuerySchema = z.preprocess(
  normalizeSearchParams,
  z
    .strictObject({
      ...filterShape,
      sort: sortParam,
      limit: integer(1, MAX_PAGE_SIZE).transform((limit) => limit ?? DEFAULT_PAGE_SIZE),
      cursor: cursorParam,
      columns: columnsParam,
    }, STRICT)
    .superRefine(checkFilters)
    .superRefine((raw, ctx) => {
      if (raw.cursor && raw.cursor.sort !== raw.sort) {
        ctx.addIssue({ code: "custom", path: ["cursor"], message: `${CURSOR_INVALID} (it belongs to another sort order)` });
      }
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
export const eventExportQuerySchema = z.preprocess(
  normalizeSearchParams,
  z
    .strictObject({ ...filterShape, sort: sortParam, columns: columnsParam }, STRICT)
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
