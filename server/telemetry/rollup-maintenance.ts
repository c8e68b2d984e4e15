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
  await tx.$executeRaw(sql`DELETE FROM telemetry_rollup`);
  return tx.$executeRaw(sql`INSERT INTO telemetry_rollup (dimension, hour, kind, value, events) ${rollupRowsOf(sql`TRUE`, 1)}`);
}
