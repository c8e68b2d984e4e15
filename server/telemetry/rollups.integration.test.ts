// The per-hour rollups (server/telemetry/rollups.ts, migration
// 20261203040000_telemetry_rollups) against real databases: PGlite always,
// PostgreSQL too when TEST_DATABASE_URL is set (as the least-privilege
// runtime role, so the triggers' writes need no more than the runtime
// policy grants). Checks that the triggers keep telemetry_rollup equal to
// the rows the registry's dimensions derive from telemetry_event after the
// seed's COPY, the intake's INSERT (replays and two writers at once
// included) and an UPDATE; that erasure and retention (the database
// functions) and the rebuild keep it equal, and the per-day rollups (their
// deltas folded or not) equal to the per-hour ones; and that charts, facets and the histogram give the
// same numbers from the rollups as from the events on random filters.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACET_FIELDS, type EventFilters, QUICK_RANGES } from "@/lib/telemetry/event-query";
import { ROLLUP_FIELDS, fieldSpec } from "@/lib/telemetry/fields";
import { EVENT_KINDS, FIELD_CLASSES, type EventKind } from "@/lib/telemetry/vocabulary";
import type { TelemetryScope } from "@/lib/access/policy";
import { computeInsights, machinesDisclosedByChart, pickBucket } from "@/server/data/event-insights";
import {
  LATENCY_THRESHOLDS,
  PERSISTENCE_THRESHOLDS,
  latencyBucketOf,
  latencyBucketRange,
  persistenceBucketOf,
  persistenceBucketRange,
} from "@/lib/telemetry/rollup-buckets";
import { computeHistogram } from "@/server/data/event-histogram";
import { facetCounts } from "@/server/data/list-event-facets";
import type { Database } from "@/server/db/connect";
import { Prisma } from "@/server/db/generated/client";
import { storeEvents } from "@/server/ingest/store-events";
import { generateEvents } from "@/server/seed/generate-events";
import { rollupDrift as rollupDriftOf } from "@/test/rollup-drift";
import { seededTestTargets } from "@/test/test-databases";
import { and, filterConditions, kindCondition, planEventQuery, resolveFrom } from "./event-sql";
import { hourlyCounts, rebuildRollups, splitTimeRange } from "./rollups";
import { MEASURE_DIMENSIONS, compactRollupDays } from "./rollup-maintenance";

/** percentile_cont's answer over `values`, and the two order statistics it interpolates between. */
function exactPercentile(values: readonly number[], p: number): { value: number; below: number; above: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const below = sorted[Math.floor(rank)]!;
  const above = sorted[Math.ceil(rank)]!;
  return { value: below + (above - below) * (rank - Math.floor(rank)), below, above };
}

/** The span from the bucket of the lower order statistic to that of the upper one: where the estimate and the exact value must both lie. */
function bucketSpan(exact: { below: number; above: number }, bucketOf: (value: number) => number, range: (index: number) => { lo: number; hi: number } | null) {
  const low = range(bucketOf(exact.below));
  const high = range(bucketOf(exact.above));
  if (!low || !high) throw new Error(`no bucket bounds for ${exact.below}..${exact.above}`);
  // integer latencies: a bucket [lo, hi] holds lo..hi, and percentile_cont may fall between two of them
  return { lo: low.lo, hi: Math.max(high.hi, exact.above) };
}

const KEYS = [{ id: "rk1", key: Buffer.alloc(32, 14) }];
const targets = seededTestTargets({ label: "rollups", keys: KEYS, events: 3_000, seed: 14 });

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type SqlExecutor = { $executeRaw(query: Prisma.Sql): Promise<number> };

describe.each(targets)("rollups on $name", (target) => {
  let db: Database;
  /** The schema owner's connection (PostgreSQL, when the test runs as the runtime role): UPDATE and DELETE on events. */
  let owner: pg.Client | null = null;

  beforeAll(async () => {
    db = await target.open();
    if (target.migrationUrl) {
      owner = new pg.Client({ connectionString: target.migrationUrl });
      await owner.connect();
    }
  });

  afterAll(async () => {
    await owner?.end();
    await db?.close();
    await target.dispose();
  });

  /** Runs `work` in one transaction as the owner of the events (who may update and delete them). */
  async function asOwner(work: (tx: SqlExecutor) => Promise<void>): Promise<void> {
    if (!owner) {
      await db.prisma.$transaction(async (tx) => work(tx));
      return;
    }
    const client = owner;
    await client.query("BEGIN");
    try {
      await work({ $executeRaw: async (query) => (await client.query(query.text, query.values)).rowCount ?? 0 });
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  }

  /** Rows in telemetry_rollup but not derived from telemetry_event, and the other way round. */
  const rollupDrift = () => rollupDriftOf(db.prisma);

  it("holds, after the seed's COPY, exactly the rows the registry's dimensions derive from the events", async () => {
    const dimensions = await db.prisma.$queryRaw<Array<{ dimension: string }>>`SELECT DISTINCT dimension FROM telemetry_rollup ORDER BY 1`;
    expect(dimensions.map((row) => row.dimension)).toEqual(["", ...ROLLUP_FIELDS.map((field) => field.key), ...MEASURE_DIMENSIONS].sort());
    const total = await db.prisma.$queryRaw<Array<{ n: number }>>`SELECT sum(events)::int AS n FROM telemetry_rollup WHERE dimension = ''`;
    expect(Number(total[0]?.n)).toBe(3_000);
    expect(await rollupDrift()).toBe(0);
  });

  it("puts latencies and persistence ratios in the same buckets in SQL (the triggers') as in lib/telemetry/rollup-buckets.ts (the reads')", async () => {
    const latencies = [-1, ...LATENCY_THRESHOLDS.flatMap((ms) => [ms - 1, ms, ms + 1]), 3_600_000, 2_147_483_647];
    const ratios = [-0.5, -Number.MIN_VALUE, 0, ...PERSISTENCE_THRESHOLDS.flatMap((ratio) => [ratio - 1e-12, ratio, ratio + 1e-12]), 0.9999, 1, 1 + 1e-12, 2];
    const rows = await db.prisma.$queryRaw<Array<{ latency: number; bucket: number }>>(
      Prisma.sql`SELECT v AS latency, telemetry_latency_bucket(v) AS bucket FROM unnest(${latencies}::int[]) AS v`,
    );
    expect(rows.map((row) => [row.latency, row.bucket])).toEqual(latencies.map((ms) => [ms, latencyBucketOf(ms)]));
    const ratioRows = await db.prisma.$queryRaw<Array<{ bucket: number; weight: number }>>(
      Prisma.sql`SELECT telemetry_persistence_bucket(v) AS bucket, telemetry_persistence_weight(v) AS weight FROM unnest(${ratios}::float8[]) WITH ORDINALITY AS t(v, i) ORDER BY i`,
    );
    expect(ratioRows.map((row) => row.bucket)).toEqual(ratios.map(persistenceBucketOf));
    expect(ratioRows.map((row) => row.weight)).toEqual(ratios.map((ratio) => (ratio >= 0 && ratio <= 1 ? 1 + Math.round(ratio * 1_000_000) : 1)));
    // bounded number of buckets; NULL stays NULL (no row in the rollups)
    expect(LATENCY_THRESHOLDS.length + 1).toBeLessThanOrEqual(121);
    const nulls = await db.prisma.$queryRaw<Array<{ l: number | null; p: number | null }>>`SELECT telemetry_latency_bucket(NULL) AS l, telemetry_persistence_bucket(NULL) AS p`;
    expect(nulls[0]).toEqual({ l: null, p: null });
  });

  it("counts the intake's inserts once: replays add nothing, two writers at once lose nothing", async () => {
    const batch = [...generateEvents({ count: 400, seed: 1401, now: new Date() })];
    const other = [...generateEvents({ count: 400, seed: 1402, now: new Date() })];
    const [first, second] = await Promise.all([storeEvents(db.prisma, batch.slice(0, 200), KEYS), storeEvents(db.prisma, other, KEYS)]);
    expect(first + second).toBe(600);
    // a replay of the first half and the rest of the batch: only the new 200 count
    expect(await storeEvents(db.prisma, batch, KEYS)).toBe(200);
    const total = await db.prisma.$queryRaw<Array<{ n: number }>>`SELECT sum(events)::int AS n FROM telemetry_rollup WHERE dimension = ''`;
    expect(Number(total[0]?.n)).toBe(3_800);
    expect(await rollupDrift()).toBe(0);
  });

  it("follows an UPDATE of a dimension (ingest:reclassify) in the same statement", async () => {
    await asOwner(async (tx) => {
      await tx.$executeRaw(Prisma.sql`UPDATE telemetry_event SET os = 'unclassified', city = NULL WHERE id IN (SELECT id FROM telemetry_event ORDER BY id LIMIT 50)`);
    });
    expect(await rollupDrift()).toBe(0);
    // the measured dimensions follow too: latencies and ratios moved to other buckets, ratios dropped
    await asOwner(async (tx) => {
      await tx.$executeRaw(Prisma.sql`UPDATE telemetry_event SET latency_ms = latency_ms * 3 + 7 WHERE latency_ms IS NOT NULL AND id IN (SELECT id FROM telemetry_event ORDER BY id DESC LIMIT 400)`);
      await tx.$executeRaw(
        Prisma.sql`UPDATE telemetry_event SET persistence_ratio = CASE WHEN persistence_ratio > 0.5 THEN persistence_ratio / 2 ELSE NULL END WHERE persistence_ratio IS NOT NULL AND id IN (SELECT id FROM telemetry_event ORDER BY id DESC LIMIT 800)`,
      );
    });
    expect(await rollupDrift()).toBe(0);
    const unclassified = await db.prisma.$queryRaw<Array<{ n: number }>>`SELECT sum(events)::int AS n FROM telemetry_rollup WHERE dimension = 'os' AND value = 'unclassified'`;
    expect(Number(unclassified[0]?.n)).toBeGreaterThanOrEqual(50);
  });

  it("loses exactly the events that erasure and retention (the database functions) remove", async () => {
    const machine = await db.prisma.$queryRaw<Array<{ machine_id: string; n: number }>>`
      SELECT machine_id, count(*)::int AS n FROM telemetry_event GROUP BY 1 ORDER BY 2 DESC LIMIT 1`;
    const { machine_id: machineId, n } = machine[0]!;
    const [erased] = await db.prisma.$queryRaw<Array<{ row_count: bigint }>>`SELECT row_count FROM telemetry_erase_machine(${machineId})`;
    expect(Number(erased?.row_count)).toBe(n);
    expect(await rollupDrift()).toBe(0);

    // 300 events in January 2016, one every 2 h 7 min: no partition holds that month, so the default partition takes them.
    await db.prisma.$executeRaw`
      INSERT INTO telemetry_event
      SELECT (jsonb_populate_record(NULL::telemetry_event, to_jsonb(t) || jsonb_build_object('id', gen_random_uuid(), 'time', '2016-01-01T00:00:00Z'::timestamptz + t.n * interval '127 minutes'))).*
        FROM (SELECT e.*, row_number() OVER (ORDER BY e.id) AS n FROM telemetry_event e ORDER BY e.id LIMIT 300) AS t`;
    expect(await rollupDrift()).toBe(0);
    // retention in the default partition, cutting inside an hour
    const [purged] = await db.prisma.$queryRaw<Array<{ row_count: bigint }>>`SELECT row_count FROM telemetry_purge_default_partition('2016-01-10T05:30:00Z'::timestamptz)`;
    expect(Number(purged?.row_count)).toBeGreaterThan(0);
    expect(await rollupDrift()).toBe(0);
    // the rest moves into its own partition, which retention then drops whole
    await db.prisma.$queryRaw`SELECT created FROM telemetry_create_partition('2016-01-01T00:00:00Z'::timestamptz, '2016-02-01T00:00:00Z'::timestamptz)`;
    const [dropped] = await db.prisma.$queryRaw<Array<{ row_count: bigint }>>`SELECT row_count FROM telemetry_drop_partition('telemetry_event_p20160101')`;
    expect(Number(purged?.row_count) + Number(dropped?.row_count)).toBe(300);
    expect(await rollupDrift()).toBe(0);
    const zeros = await db.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM telemetry_rollup WHERE events <= 0`;
    expect(Number(zeros[0]?.n)).toBe(0);
  });

  it("keeps the per-day rollups equal to the per-hour ones: deltas not yet folded read the same, and folding them changes no count", async () => {
    // the intake, the UPDATEs and the deletions above appended deltas
    const pending = async () =>
      Number((await db.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM telemetry_rollup_day WHERE NOT compacted`)[0]?.n);
    expect(await pending()).toBeGreaterThan(0);
    const now = new Date();
    const filters: EventFilters = { kinds: [], from: new Date(now.getTime() - 20 * 86_400_000 - 1_234_567) };
    expect(splitTimeRange(filters.from!, null, now)?.days).not.toBeNull();
    const facet = async () => {
      const [rollups, events] = await Promise.all([
        facetCounts(db.prisma, fieldSpec("os"), EVENT_KINDS, filters, now, 50, "rollups"),
        facetCounts(db.prisma, fieldSpec("os"), EVENT_KINDS, filters, now, 50, "events"),
      ]);
      expect(rollups).toEqual(events);
      return rollups;
    };
    const before = await facet();
    expect(before.length).toBeGreaterThan(1);

    expect(await compactRollupDays(db.prisma)).toBeGreaterThan(0);
    expect(await pending()).toBe(0);
    const duplicates = await db.prisma.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM (SELECT 1 FROM telemetry_rollup_day GROUP BY dimension, day, kind, value HAVING count(*) > 1) AS keys`;
    expect(Number(duplicates[0]?.n)).toBe(0);
    expect(await facet()).toEqual(before);
    expect(await rollupDrift()).toBe(0);
    // nothing left to fold
    expect(await compactRollupDays(db.prisma)).toBe(0);
  });

  it("rebuilds from the events in one transaction", async () => {
    await asOwner(async (tx) => {
      await tx.$executeRaw(Prisma.sql`DELETE FROM telemetry_rollup WHERE dimension IN ('city', '')`);
    });
    expect(await rollupDrift()).toBeGreaterThan(0);
    await asOwner(async (tx) => {
      await rebuildRollups(tx);
    });
    expect(await rollupDrift()).toBe(0);
  });

  it("gives charts, facets and the histogram the same numbers from the rollups as from the events, on random filters", async () => {
    const seed = Number(process.env.ROLLUP_EQUALITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`rollup equality on ${target.name}: seed ${seed} (ROLLUP_EQUALITY_SEED=${seed} replays it)`);
    const random = prng(seed);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const now = new Date();
    const full: TelemetryScope = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, [...FIELD_CLASSES]]));
    const noMeasurements: TelemetryScope = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, FIELD_CLASSES.filter((c) => c !== "measurements")]));

    let nonEmpty = 0;
    let usedRollups = 0;
    let usedDays = 0;
    let latencyChecks = 0;
    let persistenceChecks = 0;
    for (let round = 0; round < 20; round++) {
      const kinds = random() < 0.4 ? [] : EVENT_KINDS.filter(() => random() < 0.5);
      const filters: EventFilters = { kinds: kinds as EventKind[] };
      const time = random();
      if (time < 0.25) filters.range = pick(QUICK_RANGES);
      else if (time < 0.85) {
        // any instant in the last 31 days, to the millisecond: edges fall inside hours
        const a = now.getTime() - random() * 31 * 86_400_000;
        const b = now.getTime() - random() * 31 * 86_400_000;
        filters.from = new Date(Math.min(a, b));
        if (random() < 0.7) filters.to = new Date(Math.max(a, b) + 1);
      }
      if (random() < 0.2) filters.os = pick(["linux", "Darwin", "win32"]);
      const scope = random() < 0.7 ? full : noMeasurements;
      const plan = planEventQuery(scope, filters, null);
      const label = JSON.stringify({ round, filters, measured: scope === full });

      const bucket = pickBucket(resolveFrom(filters, now), filters.to ?? now);
      if (hourlyCounts("", plan.kinds, filters, now).source === "rollups") usedRollups++;
      if (splitTimeRange(resolveFrom(filters, now), filters.to ?? null, now)?.days) usedDays++;
      const [fromRollups, fromEvents] = await db.prisma.$transaction(async (tx) => [
        await computeInsights(tx, scope, filters, plan.kinds, now, bucket, "rollups"),
        await computeInsights(tx, scope, filters, plan.kinds, now, bucket, "events"),
      ]);
      // counts identical; the percentiles from buckets within the bounds of the exact ones' buckets
      const { latency, persistence, approximate, ...counts } = fromRollups;
      const { latency: exactLatency, persistence: exactPersistence, approximate: exact, ...exactCounts } = fromEvents;
      expect(counts, label).toEqual(exactCounts);
      expect(exact, label).toEqual({ latencyRelativeError: null, persistenceMedianError: null });
      const usesRollups = hourlyCounts("", plan.kinds, filters, now).source === "rollups";
      if (!Array.isArray(latency) || !Array.isArray(exactLatency)) expect(latency, label).toEqual(exactLatency);
      else {
        expect(latency.map(({ bucket: key, count }) => ({ bucket: key, count })), label).toEqual(exactLatency.map(({ bucket: key, count }) => ({ bucket: key, count })));
        if (usesRollups && latency.length > 0) {
          expect(approximate.latencyRelativeError, label).toBeGreaterThan(0);
          const measured = plan.kinds.filter((kind) => scope[kind]?.includes("measurements"));
          const values = await db.prisma.$queryRaw<Array<{ bucket: Date; latency: number }>>(Prisma.sql`
            SELECT date_trunc(${Prisma.raw(`'${bucket}'`)}, time, 'UTC') AS bucket, latency_ms AS latency FROM telemetry_event
            WHERE ${and([kindCondition(measured), ...filterConditions(filters, now), Prisma.sql`latency_ms IS NOT NULL`])}`);
          for (const point of latency) {
            const inBucket = values.filter((row) => row.bucket.toISOString() === point.bucket).map((row) => Number(row.latency));
            for (const [p, estimate] of [[0.5, point.p50], [0.95, point.p95]] as const) {
              const truth = exactPercentile(inBucket, p);
              const span = bucketSpan(truth, latencyBucketOf, latencyBucketRange);
              const where = `${label} latency p${p * 100} at ${point.bucket}: ≈${estimate}, exact ${truth.value}, bucket [${span.lo}, ${span.hi}]`;
              expect(estimate, where).toBeGreaterThanOrEqual(span.lo - 0.05);
              expect(estimate, where).toBeLessThanOrEqual(span.hi + 0.05);
              expect(truth.value, where).toBeGreaterThanOrEqual(span.lo);
              expect(truth.value, where).toBeLessThanOrEqual(span.hi);
              latencyChecks++;
            }
          }
        }
      }
      if (!Array.isArray(persistence) || !Array.isArray(exactPersistence)) expect(persistence, label).toEqual(exactPersistence);
      else {
        // count, mean and fully-persisted share exact; the median within its bucket
        expect(persistence.map(({ medianRatio: _, ...rest }) => rest), label).toEqual(exactPersistence.map(({ medianRatio: _, ...rest }) => rest));
        if (usesRollups && persistence.length > 0) {
          expect(approximate.persistenceMedianError, label).toBe(0.01);
          const ratios = await db.prisma.$queryRaw<Array<{ check_sec: number; ratio: number }>>(Prisma.sql`
            SELECT persistence_check_sec AS check_sec, persistence_ratio AS ratio FROM telemetry_event
            WHERE ${and([kindCondition(["completion_persisted"]), ...filterConditions(filters, now), Prisma.sql`persistence_check_sec IS NOT NULL AND persistence_ratio IS NOT NULL`])}`);
          for (const row of persistence) {
            const truth = exactPercentile(ratios.filter((ratio) => Number(ratio.check_sec) === row.checkSec).map((ratio) => Number(ratio.ratio)), 0.5);
            const span = bucketSpan(truth, persistenceBucketOf, persistenceBucketRange);
            const where = `${label} persistence median at ${row.checkSec} s: ≈${row.medianRatio}, exact ${truth.value}, bucket [${span.lo}, ${span.hi}]`;
            expect(row.medianRatio, where).toBeGreaterThanOrEqual(span.lo - 0.00005);
            expect(row.medianRatio, where).toBeLessThanOrEqual(span.hi + 0.00005);
            expect(truth.value, where).toBeGreaterThanOrEqual(span.lo);
            expect(truth.value, where).toBeLessThanOrEqual(span.hi);
            persistenceChecks++;
          }
        }
      }

      const field = pick(FACET_FIELDS.filter((candidate) => !candidate.fieldClass || scope[plan.kinds[0] ?? "error"]?.includes(candidate.fieldClass)));
      const facetKinds = plan.kinds.filter((kind) => !field.fieldClass || scope[kind]?.includes(field.fieldClass));
      const [facetsFromRollups, facetsFromEvents] = await Promise.all([
        facetCounts(db.prisma, field, facetKinds, filters, now, 11, "rollups"),
        facetCounts(db.prisma, field, facetKinds, filters, now, 11, "events"),
      ]);
      expect(facetsFromRollups, `${label} facet ${field.key}`).toEqual(facetsFromEvents);

      // (no lower bound: the histogram starts at the first event, which the two sources know to the hour and to the millisecond)
      const drawn = filters.range || filters.from ? filters : { ...filters, from: new Date(now.getTime() - 31 * 86_400_000) };
      const [histogramFromRollups, histogramFromEvents] = await Promise.all([
        computeHistogram(db.prisma, drawn, plan.kinds, now, "rollups"),
        computeHistogram(db.prisma, drawn, plan.kinds, now, "events"),
      ]);
      expect(histogramFromRollups, `${label} histogram`).toEqual(histogramFromEvents);
      if (fromEvents.totalEvents > 0) nonEmpty++;
    }
    // the comparison means something: most rounds counted events, and the rollups answered them
    expect(nonEmpty).toBeGreaterThan(10);
    expect(usedRollups).toBeGreaterThan(8);
    // and whole days came from the per-day rollups in several rounds
    expect(usedDays).toBeGreaterThan(5);
    expect(latencyChecks).toBeGreaterThan(10);
    expect(persistenceChecks).toBeGreaterThan(3);
  });

  it("answers percentiles from the events when a latency or a ratio lies outside the buckets' bounds", async () => {
    const now = new Date();
    const full: TelemetryScope = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, [...FIELD_CLASSES]]));
    const filters: EventFilters = { kinds: [], range: "30d" };
    const plan = planEventQuery(full, filters, null);
    const bucket = pickBucket(resolveFrom(filters, now), now);
    const before = await db.prisma.$transaction(async (tx) => computeInsights(tx, full, filters, plan.kinds, now, bucket));
    expect(before.approximate.latencyRelativeError).not.toBeNull();
    expect(before.approximate.persistenceMedianError).not.toBeNull();
    // a negative latency has no lower bound but sits below every percentile's rank: still estimated;
    // a ratio outside [0, 1] leaves the sums without its value: the persistence chart comes from the events
    await asOwner(async (tx) => {
      await tx.$executeRaw(Prisma.sql`UPDATE telemetry_event SET latency_ms = -5 WHERE id = (SELECT id FROM telemetry_event WHERE latency_ms IS NOT NULL AND time > now() - interval '2 days' ORDER BY id LIMIT 1)`);
      await tx.$executeRaw(Prisma.sql`UPDATE telemetry_event SET persistence_ratio = 1.5 WHERE id = (SELECT id FROM telemetry_event WHERE persistence_ratio IS NOT NULL AND time > now() - interval '2 days' ORDER BY id LIMIT 1)`);
    });
    expect(await rollupDrift()).toBe(0);
    const read = () =>
      db.prisma.$transaction(async (tx) => [
        await computeInsights(tx, full, filters, plan.kinds, now, bucket),
        await computeInsights(tx, full, filters, plan.kinds, now, bucket, "events"),
      ]);
    const [after, exact] = await read();
    expect(after!.approximate).toEqual({ latencyRelativeError: before.approximate.latencyRelativeError, persistenceMedianError: null });
    expect(after!.persistence).toEqual(exact!.persistence);
    // a percentile past 10 min falls in the overflow bucket, which has no upper bound: the latency chart comes from the events
    await asOwner(async (tx) => {
      await tx.$executeRaw(Prisma.sql`UPDATE telemetry_event SET latency_ms = 700000 + latency_ms WHERE latency_ms > 0 AND time > now() - interval '2 days'`);
    });
    expect(await rollupDrift()).toBe(0);
    const [overflowed, overflowedExact] = await read();
    expect(overflowed!.approximate.latencyRelativeError).toBeNull();
    expect(overflowed!.latency).toEqual(overflowedExact!.latency);
  });

  it("names the machines of a chart over few machines and none of one over many, as a DISTINCT over the whole range would", async () => {
    const now = new Date();
    const kinds = [...EVENT_KINDS];
    const distinct = async (filters: EventFilters) => {
      const rows = await db.prisma.$queryRaw<Array<{ machine_id: string }>>(
        Prisma.sql`SELECT DISTINCT machine_id FROM telemetry_event WHERE ${and([kindCondition(kinds), ...filterConditions(filters, now)])} LIMIT 11`,
      );
      const few = rows.length <= 10 ? rows.map((row) => row.machine_id) : [];
      return [...new Set([...(filters.machineId ? [filters.machineId] : []), ...few])].sort();
    };
    const sessions = await db.prisma.$queryRaw<Array<{ session_id: string; machine_id: string }>>`
      SELECT session_id, min(machine_id) AS machine_id FROM telemetry_event GROUP BY 1 ORDER BY count(*) DESC LIMIT 3`;
    const cases: EventFilters[] = [
      { kinds: [] },
      { kinds: [], range: "24h" },
      { kinds: [], sessionId: sessions[0]!.session_id },
      { kinds: [], machineId: sessions[1]!.machine_id },
      { kinds: [], machineId: "no-such-machine" },
      { kinds: [], os: "linux", range: "7d" },
    ];
    for (const filters of cases) {
      const expected = await distinct(filters);
      // the sample settles it, and (a sample of 20 rows) the whole-range DISTINCT settles it
      for (const sample of [undefined, 20]) {
        const got = await db.prisma.$transaction(async (tx) => machinesDisclosedByChart(tx, filters, kinds, now, sample));
        expect([...got].sort(), `${JSON.stringify(filters)} sample ${sample}`).toEqual(expected);
      }
    }
    expect(await distinct({ kinds: [] })).toEqual([]); // many machines: none named
    expect((await distinct({ kinds: [], sessionId: sessions[0]!.session_id })).length).toBeGreaterThan(0); // few: each named
  });
});
