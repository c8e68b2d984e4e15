// Keeping the per-hour rollups (docs/ARCHITECTURE.md, "Rollups") beside
// deletes: telemetry_event's triggers add inserted and updated events
// (migration 20261203040000_telemetry_rollups); the database functions that
// remove events (retention, erasure) subtract them in the same statement
// (migration 20261204060000_rollups_subtract_with_the_delete); this module
// derives the rollup rows from the events and rebuilds the table. The reads
// are in ./rollups.ts.
//
// No "server-only": the rebuild script uses it.
import { ROLLUP_FIELDS } from "@/lib/telemetry/fields";
import { Prisma } from "@/server/db/generated/client";

const { sql, raw } = Prisma;

/** The measured dimensions (lib/telemetry/rollup-buckets.ts): bucket counts for the charts' percentiles and the persistence ratio's sum. */
export const MEASURE_DIMENSIONS = ["latencyBucket", "persistenceBucket", "persistenceSum"] as const;
export type MeasureDimension = (typeof MEASURE_DIMENSIONS)[number];

/** A rollup dimension: a ROLLUP_FIELDS key, a measured dimension, or "" for the events of a kind. */
export type RollupDimension = "" | (typeof ROLLUP_FIELDS)[number]["key"] | MeasureDimension;

/**
 * Every dimension the triggers write: its value and its per-event weight (what
 * the events column sums: 1, but for persistenceSum), as SQL expressions over
 * the telemetry_event alias `e`. The migrations' telemetry_rollup_rows_sql
 * lists the same (rollups.integration.test.ts compares the two).
 */
export const ROLLUP_DIMENSIONS: ReadonlyArray<{ key: RollupDimension; value: string; weight: string }> = [
  { key: "", value: "''", weight: "1" },
  ...ROLLUP_FIELDS.map((field) => ({ key: field.key, value: `e.${field.column}::text`, weight: "1" })),
  { key: "latencyBucket", value: "telemetry_latency_bucket(e.latency_ms)::text", weight: "1" },
  { key: "persistenceBucket", value: "e.persistence_check_sec::text || ':' || telemetry_persistence_bucket(e.persistence_ratio)::text", weight: "1" },
  { key: "persistenceSum", value: "CASE WHEN e.persistence_ratio IS NOT NULL THEN e.persistence_check_sec::text END", weight: "telemetry_persistence_weight(e.persistence_ratio)" },
];

/** Rollup rows (dimension, hour, kind, value, events) of the telemetry_event rows (alias `e`) matching `where`, derived from the registry. */
export function rollupRowsOf(where: Prisma.Sql, sign: 1 | -1): Prisma.Sql {
  const values = ROLLUP_DIMENSIONS.map(({ key, value, weight }) => `('${key}', ${value}, ${weight})`).join(", ");
  return sql`SELECT d.dimension, date_trunc('hour', e.time, 'UTC') AS hour, e.kind, d.value, ${raw(sign === 1 ? "sum(d.weight)" : "-sum(d.weight)")}::bigint AS events
    FROM telemetry_event AS e CROSS JOIN LATERAL (VALUES ${raw(values)}) AS d(dimension, value, weight)
    WHERE ${where} AND d.value IS NOT NULL
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
}

type SqlExecutor = { $executeRaw(query: Prisma.Sql): Promise<number> };

/**
 * Recomputes telemetry_rollup from telemetry_event in one transaction. The
 * SHARE lock on telemetry_event waits for the writers in flight and holds new
 * ones until the commit, so no event is counted twice or missed.
 */
export async function rebuildRollups(tx: SqlExecutor): Promise<number> {
  await tx.$executeRaw(sql`LOCK TABLE telemetry_event IN SHARE MODE`);
  // no fold of the per-day rollups runs meanwhile (it would keep rows the DELETE below did not see)
  await tx.$executeRaw(sql`SELECT pg_advisory_xact_lock(hashtext('telemetry_rollup_day_compact'))`);
  await tx.$executeRaw(sql`DELETE FROM telemetry_rollup`);
  const rows = await tx.$executeRaw(sql`INSERT INTO telemetry_rollup (dimension, hour, kind, value, events) ${rollupRowsOf(sql`TRUE`, 1)}`);
  // the per-day rollups from the per-hour ones, folded (the triggers' deltas of the two statements above go with the DELETE)
  await tx.$executeRaw(sql`DELETE FROM telemetry_rollup_day`);
  await tx.$executeRaw(sql`INSERT INTO telemetry_rollup_day (dimension, day, kind, value, events, compacted)
    SELECT dimension, day, kind, value, events, true FROM (${DAY_ROWS_OF_HOURS}) AS days`);
  return rows;
}

/** The per-day rollup rows (dimension, day, kind, value, events) the per-hour ones add up to: what the per-day table holds, folded. */
export const DAY_ROWS_OF_HOURS = sql`SELECT dimension, date_trunc('day', hour, 'UTC') AS day, kind, value, sum(events)::bigint AS events
  FROM telemetry_rollup GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0`;

/**
 * Folds the per-day rollups' delta rows (migration 20261205010000_rollup_days):
 * one row per key for every (dimension, day) that has deltas. Returns the
 * deltas folded. The job rollups.days.compact runs it; one run at a time.
 */
export async function compactRollupDays(db: { $queryRawUnsafe<T = unknown>(query: string): Promise<T> }): Promise<number> {
  const rows = await db.$queryRawUnsafe<Array<{ folded: bigint | number }>>("SELECT telemetry_rollup_day_compact() AS folded");
  return Number(rows[0]?.folded ?? 0);
}
