// Read replicas against a REAL streaming replica of the test PostgreSQL
// (TEST_DATABASE_URL): pg_basebackup of the server into a temporary data
// directory, started with Debian's PostgreSQL binaries as the `postgres` OS
// user on a free port, streaming from the server. The explorer's list reads
// its rows there while the person is resolved and the audit row committed on
// the primary; a replica whose replay is paused falls behind
// REPLICA_MAX_LAG_SECONDS and is skipped; a replica stopped in the middle of a
// run of reads leaves every read answered, from the primary. The server must
// accept replication connections from 127.0.0.1 (.ci/allow-loopback-replication).
// The replica is stopped and its directory removed whatever happens.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/server/db/connect";
import { getMetrics } from "@/server/observability/metrics";
import { seededTestTargets, type TestTarget } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import { listEvents } from "@/server/data/list-events";
import { configureReplicas, ReplicaSet } from "./replicas";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 12).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null, requestId: "" };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest replicas", "x-portal-request-id": state.requestId || randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const PG_BIN = "/usr/lib/postgresql/15/bin";
const serverUrl = process.env.TEST_DATABASE_URL;
const KEYS = [{ id: "itk1", key: Buffer.alloc(32, 12) }];
const VIEWER = "viewer.copilot@github.example";
/** generous: the shared test server writes all the time, and a loaded machine replays late */
const MAX_LAG_SECONDS = 5;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Runs a PostgreSQL binary as the postgres OS user (the server refuses to run as root). */
function asPostgres(binary: string, args: string[]): string {
  return execFileSync("runuser", ["-u", "postgres", "--", path.join(PG_BIN, binary), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Every standby started here, so that cleanup finds it even when a hook timed out before it was returned. */
const started: Replica[] = [];

type Replica = { dir: string; dataDir: string; port: number; stop(mode: "fast" | "immediate"): void; dispose(): void };

/** pg_basebackup of the test server into a temporary directory, started as a streaming standby on a free port. */
async function startReplica(primaryUrl: string): Promise<Replica> {
  const primary = new URL(primaryUrl);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-standby-it-"));
  const dataDir = path.join(dir, "data");
  const port = await freePort();
  execFileSync("chown", ["postgres:postgres", dir]);
  const stop = (mode: "fast" | "immediate") => {
    if (fs.existsSync(path.join(dataDir, "postmaster.pid"))) {
      try {
        asPostgres("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "-t", "60", "stop"]);
      } catch {
        // already stopped
      }
    }
  };
  const replica: Replica = {
    dir,
    dataDir,
    port,
    stop,
    dispose: () => {
      stop("immediate");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  started.push(replica);
  try {
    // -R writes standby.signal and primary_conninfo: the copy starts as a standby streaming from the server.
    asPostgres("pg_basebackup", ["-h", primary.hostname, "-p", primary.port || "5432", "-U", decodeURIComponent(primary.username || "postgres"), "-D", dataDir, "-X", "stream", "-R", "-c", "fast"]);
    // Debian keeps the server's configuration outside its data directory: the copy gets its own. A
    // standby refuses to start with lower limits than its primary's, so those are copied; fsync is off
    // (a throwaway copy).
    const limits = await query<{ name: string; setting: string }>(
      primaryUrl,
      "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')",
    );
    fs.writeFileSync(
      path.join(dataDir, "postgresql.conf"),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        "hot_standby = on",
        "shared_buffers = 32MB",
        "fsync = off",
        "recovery_init_sync_method = syncfs",
        "wal_receiver_status_interval = 1s",
        ...limits.map((limit) => `${limit.name} = ${limit.setting}`),
        "",
      ].join("\n"),
    );
    fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    fs.writeFileSync(path.join(dataDir, "pg_ident.conf"), "");
    execFileSync("chown", ["-R", "postgres:postgres", dir]);
    try {
      asPostgres("pg_ctl", ["-D", dataDir, "-l", path.join(dir, "replica.log"), "-w", "-t", "120", "start"]);
    } catch (error) {
      const log = fs.existsSync(path.join(dir, "replica.log")) ? fs.readFileSync(path.join(dir, "replica.log"), "utf8").slice(-2000) : "(no log)";
      throw new Error(`the replica did not start: ${String(error)}\n${log}`);
    }
    return replica;
  } catch (error) {
    replica.dispose();
    throw error;
  }
}

function onPort(url: string, port: number, user?: string): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  parsed.port = String(port);
  if (user) {
    parsed.username = user;
    parsed.password = "";
  }
  return parsed.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function readsBy(target: string): Promise<number> {
  const metric = await getMetrics().telemetryReads.get();
  return metric.values.find((value) => value.labels.target === target)?.value ?? 0;
}

describe.skipIf(!serverUrl)("telemetry reads on a real streaming replica", () => {
  let target: TestTarget;
  let replica: Replica | undefined;
  let replicaUrl = "";
  let replicaLabel = "";
  let replicaAdminUrl = "";

  beforeAll(async () => {
    // PostgreSQL only: the embedded database has no replicas (the unused PGlite target is disposed at once).
    const targets = seededTestTargets({ label: "replicas", keys: KEYS, events: 400 });
    await Promise.all(targets.filter((candidate) => candidate.name !== "PostgreSQL").map((candidate) => candidate.dispose()));
    target = targets.find((candidate) => candidate.name === "PostgreSQL")!;
    state.db = await target.open();
    state.token = await signInForTest(state.db.prisma, VIEWER, { purpose: "improve_product" });
    // Taken after the database, its roles and the session exist: the copy has them all.
    replica = await startReplica(serverUrl!);
    replicaUrl = onPort(target.databaseUrl!, replica.port);
    replicaAdminUrl = onPort(target.databaseUrl!, replica.port, "postgres");
    replicaLabel = `127.0.0.1:${replica.port}${new URL(replicaUrl).pathname}`;
    // Started is not yet streaming: wait until its WAL receiver streams and it replayed what the primary has now.
    const [{ lsn } = { lsn: "0/0" }] = await query<{ lsn: string }>(serverUrl!, "SELECT pg_current_wal_lsn()::text AS lsn");
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [row] = await query<{ streaming: boolean; caught_up: boolean }>(
        replicaAdminUrl,
        "SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') AS streaming, pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up",
        [lsn],
      );
      if (row?.streaming && row.caught_up) break;
      if (Date.now() > deadline) throw new Error(`the replica did not catch up with the primary within 120 s: ${JSON.stringify(row)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await configureReplicas(new ReplicaSet([replicaUrl], { maxLagSeconds: MAX_LAG_SECONDS, poolSize: 4, primary: async () => state.db!.prisma }));
    // pg_basebackup copies the whole test server (every database on it): allow for a loaded machine.
  }, 900_000);

  afterAll(async () => {
    await configureReplicas(null);
    for (const standby of started) standby.dispose();
    await state.db?.close();
    await target?.dispose();
  }, 300_000);

  it("is a standby streaming from the test server", async () => {
    const [row] = await query<{ in_recovery: boolean; events: number }>(replicaUrl, "SELECT pg_is_in_recovery() AS in_recovery, (SELECT count(*)::int FROM telemetry_event) AS events");
    expect(row).toEqual({ in_recovery: true, events: 400 });
    const [sender] = await query<{ senders: number }>(serverUrl!, "SELECT count(*)::int AS senders FROM pg_stat_replication WHERE state = 'streaming'");
    expect(sender!.senders).toBeGreaterThan(0);
  });

  it("reads the rows on the replica, while the audit row is committed on the primary", async () => {
    const scansBefore = await replicaScans();
    // The replica may trail a busy shared server by a moment: read until one read ran there (each read is answered either way).
    let page = { items: [] as Array<{ id: string }> };
    await expect
      .poll(
        async () => {
          const before = await readsBy(replicaLabel);
          state.requestId = randomUUID();
          page = await listEvents({ limit: "25" });
          expect(page.items).toHaveLength(25);
          const delta = (await readsBy(replicaLabel)) - before;
          if (delta === 0) await new Promise((resolve) => setTimeout(resolve, 1_100));
          return delta;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(1);
    // The replica itself did the reading: its own statistics count the scans (a backend flushes them within ~10 s).
    await expect.poll(replicaScans, { timeout: 30_000, interval: 1_000 }).toBeGreaterThan(scansBefore);
    const [audit] = await state.db!.prisma.$queryRaw<Array<{ event_ids: string[]; outcome: string }>>`
      SELECT event_ids, outcome::text FROM audit_event WHERE request_id = ${state.requestId} AND action = 'events.list'`;
    expect(audit).toEqual({ event_ids: page.items.map((item) => item.id), outcome: "allowed" });
    expect((await getMetrics().replicaHealthy.get()).values.find((value) => value.labels.replica === replicaLabel)?.value).toBe(1);
  });

  it("skips a replica further behind than REPLICA_MAX_LAG_SECONDS, and uses it again once it caught up", async () => {
    await query(replicaAdminUrl, "SELECT pg_wal_replay_pause()");
    try {
      // A transaction the paused replica cannot replay, then long enough for it to count as behind.
      await state.db!.prisma.$executeRaw`UPDATE auth_session SET purpose_detail = ${`lag ${randomUUID()}`} WHERE session_token = ${state.token}`;
      await new Promise((resolve) => setTimeout(resolve, (MAX_LAG_SECONDS + 1.5) * 1000));
      const onPrimary = await readsBy("primary");
      const onReplica = await readsBy(replicaLabel);
      const page = await listEvents({ limit: "10" });
      expect(page.items).toHaveLength(10);
      expect(await readsBy("primary")).toBe(onPrimary + 1);
      expect(await readsBy(replicaLabel)).toBe(onReplica);
      const lag = (await getMetrics().replicaLagSeconds.get()).values.find((value) => value.labels.replica === replicaLabel)?.value ?? 0;
      expect(lag).toBeGreaterThan(MAX_LAG_SECONDS);
    } finally {
      await query(replicaAdminUrl, "SELECT pg_wal_replay_resume()");
    }
    await expect
      .poll(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 1_100));
          const onReplica = await readsBy(replicaLabel);
          await listEvents({ limit: "10" });
          return (await readsBy(replicaLabel)) - onReplica;
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe(1);
  });

  it("answers every read when the replica stops in the middle of a run, from the primary", async () => {
    const onReplica = await readsBy(replicaLabel);
    const results: Array<{ ok: boolean; items: number; error?: unknown }> = [];
    let stopped = false;
    const reader = async () => {
      for (let index = 0; index < 12; index += 1) {
        if (index === 4 && !stopped) {
          stopped = true;
          replica!.stop("immediate");
        }
        state.requestId = randomUUID();
        try {
          results.push({ ok: true, items: (await listEvents({ limit: "20" })).items.length });
        } catch (error) {
          results.push({ ok: false, items: 0, error });
        }
      }
    };
    await Promise.all([reader(), reader()]);
    expect(stopped).toBe(true);
    expect(results.filter((result) => !result.ok).map((result) => String(result.error))).toEqual([]);
    expect(results.every((result) => result.items === 20)).toBe(true);
    expect(await readsBy(replicaLabel)).toBeGreaterThan(onReplica);
    expect((await readsBy("primary")) + (await readsBy("primary-fallback"))).toBeGreaterThan(0);
    expect((await getMetrics().replicaHealthy.get()).values.find((value) => value.labels.replica === replicaLabel)?.value).toBe(0);
    // Every read was audited on the primary.
    const [audited] = await state.db!.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM audit_event WHERE action = 'events.list' AND outcome = 'allowed'`;
    expect(audited!.n).toBeGreaterThanOrEqual(results.length);
  });

  async function replicaScans(): Promise<number> {
    const [row] = await query<{ scans: string }>(replicaAdminUrl, "SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0)::bigint::text AS scans FROM pg_stat_user_tables WHERE relname LIKE 'telemetry\\_event%'");
    return Number(row?.scans ?? 0);
  }
});
