// The SQL under the explorer: which kinds a query may search, its WHERE
// clause, its keyset order, and a count that stays cheap. Every value travels
// as a bind parameter (Prisma.sql fragments); only fixed keywords chosen by
// this code from closed lists are spliced in as text.
//
// Access predicate: `kind = ANY(permitted ∩ requested)`. A filter or sort on a
// field also discloses that field, so it narrows the kinds further to those on
// which the person's scope grants the field's class; when the person named
// the kinds, every one of them must grant it, otherwise the query is refused
// (403) rather than quietly answered from fewer kinds.
import "server-only";
import { permittedKinds, type TelemetryScope } from "@/lib/access/policy";
import type { FieldSpec } from "@/lib/telemetry/fields";
import {
  FIELD_FILTER_KEYS,
  FIELD_FILTERS,
  FILTER_FIELD_CLASSES,
  SORT_KEY_FIELD,
  QUICK_RANGE_MS,
  SORT_KEY_FIELD_CLASS,
  isDescending,
  sortKeyOf,
  type EventCursor,
  type EventFilters,
  type EventSort,
  type EventSortKey,
  type FieldFilter,
} from "@/lib/telemetry/event-query";
import { EVENT_KIND_LABELS, EVENT_KINDS, type EventKind, type FieldClass } from "@/lib/telemetry/vocabulary";
import { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { estimateKey, type EstimateCache } from "./estimate-cache";

const { sql, join, raw, empty } = Prisma;

export type QueryPlan = {
  /** the kinds the query searches (may be empty: then nothing matches) */
  kinds: EventKind[];
  /** field classes the filters and sort read */
  filterClasses: FieldClass[];
};

/** A parameter of the query that reads a field: a filter, the sort, a facet's field. */
type FieldRead = { param: string; fieldClass: FieldClass; use: string };

/**
 * Decide the kinds to search, or refuse a filter, sort or facet on a field
 * the person may not see (403 naming the parameters: the filter's, `sort`,
 * `field`).
 */
export function planEventQuery(
  scope: TelemetryScope,
  filters: EventFilters,
  sort: EventSort | null,
  facet?: { key: string; label: string; fieldClass: FieldClass | null },
): QueryPlan {
  const reads: FieldRead[] = FIELD_FILTER_KEYS.filter((key) => filters[key] !== undefined).map((key) => ({
    param: key,
    fieldClass: FILTER_FIELD_CLASSES[key],
    use: `filter by ${key}`,
  }));
  const sortClass = sort ? SORT_KEY_FIELD_CLASS[sortKeyOf(sort)] : null;
  if (sort && sortClass) reads.push({ param: "sort", fieldClass: sortClass, use: `sort by ${sortKeyOf(sort)}` });
  if (facet?.fieldClass) reads.push({ param: "field", fieldClass: facet.fieldClass, use: `count the values of ${facet.label} (${facet.key})` });
  const filterClasses = [...new Set<FieldClass>(reads.map((read) => read.fieldClass))];
  const permitted = permittedKinds(scope);
  const requested = filters.kinds.length > 0 ? permitted.filter((kind) => filters.kinds.includes(kind)) : permitted;
  const grants = (kind: EventKind, fieldClass: FieldClass) => scope[kind]?.includes(fieldClass) ?? false;

  for (const fieldClass of filterClasses) {
    const readsOfClass = reads.filter((read) => read.fieldClass === fieldClass);
    const what = readsOfClass.some((read) => read.param !== "sort" && read.param !== "field")
      ? `filter by ${readsOfClass.filter((read) => read.param !== "sort" && read.param !== "field").map((read) => read.param).join(", ")}`
      : readsOfClass[0]!.use;
    const issues = readsOfClass.map((read) => ({ path: read.param, message: `${fieldClass} fields are not in your scope` }));
    if (!permitted.some((kind) => grants(kind, fieldClass))) {
      throw new AppError("forbidden", `You may not ${what}: your access does not include ${fieldClass} fields.`, issues);
    }
    if (filters.kinds.length > 0) {
      const refused = requested.filter((kind) => !grants(kind, fieldClass));
      if (refused.length > 0) {
        throw new AppError(
          "forbidden",
          `You may not ${what} on ${refused.map((kind) => EVENT_KIND_LABELS[kind]).join(", ")} events: your access does not include their ${fieldClass} fields.`,
          issues,
        );
      }
    }
  }
  const kinds = requested.filter((kind) => filterClasses.every((fieldClass) => grants(kind, fieldClass)));
  return { kinds, filterClasses };
}

/** Whether an error is this module's refusal of a filter (403 with the parameters named), not the gate's. */
export function isFilterRefusal(error: unknown): error is AppError {
  return error instanceof AppError && error.code === "forbidden" && error.issues.length > 0;
}

/** The lower time bound: `from`, or now minus the quick range. */
export function resolveFrom(filters: EventFilters, now: Date): Date | null {
  if (filters.from) return filters.from;
  if (filters.range) return new Date(now.getTime() - QUICK_RANGE_MS[filters.range]);
  return null;
}

/**
 * The kinds predicate, written so the planner estimates it well: nothing when
 * every kind is allowed; `kind = …` for one kind (an equality on the first
 * column of the (kind, time, id) index); otherwise whichever of `= ANY(kinds)`
 * and `<> ALL(the other kinds)` lists fewer kinds (the same rows, since kind
 * is NOT NULL; PostgreSQL combines list selectivities as if independent, which
 * is close only for short lists). Arrays are typed event_kind[] directly: a
 * text[] cast to it is not folded at plan time and ruins the estimate.
 */
export function kindCondition(kinds: readonly EventKind[]): Prisma.Sql {
  if (kinds.length === 0) return sql`FALSE`;
  const others = EVENT_KINDS.filter((kind) => !kinds.includes(kind));
  if (others.length === 0) return sql`TRUE`;
  if (kinds.length === 1) return sql`kind = ${kinds[0]}::event_kind`;
  if (others.length === 1) return sql`kind <> ${others[0]}::event_kind`;
  if (others.length < kinds.length) return sql`kind <> ALL(${others}::event_kind[])`;
  return sql`kind = ANY(${[...kinds]}::event_kind[])`;
}

/** Every filter condition except the kinds (ANDed; TRUE when none). */
export function filterConditions(filters: EventFilters, now: Date): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  const from = resolveFrom(filters, now);
  if (from) conditions.push(sql`time >= ${from.toISOString()}::timestamptz`);
  if (filters.to) conditions.push(sql`time < ${filters.to.toISOString()}::timestamptz`);
  for (const filter of FIELD_FILTERS) {
    const value = filters[filter.param];
    if (value !== undefined) conditions.push(fieldCondition(filter, value));
  }
  return conditions;
}

/** LIKE's wildcards and escape character, escaped (LIKE's default escape is the backslash). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/** The SQL type a filter value is compared as. */
const FILTER_CASTS: Partial<Record<FieldSpec["value"], string>> = { int: "int", float: "float8", uiKind: "ui_kind", country: "char(2)", bool: "boolean" };

/**
 * One field filter as SQL, by the registry's filter mode. The forms match the
 * migration's indexes: `lower(column)` (20261202070000_field_registry_filters)
 * and `column text_pattern_ops` for version prefixes.
 */
export function fieldCondition(filter: FieldFilter, value: string | number | boolean): Prisma.Sql {
  // an exclusion keeps events without the field too: they do not have the value
  if (filter.excludes) return sql`(${raw(filter.field.column)} IS NULL OR NOT ${fieldCondition({ ...filter, excludes: undefined }, value)})`;
  const { field, bound } = filter;
  const column = raw(field.column);
  const cast = FILTER_CASTS[field.value];
  const typed = cast ? sql`${value}::${raw(cast)}` : sql`${value}`;
  switch (field.filter.mode) {
    case "range":
      return bound === "max" ? sql`${column} <= ${typed}` : sql`${column} >= ${typed}`;
    case "case-insensitive":
      return sql`lower(${column}) = lower(${value})`;
    case "prefix": {
      const pattern = escapeLike(String(value));
      return sql`(${column} = ${value} OR ${column} LIKE ${`${pattern}.%`} OR ${column} LIKE ${`${pattern}-%`})`;
    }
    case "exact":
    case "enum":
      return sql`${column} = ${typed}`;
    case "none":
      throw new Error(`${field.key} has no filter`);
  }
}

export function and(conditions: readonly Prisma.Sql[]): Prisma.Sql {
  return conditions.length === 0 ? sql`TRUE` : join(conditions, " AND ");
}

// ─── Keyset order ────────────────────────────────────────────────────────────

const SORT_COLUMN = Object.fromEntries(Object.entries(SORT_KEY_FIELD).map(([key, field]) => [key, field.column])) as Record<EventSortKey, string>;
const SORT_CASTS: Partial<Record<FieldSpec["value"], string>> = { timestamp: "timestamptz", int: "int", float: "float8" };
const SORT_CAST = Object.fromEntries(Object.entries(SORT_KEY_FIELD).map(([key, field]) => [key, SORT_CASTS[field.value]])) as Record<EventSortKey, string>;

/** Sorting by a measurement lists only the rows that have it (NULLs have no place in a keyset order). */
export function sortCondition(sort: EventSort): Prisma.Sql | null {
  const key = sortKeyOf(sort);
  return key === "time" ? null : sql`${raw(SORT_COLUMN[key])} IS NOT NULL`;
}

/**
 * `(sort column, id) < (…)` (or `>` ascending; turned round for a cursor that
 * reads `before` its row): a row-value comparison the (column, id) index
 * answers directly.
 */
export function keysetCondition(sort: EventSort, cursor: EventCursor | null): Prisma.Sql | null {
  if (!cursor) return null;
  const key = sortKeyOf(sort);
  const operator = raw(isDescending(sort) !== Boolean(cursor.before) ? "<" : ">");
  const value = key === "time" ? String(cursor.value) : Number(cursor.value);
  return sql`(${raw(SORT_COLUMN[key])}, id) ${operator} (${value}::${raw(SORT_CAST[key])}, ${cursor.id}::uuid)`;
}

/** The sort's ORDER BY; `reversed`: the other way round (a page read backwards from a `before` cursor). */
export function orderBy(sort: EventSort, reversed = false): Prisma.Sql {
  const direction = isDescending(sort) !== reversed ? "DESC" : "ASC";
  return raw(`ORDER BY ${SORT_COLUMN[sortKeyOf(sort)]} ${direction}, id ${direction}`);
}

/** The keyset position after `row` (a row selecting the sort's column) in `sort`. */
export function cursorAfter(sort: EventSort, row: { id: string } & Record<string, unknown>): EventCursor {
  const field = SORT_KEY_FIELD[sortKeyOf(sort)];
  const value = row[field.column];
  return { sort, value: value instanceof Date ? value.toISOString() : Number(value), id: row.id };
}

/**
 * The page query: selected columns, WHERE, keyset, ORDER BY, LIMIT. With a
 * `before` cursor the rows come nearest-first (the sort reversed): the caller
 * turns them round (pageRows).
 */
export function pageQuery(
  columns: Prisma.Sql,
  where: Prisma.Sql,
  sort: EventSort,
  cursor: EventCursor | null,
  limit: number,
): Prisma.Sql {
  const keyset = keysetCondition(sort, cursor);
  return sql`SELECT ${columns} FROM telemetry_event WHERE ${where}${keyset ? sql` AND ${keyset}` : empty} ${orderBy(sort, Boolean(cursor?.before))} LIMIT ${limit}::int`;
}

/** The keyset position before `row` (the previous page ends just before it). */
export function cursorBefore(sort: EventSort, row: { id: string } & Record<string, unknown>): EventCursor {
  return { ...cursorAfter(sort, row), before: true };
}

export type PagedRows<R> = {
  /** the page, in the sort's order */
  rows: R[];
  /** rows exist after the page's last row (in the sort's order) */
  hasAfter: boolean;
  /** rows exist before the page's first row */
  hasBefore: boolean;
  /** rows of the list before the page's first row, when the cursor carried it (0 on the first page) */
  offset: number | null;
};

/**
 * One page from the rows of a pageQuery asked for `limit + 1` rows. Forwards
 * (no cursor, or one after a row) the extra row says whether a next page
 * exists; backwards (a `before` cursor) it says whether a previous one does,
 * and the rows are turned round into the sort's order. The row a before-cursor
 * names exists after the page, so a previous page always has a next.
 */
export function pageRows<R>(fetched: readonly R[], cursor: EventCursor | null, limit: number): PagedRows<R> {
  const extra = fetched.length > limit;
  const page = fetched.slice(0, limit);
  if (cursor?.before) {
    page.reverse();
    const offset = cursor.offset !== undefined ? Math.max(0, cursor.offset - page.length) : null;
    return { rows: page, hasAfter: true, hasBefore: extra, offset: extra ? offset : 0 };
  }
  return { rows: page, hasAfter: extra, hasBefore: cursor !== null, offset: cursor ? (cursor.offset ?? null) : 0 };
}

/** The WHERE of a list query, without the keyset: kinds, filters and the sort's NOT NULL. */
export function listWhere(kinds: readonly EventKind[], filters: EventFilters, sort: EventSort | null, now: Date): Prisma.Sql {
  const conditions = [kindCondition(kinds), ...filterConditions(filters, now)];
  const sorted = sort ? sortCondition(sort) : null;
  if (sorted) conditions.push(sorted);
  return and(conditions);
}

// ─── Counting ────────────────────────────────────────────────────────────────

export type RawRunner = { $queryRaw<T = unknown>(query: Prisma.Sql): Promise<T> };

/** Exact count, stopping at threshold + 1 rows. */
export function limitedCountQuery(where: Prisma.Sql, threshold: number): Prisma.Sql {
  return sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM telemetry_event WHERE ${where} LIMIT ${threshold + 1}::int) AS limited`;
}

export function estimateQuery(where: Prisma.Sql): Prisma.Sql {
  return sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM telemetry_event WHERE ${where}`;
}

/** The planner's row estimate from EXPLAIN (FORMAT JSON) output. */
export function planRows(rows: ReadonlyArray<Record<string, unknown>>): number {
  const first = rows[0];
  let plan = first ? Object.values(first)[0] : undefined;
  if (typeof plan === "string") plan = JSON.parse(plan) as unknown;
  const estimate = Array.isArray(plan) ? (plan[0] as { Plan?: { "Plan Rows"?: unknown } } | undefined)?.Plan?.["Plan Rows"] : undefined;
  return typeof estimate === "number" && Number.isFinite(estimate) ? Math.round(estimate) : 0;
}

/** An estimate this far above the threshold is trusted without counting. */
export const ESTIMATE_TRUST_FACTOR = 10;

/**
 * How many rows match, cheaply. First the planner's estimate (EXPLAIN, no
 * rows read): when it is far above the threshold, it is the answer, labelled
 * as an estimate. Otherwise an exact count that reads at most threshold + 1
 * rows: exact while there are at most `threshold`; above it, the estimate,
 * never below threshold + 1 (we know at least that many match).
 */
export async function countEvents(
  runner: RawRunner,
  where: Prisma.Sql,
  threshold: number,
  /** estimated totals recently given for the same WHERE (./estimate-cache.ts); exact ones are never kept */
  estimates?: EstimateCache,
): Promise<{ value: number; exact: boolean }> {
  const key = estimates ? estimateKey(where, threshold) : null;
  const kept = key ? estimates?.get(key) : undefined;
  if (kept !== undefined) return { value: kept, exact: false };
  const total = await countFresh(runner, where, threshold);
  if (key && !total.exact) estimates?.set(key, total.value);
  return total;
}

async function countFresh(runner: RawRunner, where: Prisma.Sql, threshold: number): Promise<{ value: number; exact: boolean }> {
  const estimate = planRows(await runner.$queryRaw<Array<Record<string, unknown>>>(estimateQuery(where)));
  if (estimate > threshold * ESTIMATE_TRUST_FACTOR) return { value: estimate, exact: false };
  const counted = await runner.$queryRaw<Array<{ n: number }>>(limitedCountQuery(where, threshold));
  const exact = Number(counted[0]?.n ?? 0);
  if (exact <= threshold) return { value: exact, exact: true };
  return { value: Math.max(estimate, threshold + 1), exact: false };
}
