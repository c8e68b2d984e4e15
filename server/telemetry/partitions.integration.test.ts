// The time-partitioned telemetry_event against real databases (PGlite always,
// PostgreSQL when TEST_DATABASE_URL is set, as the least-privilege runtime
// role): partitions ahead after the migration, routing of old, current, future
// and far-out events (default partition), the job's maintenance (creating
// ahead, moving the default partition's months out), retention dropping whole
// partitions with one audit row each, erasure of one machine across partitions
// with its tombstone (and the machine's disclosure receipt still listing the
// earlier access), keyset pagination across a partition boundary unchanged,
// and, on PostgreSQL, the job running once across two job runners, and the
// rollups equal to a rebuild after erasure and retention raced with an insert
// in another connection.
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { EventDto } from "@/lib/telemetry/event-types";
import { verifyAuditChain } from "@/server/audit/verify-audit-chain";
import { connectDatabase, type Database } from "@/server/db/connect";
import { AppError } from "@/server/http/app-error";
import { createJobRunner } from "@/server/jobs/job-runner";
import { telemetryPartitionsJob } from "@/server/jobs/maintain-telemetry-partitions";
import { signInForTest } from "@/test/sessions";
import { rollupDrift } from "@/test/rollup-drift";
import { seededTestTargets } from "@/test/test-databases";
import { listTelemetryPartitions, maintainTelemetryPartitions, retentionCutoff, utcMonthStart } from "./partitions";
import { eraseMachineEventsInTransaction, machineIdSha256 } from "./erase-machine";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `ptk1:${Buffer.alloc(32, 7).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest partitions", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
}));

vi.mock("@/server/db/client", () => ({
  getDatabase: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db;
  },
  getPrisma: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db.prisma;
  },
}));

const { listEvents } = await import("@/server/data/list-events");
const { eraseMachine, previewMachineErasure } = await import("@/server/data/admin/erase-machine");
const { getDisclosureReceipt } = await import("@/server/data/audit/get-disclosure-receipt");

const KEYS = [{ id: "ptk1", key: Buffer.alloc(32, 7) }];
const DAY = 86_400_000;
const COPILOT = "viewer.copilot@github.example";
const ADMIN = "admin@github.example";
const AUDITOR = "auditor@github.example";

describe.each(seededTestTargets({ label: "partitions", keys: KEYS, events: 300, seed: 15 }))("partitioned telemetry on $name", (target) => {
  let db: Database;
  const now = new Date();

  // Migrating and seeding a fresh database takes minutes on a loaded 2-core machine.
  beforeAll(async () => {
    db = await target.open();
    state.db = db;
  }, 600_000);

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  const sql = <T,>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);

  /** Copies a seeded event under a new id, at `time`, for `machineId`: returns the new id. */
  async function insertEventAt(time: Date, machineId = `machine-${randomBytes(4).toString("hex")}`): Promise<string> {
    const id = randomUUID();
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO telemetry_event
       SELECT (jsonb_populate_record(NULL::telemetry_event, to_jsonb(t) || jsonb_build_object('id', $1::text, 'time', $2::timestamptz, 'machine_id', $3::text))).*
         FROM telemetry_event t WHERE t.kind = 'completion_shown' LIMIT 1`,
      id,
      time.toISOString(),
      machineId,
    );
    return id;
  }

  async function partitionOf(id: string): Promise<string> {
    const [row] = await sql<{ partition: string }>("SELECT tableoid::regclass::text AS partition FROM telemetry_event WHERE id = $1::uuid", id);
    return String(row?.partition).replace(/^telemetry_partitions\./, "");
  }

  const monthName = (date: Date) => `telemetry_event_p${date.toISOString().slice(0, 7).replace("-", "")}01`;

  async function signIn(email: string, purpose?: "improve_product"): Promise<void> {
    state.token = await signInForTest(db.prisma, email, purpose ? { purpose } : {});
  }

  it("has the current month and three ahead after the migration, plus the default partition, and routes every event", async () => {
    const names = (await listTelemetryPartitions(db.prisma)).map((partition) => partition.name);
    for (let offset = 0; offset <= 3; offset += 1) expect(names).toContain(monthName(utcMonthStart(now, offset)));
    expect(names).toContain("telemetry_event_default");

    expect(await partitionOf(await insertEventAt(now))).toBe(monthName(now));
    expect(await partitionOf(await insertEventAt(new Date(utcMonthStart(now, 2).getTime() + 3_600_000)))).toBe(monthName(utcMonthStart(now, 2)));
    // Outside every range partition: the default partition takes them, intake does not fail.
    expect(await partitionOf(await insertEventAt(new Date("2019-03-04T05:06:07Z")))).toBe("telemetry_event_default");
    expect(await partitionOf(await insertEventAt(new Date("2040-01-02T00:00:00Z")))).toBe("telemetry_event_default");
  });

  it("creates partitions ahead and moves the default partition's months into their own, idempotently", async () => {
    const old = await insertEventAt(new Date("2019-05-06T00:00:00Z"));
    const result = await maintainTelemetryPartitions(db.prisma, { aheadMonths: 5, requestId: `job:test-${randomBytes(3).toString("hex")}`, now });
    // months 4 and 5 ahead, 2019-03, 2019-05 and 2040-01 out of the default partition
    expect(result).toEqual({ created: 5, movedFromDefault: 3, purgedPartitions: 0, purgedRows: 0 });
    expect(await partitionOf(old)).toBe("telemetry_event_p20190501");
    const [left] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_default_partition_months()");
    expect(left?.n).toBe(0);
    // Indexes: every partition (the migration's and the job's) has the keyset B-tree and no BRIN on time (20261204030000).
    const indexes = await sql<{ partition: string; am: string; definition: string }>(
      `SELECT c.relname AS partition, am.amname AS am, pg_get_indexdef(x.indexrelid) AS definition
         FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_class ci ON ci.oid = x.indexrelid JOIN pg_am am ON am.oid = ci.relam
        WHERE n.nspname = 'telemetry_partitions'`,
    );
    expect(indexes.filter((index) => index.am === "brin")).toEqual([]);
    for (const name of [monthName(now), "telemetry_event_p20190501", monthName(utcMonthStart(now, 5))]) {
      expect(indexes.some((index) => index.partition === name && /btree \("time" DESC, id DESC\)/.test(index.definition))).toBe(true);
    }
    // a second run has nothing to do
    expect(await maintainTelemetryPartitions(db.prisma, { aheadMonths: 5, requestId: "job:test-again", now })).toEqual({
      created: 0,
      movedFromDefault: 0,
      purgedPartitions: 0,
      purgedRows: 0,
    });
  });

  it("pages with the keyset across a partition boundary exactly as an unpartitioned ORDER BY would", async () => {
    // 30 events either side of the boundary between two months, far in the past so nothing else interleaves
    const boundary = new Date("2019-04-01T00:00:00Z");
    await maintainTelemetryPartitions(db.prisma, { aheadMonths: 3, requestId: "job:test-keyset", now: new Date("2019-03-15T00:00:00Z") });
    for (let i = 1; i <= 30; i += 1) {
      await insertEventAt(new Date(boundary.getTime() - i * 1_000));
      await insertEventAt(new Date(boundary.getTime() + i * 1_000 - 1_000));
    }
    await signIn(COPILOT, "improve_product");
    const filter = { from: "2019-03-31T23:00:00Z", to: "2019-04-01T01:00:00Z" };
    const seen: EventDto[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result = await listEvents({ ...filter, sort: "time_desc", limit: "7", ...(cursor ? { cursor } : {}) });
      seen.push(...result.items);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    const expected = await sql<{ id: string }>(
      `SELECT id::text AS id FROM telemetry_event WHERE "time" >= $1::timestamptz AND "time" < $2::timestamptz ORDER BY "time" DESC, id DESC`,
      filter.from,
      filter.to,
    );
    expect(expected).toHaveLength(60);
    expect(seen.map((item) => item.id)).toEqual(expected.map((row) => row.id));
    expect(new Set(seen.map((item) => (item.time < "2019-04-01" ? "march" : "april")))).toEqual(new Set(["march", "april"]));
  });

  it("drops partitions past TELEMETRY_RETENTION_DAYS with one system audit row each, keeping the rest", async () => {
    const requestId = `job:test-${randomBytes(4).toString("hex")}`;
    const [inMarch] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_event WHERE "time" >= '2019-03-01' AND "time" < '2019-04-01'`);
    // a retention that reaches back to 2019-04-15: March 2019 (and earlier) goes, April 2019 stays
    const retentionDays = Math.floor((now.getTime() - Date.parse("2019-04-15T00:00:00Z")) / DAY);
    expect(retentionCutoff(now, retentionDays).toISOString()).toBe("2019-04-01T00:00:00.000Z");
    const result = await maintainTelemetryPartitions(db.prisma, { aheadMonths: 3, retentionDays, requestId, now });
    expect(result.purgedPartitions).toBe(1);
    expect(result.purgedRows).toBe(inMarch?.n);
    const names = (await listTelemetryPartitions(db.prisma)).map((partition) => partition.name);
    expect(names).not.toContain("telemetry_event_p20190301");
    expect(names).toContain("telemetry_event_p20190401");
    const [gone] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_event WHERE "time" < '2019-04-01'`);
    expect(gone?.n).toBe(0);

    const rows = await sql<{ action: string; actor_email: string | null; target_type: string; target_id: string; row_count: number; reason: string; after: Record<string, unknown> }>(
      "SELECT action, actor_email, target_type, target_id, row_count, reason, after FROM audit_event WHERE request_id = $1 ORDER BY id",
      requestId,
    );
    expect(rows).toEqual([
      {
        action: "telemetry.partition_purged",
        actor_email: null,
        target_type: "telemetry_partition",
        target_id: "telemetry_event_p20190301",
        row_count: inMarch?.n,
        reason: expect.stringContaining(`TELEMETRY_RETENTION_DAYS = ${retentionDays}`),
        after: { partition: "telemetry_event_p20190301", from: "2019-03-01T00:00:00.000Z", to: "2019-04-01T00:00:00.000Z", rowCount: inMarch?.n, retentionDays },
      },
    ]);
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);
  });

  it("erases one machine across partitions for an admin, leaving a tombstone, and its disclosure receipt still lists the earlier access", async () => {
    const machine = `erase-me-${randomBytes(4).toString("hex")}`;
    const times = [new Date(now.getTime() - 2 * DAY), new Date(utcMonthStart(now, 1).getTime() + DAY), new Date("2019-04-20T00:00:00Z")];
    for (const time of times) await insertEventAt(time, machine);
    const partitions = await sql<{ p: string }>("SELECT DISTINCT tableoid::regclass::text AS p FROM telemetry_event WHERE machine_id = $1", machine);
    expect(partitions).toHaveLength(3);

    // A viewer opens the machine's events: an audited disclosure naming the machine.
    await signIn(COPILOT, "improve_product");
    const listed = await listEvents({ machineId: machine, from: "2019-01-01T00:00:00Z" });
    expect(listed.items).toHaveLength(3);

    // Only an admin may erase.
    await expect(previewMachineErasure({ machineId: machine })).rejects.toThrow(AppError);
    await signIn(ADMIN);
    const preview = await previewMachineErasure({ machineId: machine });
    expect(preview).toMatchObject({ count: 3, machineIdSha256: machineIdSha256(machine), firstTime: "2019-04-20T00:00:00.000Z" });
    // a reason is required, and the count confirmed must be the current one
    await expect(eraseMachine({ machineId: machine, reason: "", expectedCount: "3" })).rejects.toMatchObject({ status: 400 });
    await expect(eraseMachine({ machineId: machine, reason: `DSR-1234 for ${machine}`, expectedCount: "2" })).rejects.toMatchObject({ status: 409 });
    const [stillThere] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE machine_id = $1", machine);
    expect(stillThere?.n).toBe(3);

    const done = await eraseMachine({ machineId: machine, reason: `DSR-1234 for ${machine}`, expectedCount: "3" });
    expect(done.count).toBe(3);
    const [left] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE machine_id = $1", machine);
    expect(left?.n).toBe(0);

    const [tombstone] = await sql<{ actor_email: string; reason: string; target_type: string; target_id: string; machine_ids: string[]; row_count: number; after: Record<string, unknown>; hash: string }>(
      "SELECT actor_email, reason, target_type, target_id, machine_ids, row_count, after FROM audit_event WHERE action = 'telemetry.machine_erased' AND outcome = 'allowed' ORDER BY id DESC LIMIT 1",
    );
    expect(tombstone).toEqual({
      actor_email: ADMIN,
      reason: "DSR-1234 for [machine id]",
      target_type: "machine_id_sha256",
      target_id: machineIdSha256(machine),
      machine_ids: [],
      row_count: 3,
      after: { machineIdSha256: machineIdSha256(machine), erasedEvents: 3, firstEventTime: "2019-04-20T00:00:00.000Z", lastEventTime: times[1]!.toISOString() },
    });
    // the machine id is nowhere in clear in the tombstone
    const [clear] = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_event WHERE action = 'telemetry.machine_erased' AND (reason LIKE '%' || $1 || '%' OR after::text LIKE '%' || $1 || '%' OR target_id = $1)",
      machine,
    );
    expect(clear?.n).toBe(0);

    // The disclosure history stays provable: the receipt still lists the viewer's earlier access.
    await signIn(AUDITOR);
    const receipt = await getDisclosureReceipt({ machineId: machine });
    expect([...receipt.rows, ...receipt.notYetCovered].map((entry) => entry.row.action)).toContain("events.list");
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);
  });

  // Several instances need PostgreSQL: the embedded database serves one process.
  if (target.name === "PostgreSQL") {
    it("runs the scheduled job once across two job runners: one purge, one audit row", async () => {
      const old = await insertEventAt(new Date("2018-06-06T00:00:00Z"));
      await maintainTelemetryPartitions(db.prisma, { aheadMonths: 3, requestId: "job:test-prepare", now });
      expect(await partitionOf(old)).toBe("telemetry_event_p20180601");
      const second = await connectDatabase({ databaseUrl: target.databaseUrl, pgliteDataDir: "(unused)", poolSize: 2 });
      const retentionDays = Math.floor((now.getTime() - Date.parse("2018-07-15T00:00:00Z")) / DAY);
      const runs: string[] = [];
      const job = (instance: string) => {
        const definition = telemetryPartitionsJob({ cron: "* * * * *", retentionDays, aheadMonths: 3 });
        return { ...definition, run: async (context: Parameters<typeof definition.run>[0]) => (runs.push(instance), definition.run(context)) };
      };
      const quiet = pino({ level: "silent" });
      const timing = { cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1, pollingIntervalSeconds: 0.5 };
      if (new Date().getUTCSeconds() >= 45) await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000) + 500));
      const one = createJobRunner({ database: db, databaseUrl: target.databaseUrl, jobs: [job("one")], timing, logger: quiet });
      const two = createJobRunner({ database: second, databaseUrl: target.databaseUrl, jobs: [job("two")], timing, logger: quiet });
      try {
        await Promise.all([one.start(), two.start()]);
        const deadline = Date.now() + 30_000;
        while (runs.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
        // let a second (wrong) run show itself, within the same minute
        await new Promise((resolve) => setTimeout(resolve, 4_000));
      } finally {
        await Promise.all([one.stop({ timeoutMs: 5_000 }), two.stop({ timeoutMs: 5_000 })]);
        await second.close();
      }
      expect(runs).toHaveLength(1);
      const purges = await sql<{ target_id: string; row_count: number }>(
        "SELECT target_id, row_count FROM audit_event WHERE action = 'telemetry.partition_purged' AND target_id = 'telemetry_event_p20180601'",
      );
      expect(purges).toEqual([{ target_id: "telemetry_event_p20180601", row_count: 1 }]);
    }, 100_000);

    /** A second connection to the same database, as the same (runtime) role. */
    async function otherConnection(): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: target.databaseUrl });
      await client.connect();
      return client;
    }

    /** Waits until some session of this database waits for a lock (the transaction under test, blocked by the other). */
    async function untilSomeoneWaitsForALock(client: pg.Client): Promise<void> {
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        );
        if ((rows[0]?.n ?? 0) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error("the transaction under test never waited for the other connection's insert");
    }

    /** An INSERT in `client`'s open transaction, copying a seeded event to `time` for `machineId`. */
    async function insertIn(client: pg.Client, time: Date, machineId: string): Promise<void> {
      await client.query(
        `INSERT INTO telemetry_event
         SELECT (jsonb_populate_record(NULL::telemetry_event, to_jsonb(t) || jsonb_build_object('id', gen_random_uuid(), 'time', $1::timestamptz, 'machine_id', $2::text))).*
           FROM telemetry_event t WHERE t.kind = 'completion_shown' ORDER BY t.id LIMIT 1`,
        [time.toISOString(), machineId],
      );
    }

    it("keeps the rollups equal to a rebuild when an erasure races with an insert of the same machine's event", async () => {
      const machine = `race-${randomBytes(4).toString("hex")}`;
      const hour = new Date("2017-02-03T04:05:00Z");
      for (let i = 0; i < 3; i += 1) await insertEventAt(new Date(hour.getTime() + i * 1_000), machine);
      expect(await rollupDrift(db.prisma)).toBe(0);
      const other = await otherConnection();
      try {
        // Another connection inserts a 4th event of the machine in the same hour and keeps its transaction open:
        // the insert trigger holds the hour's rollup rows, so the erasure stops at them.
        await other.query("BEGIN");
        await insertIn(other, new Date(hour.getTime() + 5_000), machine);
        const erasure = db.prisma.$transaction((tx) => eraseMachineEventsInTransaction(tx, machine));
        await untilSomeoneWaitsForALock(other);
        await other.query("COMMIT");
        const erased = await erasure;
        // Whichever events the erasure removed, the rollups lost exactly those and still count the rest.
        const [left] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE machine_id = $1", machine);
        expect(erased.count + (left?.n ?? 0)).toBe(4);
        expect(await rollupDrift(db.prisma)).toBe(0);
      } finally {
        await other.end();
      }
    }, 60_000);

    it("keeps the rollups equal to a rebuild when retention drops a partition another connection is inserting into", async () => {
      await maintainTelemetryPartitions(db.prisma, { aheadMonths: 0, requestId: "job:test-race-prepare", now: new Date("2017-05-15T00:00:00Z") });
      const may = new Date("2017-05-20T10:00:00Z");
      for (let i = 0; i < 2; i += 1) await insertEventAt(new Date(may.getTime() + i * 1_000));
      expect(await partitionOf(await insertEventAt(may))).toBe("telemetry_event_p20170501");
      expect(await rollupDrift(db.prisma)).toBe(0);
      const retentionDays = Math.floor((now.getTime() - Date.parse("2017-06-15T00:00:00Z")) / DAY);
      expect(retentionCutoff(now, retentionDays).toISOString()).toBe("2017-06-01T00:00:00.000Z");
      const other = await otherConnection();
      try {
        // An event of May 2017 arrives in another connection's open transaction while retention drops May 2017.
        await other.query("BEGIN");
        await insertIn(other, new Date(may.getTime() + 7_200_000), `late-${randomBytes(4).toString("hex")}`);
        const purge = maintainTelemetryPartitions(db.prisma, { aheadMonths: 0, retentionDays, requestId: `job:test-race-${randomBytes(3).toString("hex")}`, now });
        await untilSomeoneWaitsForALock(other);
        await other.query("COMMIT");
        const result = await purge;
        expect(result.purgedPartitions).toBeGreaterThanOrEqual(1);
        const [left] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_event WHERE "time" < '2017-06-01'`);
        expect(left?.n).toBe(0);
        expect(await rollupDrift(db.prisma)).toBe(0);
      } finally {
        await other.end();
      }
    }, 60_000);
  }
});
