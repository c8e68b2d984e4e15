// Per-hour rollups of telemetry_event (docs/ARCHITECTURE.md, "Rollups"):
// telemetry_rollup holds, per UTC hour and event kind, the number of events
// (dimension "") and the number per non-NULL value of each rollup dimension
// (lib/telemetry/fields.ts ROLLUP_FIELDS), plus the latency and persistence
// buckets of the charts' percentiles (lib/telemetry/rollup-buckets.ts;
// ROLLUP_DIMENSIONS in ./rollup-maintenance.ts lists them all). Triggers keep it as events are
// inserted or updated (migration 20261203040000_telemetry_rollups), and the
// functions that delete events subtract them (20261204060000); this module
// builds the reads:
// counts per hour, kind and value that come from the rollups for the whole
// hours of the time range and from telemetry_event for the partial hours at
// its edges, or from telemetry_event alone when a filter on a field is set
// (the rollups do not know how dimensions combine).
//
// Rebuilding is in ./rollup-maintenance.ts (no "server-only" there).
import { FIELD_FILTER_KEYS, type EventFilters } from "@/lib/telemetry/event-query";
import type { EventKind } from "@/lib/telemetry/vocabulary";
import { Prisma } from "@/server/db/generated/client";
import { and, filterConditions, kindCondition, resolveFrom } from "./event-sql";
import { ROLLUP_DIMENSIONS, type RollupDimension } from "./rollup-maintenance";

export { rebuildRollups, rollupRowsOf, type RollupDimension } from "./rollup-maintenance";

const { sql, raw, join } = Prisma;

const HOUR_MS = 3_600_000;

// ─── Reads ───────────────────────────────────────────────────────────────────

/** Whether the rollups can answer these filters: kinds and time only (no filter on a field). */
export function rollupsAnswer(filters: EventFilters): boolean {
  return FIELD_FILTER_KEYS.every((key) => filters[key] === undefined);
}

const DAY_MS = 86_400_000;

const floorTo = (date: Date, unit: number) => new Date(Math.floor(date.getTime() / unit) * unit);
const ceilTo = (date: Date, unit: number) => new Date(Math.ceil(date.getTime() / unit) * unit);
const timestamp = (date: Date) => sql`${date.toISOString()}::timestamptz`;
const before = (a: Date | null, b: Date | null) => a === null || b === null || a.getTime() < b.getTime();

/** A half-open time range; null is unbounded on that side. */
export type Span = { from: Date | null; to: Date | null };

/**
 * How a time range [from, to) splits: the whole days the per-day rollups
 * answer (when `days`), the whole hours around them the per-hour rollups
 * answer, and the partial hours at the edges telemetry_event answers (SQL over
 * `time`, or null). Null when the range holds no whole hour.
 */
export function splitTimeRange(
  from: Date | null,
  to: Date | null,
  /** read whole days from the per-day rollups, up to `to` or, unbounded, up to the start of this instant's day */
  days: Date | null = null,
): { days: Span | null; hours: Span[]; wholeFrom: Date | null; wholeTo: Date | null; edges: Prisma.Sql | null } | null {
  const wholeFrom = from ? ceilTo(from, HOUR_MS) : null;
  const wholeTo = to ? floorTo(to, HOUR_MS) : null;
  if (!before(wholeFrom, wholeTo)) return null;
  const edges: Prisma.Sql[] = [];
  if (from && wholeFrom && wholeFrom.getTime() > from.getTime()) edges.push(sql`(time >= ${timestamp(from)} AND time < ${timestamp(wholeFrom)})`);
  if (to && wholeTo && wholeTo.getTime() < to.getTime()) edges.push(sql`(time >= ${timestamp(wholeTo)} AND time < ${timestamp(to)})`);
  const dayFrom = wholeFrom ? ceilTo(wholeFrom, DAY_MS) : null;
  // Today, where the intake's deltas pile up between folds, comes from the hourly rows (≤ 24 per key).
  const dayTo = days ? floorTo(wholeTo && wholeTo.getTime() < days.getTime() ? wholeTo : days, DAY_MS) : null;
  const daySpan = days && dayTo && before(dayFrom, dayTo) ? { from: dayFrom, to: dayTo } : null;
  const hours: Span[] = !daySpan
    ? [{ from: wholeFrom, to: wholeTo }]
    : [
        ...(wholeFrom && dayFrom && wholeFrom.getTime() < dayFrom.getTime() ? [{ from: wholeFrom, to: dayFrom }] : []),
        ...(dayTo && before(dayTo, wholeTo) ? [{ from: dayTo, to: wholeTo }] : []),
      ];
  return { days: daySpan, hours, wholeFrom, wholeTo, edges: edges.length === 0 ? null : sql`(${join(edges, " OR ")})` };
}

/** `column` within a span. */
function within(column: string, span: Span): Prisma.Sql[] {
  return [...(span.from ? [sql`${raw(column)} >= ${timestamp(span.from)}`] : []), ...(span.to ? [sql`${raw(column)} < ${timestamp(span.to)}`] : [])];
}

/**
 * No parallel workers for the rest of the transaction: a read of the rollups
 * is a few thousand rows at most, and starting workers for it (which the
 * planner picks for a UNION with the partitioned events) cost 5–100 ms more
 * than the query, more the busier the server.
 */
export async function withoutParallelWorkers(tx: { $queryRaw<T = unknown>(query: Prisma.Sql): Promise<T> }): Promise<void> {
  await tx.$queryRaw(sql`SELECT set_config('max_parallel_workers_per_gather', '0', true)`);
}

/**
 * The events of `kinds` in the whole hours within [from, to), from the hourly
 * rollups alone (no partial hour, no field filter): a cheap lower bound of how
 * many events the range holds.
 */
export async function eventsInWholeHours(
  tx: { $queryRaw<T = unknown>(query: Prisma.Sql): Promise<T> },
  kinds: readonly EventKind[],
  from: Date,
  to: Date,
): Promise<number> {
  const split = splitTimeRange(from, to);
  if (!split) return 0;
  const rows = await tx.$queryRaw<Array<{ n: number | null }>>(
    sql`SELECT sum(events)::float8 AS n FROM telemetry_rollup
        WHERE dimension = '' AND ${and([kindCondition(kinds), ...within("hour", { from: split.wholeFrom, to: split.wholeTo })])}`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Where the counts came from (for tests and the benchmark). */
export type CountSource = "rollups" | "events";

/**
 * A subquery of (hour, kind, value, events): the events of `kinds` matching
 * `filters` per UTC hour, kind and value of `dimension` (value '' for "").
 * From the rollups when the filters allow (and the range holds a whole hour),
 * otherwise from telemetry_event; the same numbers either way.
 * `force` picks the source (the equality test compares both).
 */
export function hourlyCounts(
  dimension: RollupDimension,
  kinds: readonly EventKind[],
  filters: EventFilters,
  now: Date,
  force?: CountSource,
  coarsest: "hour" | "day" = "hour",
): { query: Prisma.Sql; source: CountSource } {
  const spec = ROLLUP_DIMENSIONS.find((candidate) => candidate.key === dimension);
  if (!spec) throw new Error(`${dimension} is not a rollup dimension`);
  const fromEvents = (where: Prisma.Sql) =>
    sql`SELECT date_trunc('hour', e.time, 'UTC') AS hour, e.kind, ${raw(spec.value)} AS value, sum(${raw(spec.weight)})::bigint AS events
        FROM telemetry_event AS e WHERE ${where} AND ${raw(spec.value)} IS NOT NULL GROUP BY 1, 2, 3`;

  const split = splitTimeRange(resolveFrom(filters, now), filters.to ?? null, coarsest === "day" ? now : null);
  const useRollups = force ? force === "rollups" : rollupsAnswer(filters) && split !== null;
  if (!useRollups || !split || !rollupsAnswer(filters)) {
    return { query: fromEvents(and([kindCondition(kinds), ...filterConditions(filters, now)])), source: "events" };
  }
  const parts: Prisma.Sql[] = [];
  if (split.days) {
    // a day's count is the sum of its rows (deltas not yet folded included); keys summing to 0 hold no event
    parts.push(sql`SELECT day AS hour, kind, value, sum(events)::bigint AS events FROM telemetry_rollup_day
      WHERE dimension = ${dimension} AND ${and([kindCondition(kinds), ...within("day", split.days)])}
      GROUP BY 1, 2, 3 HAVING sum(events) <> 0`);
  }
  for (const span of split.hours) {
    parts.push(sql`SELECT hour, kind, value, events FROM telemetry_rollup
      WHERE dimension = ${dimension} AND ${and([kindCondition(kinds), ...within("hour", span)])}`);
  }
  if (split.edges) parts.push(fromEvents(and([kindCondition(kinds), split.edges])));
  return { query: join(parts, " UNION ALL "), source: "rollups" };
}
