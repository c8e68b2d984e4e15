// A PostgreSQL restart under load, as the portal's data layer lives through
// it. A small TCP proxy (node:net) sits between the data layer's pg pool and
// PostgreSQL; while audited reads (allowed, refused as bad input, not found)
// run from several workers, the proxy is cut — every connection closed, new
// ones refused — for three seconds, then answers as a server that is starting
// up (57P03) and then full (53300), then is restored. Also the way a real
// restart ends sessions: the server terminates every backend (57P01).
//
// Asserted: every failure is an AppError 503 (database_unavailable or
// audit_unavailable) — never a 500 or an unclassified error; no message says
// an attempt "was recorded" unless its audit row exists; and reads succeed
// again by themselves once the database is back, on the same pool (no restart).
//
// PostgreSQL only: the embedded database has no connection to cut.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes, randomUUID } from "node:crypto";
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectDatabase, type Database } from "@/server/db/connect";
import { migrateDatabase } from "@/server/db/migrate";
import { seedDatabase } from "@/server/seed/seed-database";
import { getEvent } from "@/server/data/get-event";
import { listEvents } from "@/server/data/list-events";
import { AppError } from "@/server/http/app-error";
import { takeStatusOverride } from "@/server/http/status-override";
import { signInForTest } from "@/test/sessions";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 14).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return {
    token: null as string | null,
    db: null as Database | null,
    /** each simulated request's id, per async context (the workers run concurrently) */
    scope: null as { getStore(): string | undefined } | null,
  };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest restart", "x-portal-request-id": state.scope?.getStore() ?? randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const KEYS = [{ id: "itk1", key: Buffer.alloc(32, 14) }];
const VIEWER = "viewer.copilot@github.example";
const serverUrl = process.env.TEST_DATABASE_URL;

/** What PostgreSQL answers a new connection while it starts up, or when every slot is taken (many instances reconnecting at once). */
const STARTING_UP = { sqlstate: "57P03", message: "the database system is starting up" };
const TOO_MANY_CLIENTS = { sqlstate: "53300", message: "sorry, too many clients already" };

/** ErrorResponse, severity FATAL; the server then hangs up. */
function fatalError(answer: { sqlstate: string; message: string }): Buffer {
  const fields = [["S", "FATAL"], ["V", "FATAL"], ["C", answer.sqlstate], ["M", answer.message]];
  const body = Buffer.concat([...fields.map(([type, value]) => Buffer.from(`${type}${value}\0`, "utf8")), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write("E", 0, "ascii");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/**
 * A TCP proxy to PostgreSQL that can be cut (all connections closed, new ones
 * refused), answer like a server that is starting up, and be restored on the
 * same port.
 */
class CuttableProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  /** when set, new connections are answered with this FATAL error instead of reaching PostgreSQL */
  refuseWith: { sqlstate: string; message: string } | null = null;

  constructor(private readonly upstream: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      const refusal = this.refuseWith;
      if (refusal) {
        client.on("error", () => undefined);
        client.once("data", () => client.end(fatalError(refusal)));
        return;
      }
      const upstreamSocket = net.connect(this.upstream);
      for (const socket of [client, upstreamSocket]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => undefined);
      }
      client.pipe(upstreamSocket).pipe(client);
      client.on("close", () => upstreamSocket.destroy());
      upstreamSocket.on("close", () => client.destroy());
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Closes every connection and stops listening: new connections are refused. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  get openConnections(): number {
    return this.sockets.size / 2;
  }
}

/** One simulated request; `override` is the HTTP status its page would be forced to (server/http/status-override.ts). */
type Outcome = { requestId: string; at: number; ok: boolean; error?: unknown; override?: { status: number; retryAfterSeconds?: number } };

describe.skipIf(!serverUrl)("the data layer through a PostgreSQL restart", () => {
  const name = `tp_restart_it_${randomBytes(4).toString("hex")}`;
  const directUrl = (() => {
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    return url.toString();
  })();
  const upstream = new URL(serverUrl!);
  const proxy = new CuttableProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) });
  const scope = new AsyncLocalStorage<string>();
  let direct: pg.Client;
  let eventId: string;

  async function onServer(sql: string): Promise<void> {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  }

  beforeAll(async () => {
    await onServer(`CREATE DATABASE ${name}`);
    await migrateDatabase({ env: { ...process.env, DATABASE_URL: directUrl, DATABASE_MIGRATION_URL: "" }, log: () => undefined });
    await seedDatabase({ databaseUrl: directUrl, events: 200, seed: 5, keys: KEYS, log: () => undefined });
    await proxy.start();
    const proxied = new URL(directUrl);
    proxied.port = String(proxy.port);
    state.db = await connectDatabase({ databaseUrl: proxied.toString(), pgliteDataDir: "(unused)", poolSize: 4 });
    state.token = await signInForTest(state.db.prisma, VIEWER, { purpose: "improve_product" });
    state.scope = scope;
    direct = new pg.Client({ connectionString: directUrl });
    await direct.connect();
    const rows = await direct.query<{ id: string }>(`SELECT id::text AS id FROM telemetry_event WHERE kind = 'error' LIMIT 1`);
    eventId = rows.rows[0]!.id;
  });

  afterAll(async () => {
    await direct?.end();
    await state.db?.close();
    state.db = null;
    await proxy.cut().catch(() => undefined);
    await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  /** One simulated request: a request id of its own, the call, its outcome. */
  async function request(call: () => Promise<unknown>): Promise<Outcome> {
    const requestId = randomUUID();
    return scope.run(requestId, async () => {
      try {
        await call();
        return { requestId, at: Date.now(), ok: true, override: takeStatusOverride(requestId) };
      } catch (error) {
        return { requestId, at: Date.now(), ok: false, error, override: takeStatusOverride(requestId) };
      }
    });
  }

  /** The mix of audited reads a page load makes: allowed, refused (bad input, 400) and not found (404), each with its audit row. */
  const calls: Array<() => Promise<unknown>> = [
    () => listEvents({ limit: "5" }),
    () => getEvent({ id: eventId }),
    () => listEvents({ limit: "not-a-number" }),
    () => getEvent({ id: randomUUID() }),
  ];

  /** Runs `workers` loops of the mix while `during` runs; returns every outcome. */
  async function load(workers: number, during: (outcomes: readonly Outcome[]) => Promise<void>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let running = true;
    const loops = Array.from({ length: workers }, async (_, worker) => {
      for (let index = worker; running; index += 1) {
        outcomes.push(await request(calls[index % calls.length]!));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    try {
      await during(outcomes);
    } finally {
      running = false;
      await Promise.all(loops);
    }
    return outcomes;
  }

  /** What a refused or allowed call is expected to end in while the database is up. */
  function isExpectedWhileUp(outcome: Outcome): boolean {
    if (outcome.ok) return true;
    return outcome.error instanceof AppError && (outcome.error.status === 400 || outcome.error.status === 404);
  }

  async function auditedRequestIds(ids: string[]): Promise<Set<string>> {
    const rows = await direct.query<{ request_id: string }>(`SELECT request_id FROM audit_event WHERE request_id = ANY($1::text[])`, [ids]);
    return new Set(rows.rows.map((row) => row.request_id));
  }

  /** Every failure is a classified 503, and no message claims a record that does not exist. */
  async function expectOnlyClassifiedUnavailability(outcomes: Outcome[]): Promise<void> {
    const failures = outcomes.filter((outcome) => !isExpectedWhileUp(outcome));
    const described = failures.map((outcome) =>
      outcome.error instanceof AppError ? `${outcome.error.status} ${outcome.error.code}` : `unclassified ${String(outcome.error)}`,
    );
    for (const [index, failure] of failures.entries()) {
      expect(failure.error, described[index]).toBeInstanceOf(AppError);
      const error = failure.error as AppError;
      expect(error.status, described[index]).toBe(503);
      expect(["database_unavailable", "audit_unavailable"], described[index]).toContain(error.code);
      // A page meeting it answers 503 with Retry-After, whatever it renders.
      expect(failure.override, described[index]).toEqual({ status: 503, retryAfterSeconds: 5 });
    }
    for (const outcome of outcomes.filter(isExpectedWhileUp)) expect(outcome.override).toBeUndefined();
    const audited = await auditedRequestIds(outcomes.map((outcome) => outcome.requestId));
    for (const outcome of outcomes) {
      const message = outcome.error instanceof Error ? outcome.error.message : "";
      if (/recorded/i.test(message)) expect(audited.has(outcome.requestId), `"${message}" without its audit row`).toBe(true);
      // Whatever was served or refused as 4xx has its audit row; a 503 has none.
      if (isExpectedWhileUp(outcome)) expect(audited.has(outcome.requestId), `request ${outcome.requestId} succeeded without an audit row`).toBe(true);
    }
  }

  /** Reads succeed again by themselves, on the same pool, within `withinMs`. */
  async function expectRecovery(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    let last: Outcome | undefined;
    while (Date.now() < deadline) {
      last = await request(calls[0]!);
      if (last.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(last?.ok, `no successful read within ${withinMs} ms of the database returning: ${String(last?.error)}`).toBe(true);
    const after = await Promise.all(Array.from({ length: 12 }, (_, index) => request(calls[index % calls.length]!)));
    expect(after.filter((outcome) => !isExpectedWhileUp(outcome)).map((outcome) => String(outcome.error))).toEqual([]);
  }

  it("serves and audits normally through the proxy", async () => {
    const outcomes = await Promise.all(Array.from({ length: 16 }, (_, index) => request(calls[index % calls.length]!)));
    expect(outcomes.filter((outcome) => !isExpectedWhileUp(outcome)).map((outcome) => String(outcome.error))).toEqual([]);
    await expectOnlyClassifiedUnavailability(outcomes);
    expect(proxy.openConnections).toBeGreaterThan(0);
  });

  it("answers 503 while the connection is cut (closed and refused for ~3 s, then 'starting up', then full), then recovers by itself", async () => {
    let cutAt = 0;
    let restoredAt = 0;
    const outcomes = await load(4, async (sofar) => {
      // Cut once reads are flowing (a fixed delay proved too short on a loaded 2-core machine).
      const flowingBy = Date.now() + 30_000;
      while (!sofar.some((outcome) => outcome.ok) && Date.now() < flowingBy) await new Promise((resolve) => setTimeout(resolve, 50));
      cutAt = Date.now();
      await proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      // Back, but starting up: new connections are answered with 57P03 for a second, then every
      // slot is taken for half a second (53300), as when all instances reconnect at once.
      proxy.refuseWith = STARTING_UP;
      await proxy.start();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      proxy.refuseWith = TOO_MANY_CLIENTS;
      await new Promise((resolve) => setTimeout(resolve, 500));
      proxy.refuseWith = null;
      restoredAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 400));
    });
    const during = outcomes.filter((outcome) => outcome.at > cutAt && outcome.at < restoredAt);
    // The cut was felt: requests failed during it (else this test proves nothing).
    expect(during.filter((outcome) => !outcome.ok && outcome.error instanceof AppError && outcome.error.status === 503).length).toBeGreaterThan(3);
    expect(outcomes.some((outcome) => outcome.ok && outcome.at < cutAt)).toBe(true);
    await expectOnlyClassifiedUnavailability(outcomes);
    await expectRecovery(10_000);
  });

  it("answers 503 when the server terminates every session (what a restart does: 57P01), then recovers by itself", async () => {
    const outcomes = await load(4, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A fast shutdown terminates each backend, in and out of transactions; repeated while reads go on.
      for (let round = 0; round < 5; round += 1) {
        await direct.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    });
    expect(outcomes.some((outcome) => !outcome.ok && outcome.error instanceof AppError && outcome.error.status === 503)).toBe(true);
    await expectOnlyClassifiedUnavailability(outcomes);
    await expectRecovery(10_000);
  });
});
