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

const floorHour = (date: Date) => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
const ceilHour = (date: Date) => new Date(Math.ceil(date.getTime() / HOUR_MS) * HOUR_MS);
const timestamp = (date: Date) => sql`${date.toISOString()}::timestamptz`;

/**
 * How a time range [from, to) splits: the whole hours [wholeFrom, wholeTo)
 * (null: unbounded on that side) the rollups answer, and the partial hours at
 * the edges telemetry_event answers. Null when the range holds no whole hour.
 */
export function splitTimeRange(from: Date | null, to: Date | null): { wholeFrom: Date | null; wholeTo: Date | null; edges: Prisma.Sql | null } | null {
  const wholeFrom = from ? ceilHour(from) : null;
  const wholeTo = to ? floorHour(to) : null;
  if (wholeFrom && wholeTo && wholeFrom.getTime() >= wholeTo.getTime()) return null;
  const edges: Prisma.Sql[] = [];
  if (from && wholeFrom && wholeFrom.getTime() > from.getTime()) edges.push(sql`(time >= ${timestamp(from)} AND time < ${timestamp(wholeFrom)})`);
  if (to && wholeTo && wholeTo.getTime() < to.getTime()) edges.push(sql`(time >= ${timestamp(wholeTo)} AND time < ${timestamp(to)})`);
  return { wholeFrom, wholeTo, edges: edges.length === 0 ? null : sql`(${join(edges, " OR ")})` };
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
): { query: Prisma.Sql; source: CountSource } {
  const spec = ROLLUP_DIMENSIONS.find((candidate) => candidate.key === dimension);
  if (!spec) throw new Error(`${dimension} is not a rollup dimension`);
  const fromEvents = (where: Prisma.Sql) =>
    sql`SELECT date_trunc('hour', e.time, 'UTC') AS hour, e.kind, ${raw(spec.value)} AS value, sum(${raw(spec.weight)})::bigint AS events
        FROM telemetry_event AS e WHERE ${where} AND ${raw(spec.value)} IS NOT NULL GROUP BY 1, 2, 3`;

  const split = splitTimeRange(resolveFrom(filters, now), filters.to ?? null);
  const useRollups = force ? force === "rollups" : rollupsAnswer(filters) && split !== null;
  if (!useRollups || !split || !rollupsAnswer(filters)) {
    return { query: fromEvents(and([kindCondition(kinds), ...filterConditions(filters, now)])), source: "events" };
  }
  const hours: Prisma.Sql[] = [];
  if (split.wholeFrom) hours.push(sql`hour >= ${timestamp(split.wholeFrom)}`);
  if (split.wholeTo) hours.push(sql`hour < ${timestamp(split.wholeTo)}`);
  const fromRollups = sql`SELECT hour, kind, value, events FROM telemetry_rollup
    WHERE dimension = ${dimension} AND ${and([kindCondition(kinds), ...hours])}`;
  const query = split.edges ? sql`${fromRollups} UNION ALL ${fromEvents(and([kindCondition(kinds), split.edges]))}` : fromRollups;
  return { query, source: "rollups" };
}
