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
import {
  FIELD_FILTER_KEYS,
  FILTER_FIELD_CLASSES,
  QUICK_RANGE_MS,
  SORT_KEY_FIELD_CLASS,
  isDescending,
  sortKeyOf,
  type EventCursor,
  type EventFilters,
  type EventSort,
  type FieldFilterKey,
} from "@/lib/telemetry/event-query";
import { EVENT_KIND_LABELS, EVENT_KINDS, type EventKind, type FieldClass } from "@/lib/telemetry/vocabulary";
import { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";

const { sql, join, raw, empty } = Prisma;

export type QueryPlan = {
  /** the kinds the query searches (may be empty: then nothing matches) */
  kinds: EventKind[];
  /** field classes the filters and sort read */
  filterClasses: FieldClass[];
};

/** Decide the kinds to search, or refuse a filter on a field the person may not see. */
export function planEventQuery(scope: TelemetryScope, filters: EventFilters, sort: EventSort | null): QueryPlan {
  const used = FIELD_FILTER_KEYS.filter((key) => filters[key] !== undefined);
  const sortClass = sort ? SORT_KEY_FIELD_CLASS[sortKeyOf(sort)] : null;
  const filterClasses = [...new Set<FieldClass>([...used.map((key) => FILTER_FIELD_CLASSES[key]), ...(sortClass ? [sortClass] : [])])];
  const permitted = permittedKinds(scope);
  const requested = filters.kinds.length > 0 ? permitted.filter((kind) => filters.kinds.includes(kind)) : permitted;
  const grants = (kind: EventKind, fieldClass: FieldClass) => scope[kind]?.includes(fieldClass) ?? false;

  for (const fieldClass of filterClasses) {
    const what = describeUse(fieldClass, used, sort);
    const issues = fieldIssues(fieldClass, used, sort);
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

/** The refused parameters, named (a filter refusal always carries issues; the gate's own refusals carry none). */
function fieldIssues(fieldClass: FieldClass, used: FieldFilterKey[], sort: EventSort | null): Array<{ path: string; message: string }> {
  const keys: string[] = used.filter((key) => FILTER_FIELD_CLASSES[key] === fieldClass);
  if (sort && SORT_KEY_FIELD_CLASS[sortKeyOf(sort)] === fieldClass) keys.push("sort");
  return keys.map((key) => ({ path: key, message: `${fieldClass} fields are not in your scope` }));
}

/** Whether an error is this module's refusal of a filter (403 with the parameters named), not the gate's. */
export function isFilterRefusal(error: unknown): error is AppError {
  return error instanceof AppError && error.code === "forbidden" && error.issues.length > 0;
}

function describeUse(fieldClass: FieldClass, used: FieldFilterKey[], sort: EventSort | null): string {
  const keys = used.filter((key) => FILTER_FIELD_CLASSES[key] === fieldClass);
  if (keys.length > 0) return `filter by ${keys.join(", ")}`;
  return `sort by ${sort ? sortKeyOf(sort) : "this field"}`;
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
  const equal = (column: string, value: string | undefined) => {
    if (value !== undefined) conditions.push(sql`${raw(column)} = ${value}`);
  };
  equal("vscode_version", filters.vscodeVersion);
  equal("extension_version", filters.extensionVersion);
  equal("os", filters.os);
  if (filters.uiKind) conditions.push(sql`ui_kind = ${filters.uiKind}::ui_kind`);
  if (filters.country) conditions.push(sql`country = ${filters.country}::char(2)`);
  equal("region", filters.region);
  equal("city", filters.city);
  equal("machine_id", filters.machineId);
  equal("session_id", filters.sessionId);
  equal("error_kind", filters.errorKind);
  equal("redaction_filter", filters.redactionFilter);
  if (filters.accepted !== undefined) conditions.push(sql`accepted = ${filters.accepted}`);
  if (filters.latencyMin !== undefined) conditions.push(sql`latency_ms >= ${filters.latencyMin}::int`);
  if (filters.latencyMax !== undefined) conditions.push(sql`latency_ms <= ${filters.latencyMax}::int`);
  if (filters.certaintyMin !== undefined) conditions.push(sql`model_certainty >= ${filters.certaintyMin}::float8`);
  if (filters.certaintyMax !== undefined) conditions.push(sql`model_certainty <= ${filters.certaintyMax}::float8`);
  return conditions;
}

export function and(conditions: readonly Prisma.Sql[]): Prisma.Sql {
  return conditions.length === 0 ? sql`TRUE` : join(conditions, " AND ");
}

// ─── Keyset order ────────────────────────────────────────────────────────────

const SORT_COLUMN = { time: "time", latency: "latency_ms", certainty: "model_certainty" } as const;
const SORT_CAST = { time: "timestamptz", latency: "int", certainty: "float8" } as const;

/** Sorting by a measurement lists only the rows that have it (NULLs have no place in a keyset order). */
export function sortCondition(sort: EventSort): Prisma.Sql | null {
  const key = sortKeyOf(sort);
  return key === "time" ? null : sql`${raw(SORT_COLUMN[key])} IS NOT NULL`;
}

/** `(sort column, id) < (…)` (or `>` ascending): a row-value comparison the (column, id) index answers directly. */
export function keysetCondition(sort: EventSort, cursor: EventCursor | null): Prisma.Sql | null {
  if (!cursor) return null;
  const key = sortKeyOf(sort);
  const operator = raw(isDescending(sort) ? "<" : ">");
  const value = key === "time" ? String(cursor.value) : Number(cursor.value);
  return sql`(${raw(SORT_COLUMN[key])}, id) ${operator} (${value}::${raw(SORT_CAST[key])}, ${cursor.id}::uuid)`;
}

export function orderBy(sort: EventSort): Prisma.Sql {
  const direction = isDescending(sort) ? "DESC" : "ASC";
  return raw(`ORDER BY ${SORT_COLUMN[sortKeyOf(sort)]} ${direction}, id ${direction}`);
}

/** The keyset position after `row` in `sort`. */
export function cursorAfter(
  sort: EventSort,
  row: { id: string; time: Date; latency_ms: number | null; model_certainty: number | null },
): EventCursor {
  const key = sortKeyOf(sort);
  const value = key === "time" ? row.time.toISOString() : key === "latency" ? Number(row.latency_ms) : Number(row.model_certainty);
  return { sort, value, id: row.id };
}

/** The page query: selected columns, WHERE, keyset, ORDER BY, LIMIT. */
export function pageQuery(
  columns: Prisma.Sql,
  where: Prisma.Sql,
  sort: EventSort,
  cursor: EventCursor | null,
  limit: number,
): Prisma.Sql {
  const keyset = keysetCondition(sort, cursor);
  return sql`SELECT ${columns} FROM telemetry_event WHERE ${where}${keyset ? sql` AND ${keyset}` : empty} ${orderBy(sort)} LIMIT ${limit}::int`;
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
export async function countEvents(runner: RawRunner, where: Prisma.Sql, threshold: number): Promise<{ value: number; exact: boolean }> {
  const estimate = planRows(await runner.$queryRaw<Array<Record<string, unknown>>>(estimateQuery(where)));
  if (estimate > threshold * ESTIMATE_TRUST_FACTOR) return { value: estimate, exact: false };
  const counted = await runner.$queryRaw<Array<{ n: number }>>(limitedCountQuery(where, threshold));
  const exact = Number(counted[0]?.n ?? 0);
  if (exact <= threshold) return { value: exact, exact: true };
  return { value: Math.max(estimate, threshold + 1), exact: false };
}
