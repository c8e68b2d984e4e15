// Keeping the per-hour rollups (docs/ARCHITECTURE.md, "Rollups") beside
// deletes: telemetry_event's triggers add inserted and updated events
// (migration 20261203040000_telemetry_rollups); this module subtracts deleted
// ones (retention, erasure) and rebuilds the table. The reads are in
// ./rollups.ts.
//
// No "server-only": the rebuild script, `npm start`'s job runner (retention)
// and the erasure CLI use it.
import { ROLLUP_FIELDS } from "@/lib/telemetry/fields";
import { Prisma } from "@/server/db/generated/client";

const { sql, raw, join } = Prisma;

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

const ADD_ON_CONFLICT = raw(`ON CONFLICT (dimension, hour, kind, value) DO UPDATE SET events = telemetry_rollup.events + EXCLUDED.events`);

type SqlExecutor = { $executeRaw(query: Prisma.Sql): Promise<number> };

/**
 * Subtracts the contribution of the events matching `condition` (a machine's,
 * those older than `before`, or both) from the rollups. Call it in the same
 * transaction, right before deleting those very events (retention, erasure):
 * deleting fires no trigger (a dropped partition could not), so this is what
 * keeps the rollups equal to the table. Rows that reach zero are removed.
 * Returns the number of rollup rows changed. An empty condition is refused:
 * it would empty the rollups (rebuild them instead).
 */
export async function subtractEventsFromRollups(tx: SqlExecutor, condition: { machineId?: string; before?: Date }): Promise<number> {
  const conditions: Prisma.Sql[] = [];
  if (condition.machineId !== undefined) conditions.push(sql`e.machine_id = ${condition.machineId}`);
  if (condition.before !== undefined) conditions.push(sql`e.time < ${condition.before.toISOString()}::timestamptz`);
  if (conditions.length === 0) throw new Error("subtractEventsFromRollups needs a machineId or a before date");
  const changed = await tx.$executeRaw(
    sql`INSERT INTO telemetry_rollup (dimension, hour, kind, value, events) ${rollupRowsOf(join(conditions, " AND "), -1)} ${ADD_ON_CONFLICT}`,
  );
  if (changed > 0) {
    const hours =
      condition.before !== undefined && condition.machineId === undefined
        ? sql`hour <= ${condition.before.toISOString()}::timestamptz`
        : sql`hour IN (SELECT DISTINCT date_trunc('hour', e.time, 'UTC') FROM telemetry_event AS e WHERE ${join(conditions, " AND ")})`;
    await tx.$executeRaw(sql`DELETE FROM telemetry_rollup WHERE events <= 0 AND ${hours}`);
  }
  return changed;
}

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
