// The per-hour rollups (server/telemetry/rollups.ts, migration
// 20261203040000_telemetry_rollups) against real databases: PGlite always,
// PostgreSQL too when TEST_DATABASE_URL is set (as the least-privilege
// runtime role, so the triggers' writes need no more than the runtime
// policy grants). Checks that the triggers keep telemetry_rollup equal to
// the rows the registry's dimensions derive from telemetry_event after the
// seed's COPY, the intake's INSERT (replays and two writers at once
// included) and an UPDATE; that erasure and retention (the database
// functions) and the rebuild keep it equal; and that charts, facets and the histogram give the
// same numbers from the rollups as from the events on random filters.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACET_FIELDS, type EventFilters, QUICK_RANGES } from "@/lib/telemetry/event-query";
import { ROLLUP_FIELDS } from "@/lib/telemetry/fields";
import { EVENT_KINDS, FIELD_CLASSES, type EventKind } from "@/lib/telemetry/vocabulary";
import type { TelemetryScope } from "@/lib/access/policy";
import { computeInsights, pickBucket } from "@/server/data/event-insights";
import { computeHistogram } from "@/server/data/event-histogram";
import { facetCounts } from "@/server/data/list-event-facets";
import type { Database } from "@/server/db/connect";
import { Prisma } from "@/server/db/generated/client";
import { storeEvents } from "@/server/ingest/store-events";
import { generateEvents } from "@/server/seed/generate-events";
import { rollupDrift as rollupDriftOf } from "@/test/rollup-drift";
import { seededTestTargets } from "@/test/test-databases";
import { planEventQuery, resolveFrom } from "./event-sql";
import { hourlyCounts, rebuildRollups } from "./rollups";

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
    expect(dimensions.map((row) => row.dimension)).toEqual(["", ...ROLLUP_FIELDS.map((field) => field.key)].sort());
    const total = await db.prisma.$queryRaw<Array<{ n: number }>>`SELECT sum(events)::int AS n FROM telemetry_rollup WHERE dimension = ''`;
    expect(Number(total[0]?.n)).toBe(3_000);
    expect(await rollupDrift()).toBe(0);
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
      const [fromRollups, fromEvents] = await db.prisma.$transaction(async (tx) => [
        await computeInsights(tx, scope, filters, plan.kinds, now, bucket, "rollups"),
        await computeInsights(tx, scope, filters, plan.kinds, now, bucket, "events"),
      ]);
      expect(fromRollups, label).toEqual(fromEvents);

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
  });
});
