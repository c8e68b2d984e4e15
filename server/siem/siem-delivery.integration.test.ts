// Streaming the audit trail to a SIEM, against real databases (PGlite always,
// PostgreSQL when TEST_DATABASE_URL is set) and real receivers on loopback: a
// syslog listener over TCP and over TLS (a certificate made by openssl for the
// test), and a Splunk HEC-compatible HTTP and HTTPS endpoint. Each receiver is
// killed in the middle of a delivery and started again; every audit row must
// arrive at least once, no row of a chain before its predecessor, none lost.
// A sink that is down is a logged, counted, stored failure — never a crash,
// never a failed audited read.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { writeAuditEvent, type AuditEntry } from "@/server/audit/write-audit-event";
import { parseEnv } from "@/server/config/env";
import type { Database } from "@/server/db/connect";
import { getMetrics } from "@/server/observability/metrics";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import { closedPort, makeTestCertificate, startHecReceiver, startSyslogReceiver, type TestCertificate } from "@/test/siem-receivers";
import { parseRfc5424 } from "@/test/syslog-parse";
import { getSiemDelivery } from "@/server/data/audit/get-siem-delivery";
import { listEvents } from "@/server/data/list-events";
import { deliverToSiemJob } from "@/server/jobs/deliver-to-siem";
import { AppError } from "@/server/http/app-error";
import { LeaseLostError, advanceCursors, readPendingRows, readSinkStates, registerSink, takeLease } from "./delivery-store";
import { deliverAuditRows, deliverToSink, type DeliveryOptions } from "./deliver-audit-rows";
import { createHecSink } from "./hec-sink";
import { createConfiguredSinks } from "./siem-config";
import { attachSiemLagMetrics, detachSiemLagMetrics } from "./siem-lag-metrics";
import type { SiemSink } from "./siem-sink";
import { createSyslogSink } from "./syslog-sink";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `siem1:${Buffer.alloc(32, 21).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  // The sink the auditor console lists (getEnv() reads this once): a port nothing answers on.
  process.env.SIEM_SYSLOG_URL = "tcp://127.0.0.1:9";
  process.env.SIEM_SYSLOG_NAME = "console-syslog";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest siem", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const KEYS = [{ id: "siem1", key: Buffer.alloc(32, 21) }];
const PROJECT_DIR = path.resolve(import.meta.dirname, "../..");

/** `npm run siem:deliver` with this environment (on top of the test's, SIEM_* cleared). */
function runSiemDeliver(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith("SIEM_")) delete base[key];
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "siem:deliver"], { cwd: PROJECT_DIR, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr: stderr.replace(/^npm warn .*\n?/gim, "") }));
  });
}
const HEC_TOKEN = "3f2a9c4e-0d1b-4c55-9e77-a1b2c3d4e5f6";

type LogLine = { level: number; msg: string; sink?: string };
type ExpectedRow = { id: string; chain_id: number; seq: string; hash: string; action: string; occurred_at: string };
/** What a receiver got, reduced to the row's identity. */
type Arrival = { id: string; chainId: number; seq: bigint };

function captureLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

/**
 * Every expected row arrived at least once, and no row of a chain arrived
 * before its predecessor had (a resend starts again from an earlier row, which
 * is allowed; skipping ahead is not).
 */
function expectAtLeastOnceInOrder(arrivals: readonly Arrival[], expected: readonly ExpectedRow[], startSeq: Map<number, bigint> = new Map()): void {
  const highest = new Map<number, bigint>();
  for (const arrival of arrivals) {
    const seen = highest.get(arrival.chainId) ?? startSeq.get(arrival.chainId) ?? 0n;
    expect(arrival.seq <= seen + 1n, `chain ${arrival.chainId}: seq ${arrival.seq} arrived before seq ${seen + 1n}`).toBe(true);
    if (arrival.seq > seen) highest.set(arrival.chainId, arrival.seq);
  }
  const received = new Set(arrivals.map((arrival) => arrival.id));
  const missing = expected.filter((row) => !received.has(row.id));
  expect(missing.map((row) => row.id), "rows never delivered").toEqual([]);
}

describe.each(seededTestTargets({ label: "siem", keys: KEYS, events: 40 }))("SIEM delivery on $name", (target) => {
  let db: Database;
  let certificate: TestCertificate;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    certificate = makeTestCertificate();
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
    if (certificate) fs.rmSync(certificate.dir, { recursive: true, force: true });
  });

  const ODD_TARGETS = ['x"]\\[audit@1 forged="yes"]', "ünïcode ✓ \n newline", "plain", null];
  let written = 0;

  /** Audit rows as the portal writes them, spread over the chains by request id, with awkward targets. */
  async function writeRows(count: number): Promise<void> {
    for (let index = 0; index < count; index++) {
      written += 1;
      const entry: AuditEntry = {
        requestId: randomUUID(),
        actor: { personId: randomUUID(), email: `person${written % 7}@github.example`, employer: "github", groups: ["copilot_team"], roles: ["viewer"] },
        actorIp: "203.0.113.9",
        actorUserAgent: "vitest",
        action: written % 5 === 0 ? "events.reveal" : "events.list",
        outcome: written % 11 === 0 ? "denied" : "allowed",
        reason: written % 11 === 0 ? "forbidden: Your grants do not include browsing telemetry." : null,
        purpose: "improve_product",
        targetType: "event",
        targetId: ODD_TARGETS[written % ODD_TARGETS.length],
        eventIds: [randomUUID()],
        fieldClasses: ["measurements"],
        rowCount: 1,
      };
      await db.prisma.$transaction((tx) => writeAuditEvent(tx, entry), AUDITED_TRANSACTION);
    }
  }

  const expectedRows = () =>
    db.prisma.$queryRawUnsafe<ExpectedRow[]>(
      `SELECT id::text, chain_id::int AS chain_id, seq::text, hash, action,
              to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at
       FROM audit_event ORDER BY audit_event.id`,
    );

  function options(overrides: Partial<DeliveryOptions> & { logger: pino.Logger }): DeliveryOptions {
    return { sinks: [], start: { kind: "beginning" }, batchSize: 40, budgetMs: 120_000, leaseSeconds: 60, ...overrides };
  }

  async function sinkState(name: string) {
    const states = await readSinkStates(db.prisma);
    const found = states.find((entry) => entry.name === name);
    if (!found) throw new Error(`no state for sink ${name}`);
    return found;
  }

  const syslogArrivals = (frames: readonly Buffer[]): Arrival[] =>
    frames.map((frame) => {
      const params = Object.fromEntries(parseRfc5424(frame).structuredData[0]?.params ?? []);
      return { id: String(params.id), chainId: Number(params.chain), seq: BigInt(String(params.seq)) };
    });

  for (const transport of ["tcp", "tls"] as const) {
    it(`syslog over ${transport.toUpperCase()}: a receiver killed mid-stream and restarted still gets every row, in order per chain`, async () => {
      await writeRows(150);
      const receiver = await startSyslogReceiver(transport === "tls" ? { tls: certificate } : {});
      const name = `syslog-${transport}-${randomBytes(3).toString("hex")}`;
      const sink = createSyslogSink({
        name,
        target: { transport, host: transport === "tls" ? "localhost" : "127.0.0.1", port: receiver.port },
        ca: transport === "tls" ? certificate.cert : undefined,
        hostname: "portal.test",
        sdId: "audit@32473",
        timeoutMs: 5_000,
      });
      const { logger, lines } = captureLogger();
      const failuresBefore = (await getMetrics().siemDeliveryFailures.get()).values.find((value) => value.labels.sink === name)?.value ?? 0;
      try {
        // Dies in the third batch: two batches acknowledged, the third not.
        const killed = receiver.killAfterFrames(100);
        const first = await deliverToSink(db.prisma, sink, options({ logger }));
        await killed;
        expect(first.outcome).toBe("failed");
        expect(first.delivered).toBe(80);
        const afterKill = await sinkState(name);
        expect(afterKill.failures).toBe(1);
        expect(afterKill.lastError).toMatch(new RegExp(`^${transport}://`));
        expect(afterKill.lagRows).toBeGreaterThan(0n);

        // Down: refused, logged with its cause, counted; nothing moves and nothing throws.
        await writeRows(30);
        const down = await deliverToSink(db.prisma, sink, options({ logger }));
        expect(down).toMatchObject({ outcome: "failed", delivered: 0 });
        const whileDown = await sinkState(name);
        expect(whileDown.failures).toBe(2);
        expect(whileDown.lastError).toContain("connection refused (ECONNREFUSED)");
        expect(lines.some((line) => line.level === 50 && line.sink === name && line.msg.includes("connection refused") && line.msg.includes("sent again on the next run"))).toBe(true);
        const failures = (await getMetrics().siemDeliveryFailures.get()).values.find((value) => value.labels.sink === name)?.value ?? 0;
        expect(failures - failuresBefore).toBe(2);

        await receiver.restart();
        const resumed = await deliverToSink(db.prisma, sink, options({ logger }));
        expect(resumed.outcome).toBe("caught-up");
        const expected = await expectedRows();
        expectAtLeastOnceInOrder(syslogArrivals(receiver.frames), expected);
        const caughtUp = await sinkState(name);
        expect(caughtUp).toMatchObject({ failures: 0, lagRows: 0n, lagSeconds: 0 });

        // Every frame is a well-formed RFC 5424 message describing its row.
        const byId = new Map(expected.map((row) => [row.id, row]));
        for (const frame of receiver.frames) {
          const message = parseRfc5424(frame);
          const params = Object.fromEntries(message.structuredData[0]?.params ?? []);
          const row = byId.get(String(params.id));
          expect(row).toBeDefined();
          expect(message).toMatchObject({ version: 1, facility: 13, hostname: "portal.test", appName: "telemetry-portal", procId: "-", msgId: row?.action, timestamp: row?.occurred_at, hasBom: true });
          expect([4, 5, 6]).toContain(message.severity);
          expect(message.structuredData[0]?.id).toBe("audit@32473");
          expect(params).toMatchObject({ chain: String(row?.chain_id), seq: row?.seq, hash: row?.hash });
          const event = JSON.parse(message.msg) as { class_uid: number; metadata: { uid: string }; unmapped: { audit: { hash: string } } };
          expect(event).toMatchObject({ class_uid: 6003, metadata: { uid: row?.id }, unmapped: { audit: { hash: row?.hash } } });
        }
        // The awkward target ids came through the structured data intact.
        const targets = new Set(receiver.frames.map((frame) => Object.fromEntries(parseRfc5424(frame).structuredData[0]?.params ?? []).targetId));
        expect(targets).toContain('x"]\\[audit@1 forged="yes"]');
        expect(targets).toContain("ünïcode ✓ \n newline");
      } finally {
        sink.close();
        await receiver.close();
      }
    });
  }

  it("syslog over TLS refuses a receiver whose certificate it does not trust, saying so", async () => {
    const receiver = await startSyslogReceiver({ tls: certificate });
    const name = `syslog-untrusted-${randomBytes(3).toString("hex")}`;
    const sink = createSyslogSink({ name, target: { transport: "tls", host: "localhost", port: receiver.port }, hostname: "portal.test", sdId: "audit@32473", timeoutMs: 5_000 });
    const { logger } = captureLogger();
    try {
      expect(await deliverToSink(db.prisma, sink, options({ logger }))).toMatchObject({ outcome: "failed", delivered: 0 });
      expect((await sinkState(name)).lastError).toMatch(/^tls:\/\/localhost:\d+: TLS: the receiver's certificate is self-signed and not trusted/);
      expect(receiver.frames).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  for (const scheme of ["http", "https"] as const) {
    it(`HEC over ${scheme.toUpperCase()}: batches with the token, every row once acknowledged, across a receiver killed mid-request`, async () => {
      await writeRows(60);
      const receiver = await startHecReceiver({ token: HEC_TOKEN, tls: scheme === "https" ? certificate : undefined });
      const name = `hec-${scheme}-${randomBytes(3).toString("hex")}`;
      const sink = createHecSink({ name, url: receiver.url, token: HEC_TOKEN, ca: scheme === "https" ? certificate.cert : undefined, host: "portal.test", index: "audit", timeoutMs: 5_000 });
      const { logger } = captureLogger();
      try {
        const killed = receiver.killAfterEvents(90);
        const first = await deliverToSink(db.prisma, sink, options({ logger }));
        await killed;
        expect(first).toMatchObject({ outcome: "failed", delivered: 80 });
        expect((await sinkState(name)).lastError).toMatch(new RegExp(`^${scheme}://`));

        await receiver.restart();
        // A busy HEC (503) is a failure like any other: nothing acknowledged, nothing moved.
        receiver.answerWith = 503;
        expect(await deliverToSink(db.prisma, sink, options({ logger }))).toMatchObject({ outcome: "failed", delivered: 0 });
        expect((await sinkState(name)).lastError).toBe(`${receiver.url}: the HEC answered 503: {"text":"Server is busy","code":9}`);
        receiver.answerWith = null;

        expect((await deliverToSink(db.prisma, sink, options({ logger }))).outcome).toBe("caught-up");
        const expected = await expectedRows();
        const arrivals = receiver.events.map((event) => {
          const audit = (event.event as { unmapped: { audit: { id: string; chain_id: number; seq: string } } }).unmapped.audit;
          return { id: audit.id, chainId: audit.chain_id, seq: BigInt(audit.seq) };
        });
        expectAtLeastOnceInOrder(arrivals, expected);
        expect(await sinkState(name)).toMatchObject({ failures: 0, lagRows: 0n });

        for (const request of receiver.requests) {
          expect(request.authorization).toBe(`Splunk ${HEC_TOKEN}`);
          expect(request.contentType).toBe("application/json");
          expect(request.lines.length).toBeLessThanOrEqual(40);
        }
        const byId = new Map(expected.map((row) => [row.id, row]));
        for (const event of receiver.events) {
          const ocsf = event.event as { class_uid: number; metadata: { uid: string }; time: number };
          const row = byId.get(ocsf.metadata.uid);
          expect(event).toMatchObject({ host: "portal.test", source: "telemetry-portal:audit", sourcetype: "ocsf:api_activity", index: "audit", time: Date.parse(row?.occurred_at ?? "") / 1000 });
          expect(Object.keys(event).sort()).toEqual(["event", "host", "index", "source", "sourcetype", "time"]);
          expect(ocsf).toMatchObject({ class_uid: 6003, time: Date.parse(row?.occurred_at ?? "") });
        }
      } finally {
        sink.close();
        await receiver.close();
      }
    });
  }

  it("HEC: a wrong token is a named failure and moves nothing", async () => {
    const receiver = await startHecReceiver({ token: HEC_TOKEN });
    const name = `hec-token-${randomBytes(3).toString("hex")}`;
    const sink = createHecSink({ name, url: receiver.url, token: "wrong-token", host: "portal.test", timeoutMs: 5_000 });
    const { logger, lines } = captureLogger();
    try {
      expect(await deliverToSink(db.prisma, sink, options({ logger }))).toMatchObject({ outcome: "failed", delivered: 0 });
      const stored = await sinkState(name);
      expect(stored.lastError).toBe(`${receiver.url}: the HEC answered 401: {"text":"Invalid authorization","code":3}`);
      expect(stored.lagRows).toBe(BigInt((await expectedRows()).length));
      // The token is never written down: not in the stored error, not in the logs.
      expect(JSON.stringify(lines)).not.toContain("wrong-token");
      expect(stored.lastError).not.toContain("wrong-token");
    } finally {
      sink.close();
      await receiver.close();
    }
  });

  it("HEC: a batch the collector finds too large (413) is halved until it fits, and every row still arrives once, in order", async () => {
    await writeRows(40);
    const receiver = await startHecReceiver({ token: HEC_TOKEN });
    receiver.maxEventsPerRequest = 7;
    const name = `hec-413-${randomBytes(3).toString("hex")}`;
    const sink = createHecSink({ name, url: receiver.url, token: HEC_TOKEN, host: "portal.test", timeoutMs: 5_000 });
    const { logger } = captureLogger();
    try {
      expect(await deliverToSink(db.prisma, sink, options({ logger, batchSize: 40 }))).toMatchObject({ outcome: "caught-up" });
      const expected = await expectedRows();
      const arrivals = receiver.events.map((event) => {
        const audit = (event.event as { unmapped: { audit: { id: string; chain_id: number; seq: string } } }).unmapped.audit;
        return { id: audit.id, chainId: audit.chain_id, seq: BigInt(audit.seq) };
      });
      expectAtLeastOnceInOrder(arrivals, expected);
      expect(receiver.events).toHaveLength(expected.length);
      // Each batch of 40 is refused as 40, 20 and 10 events and taken as 5; refused requests are not kept, so no row twice.
      expect(receiver.requests.slice(0, 4).map((request) => request.lines.length)).toEqual([40, 20, 10, 5]);
    } finally {
      sink.close();
      await receiver.close();
    }
  });

  it("a worker that lost its lease cannot move the cursors: the rows stay for the next holder", async () => {
    await writeRows(3);
    const name = `lease-${randomBytes(3).toString("hex")}`;
    const sink = { name, kind: "syslog" as const, destination: "tcp://127.0.0.1:9" };
    await registerSink(db.prisma, sink, { kind: "beginning" });
    const first = randomUUID();
    expect(await takeLease(db.prisma, name, first, 60)).toBe(true);
    const rows = await readPendingRows(db.prisma, name, 10);
    expect(rows.length).toBeGreaterThan(0);
    // Another worker cannot take a lease that is held…
    expect(await takeLease(db.prisma, name, randomUUID(), 60)).toBe(false);
    // …but takes it over once it expired; the first worker's acknowledgement then moves nothing.
    await db.prisma.$executeRawUnsafe(`UPDATE siem_sink SET lease_expires_at = now() - interval '1 second' WHERE name = $1`, name);
    const second = randomUUID();
    expect(await takeLease(db.prisma, name, second, 60)).toBe(true);
    await expect(advanceCursors(db.prisma, name, first, rows, 60)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await readPendingRows(db.prisma, name, 10)).map((row) => row.id)).toEqual(rows.map((row) => row.id));
    // The holder moves them; an acknowledgement for rows read before that move (a stale batch) is refused too.
    await advanceCursors(db.prisma, name, second, rows, 60);
    expect((await readPendingRows(db.prisma, name, 10)).map((row) => row.id)).not.toContain(rows[0]?.id);
    await expect(advanceCursors(db.prisma, name, second, rows, 60)).rejects.toBeInstanceOf(LeaseLostError);
  });

  it("one worker per sink: a second delivery of the same sink at the same time is turned away, and order holds", async () => {
    await writeRows(40);
    const receiver = await startSyslogReceiver();
    const name = `syslog-pair-${randomBytes(3).toString("hex")}`;
    const make = () => createSyslogSink({ name, target: { transport: "tcp", host: "127.0.0.1", port: receiver.port }, hostname: "portal.test", sdId: "audit@32473", timeoutMs: 5_000 });
    const { logger } = captureLogger();
    try {
      const results = await Promise.all([deliverToSink(db.prisma, make(), options({ logger, batchSize: 10 })), deliverToSink(db.prisma, make(), options({ logger, batchSize: 10 }))]);
      expect(results.map((result) => result.outcome).sort()).toEqual(["busy", "caught-up"]);
      expectAtLeastOnceInOrder(syslogArrivals(receiver.frames), await expectedRows());
      // Exactly once here: the second worker sent nothing.
      expect(receiver.frames.length).toBe((await expectedRows()).length);
    } finally {
      await receiver.close();
    }
  });

  it("a new sink starts where SIEM_START_FROM says: now, or the first row after a time", async () => {
    await writeRows(10);
    const receiver = await startSyslogReceiver();
    const { logger } = captureLogger();
    const make = (name: string) => createSyslogSink({ name, target: { transport: "tcp", host: "127.0.0.1", port: receiver.port }, hostname: "portal.test", sdId: "audit@32473", timeoutMs: 5_000 });
    try {
      const fromNow = `syslog-now-${randomBytes(3).toString("hex")}`;
      expect(await deliverToSink(db.prisma, make(fromNow), options({ logger, start: { kind: "now" } }))).toMatchObject({ outcome: "caught-up", delivered: 0 });
      const before = (await expectedRows()).length;
      await writeRows(5);
      expect(await deliverToSink(db.prisma, make(fromNow), options({ logger, start: { kind: "beginning" } }))).toMatchObject({ outcome: "caught-up", delivered: 5 });
      const newest = (await expectedRows()).slice(before).map((row) => row.id);
      expect(syslogArrivals(receiver.frames).map((arrival) => arrival.id).sort()).toEqual(newest.sort());
      expect((await sinkState(fromNow)).startFrom).toBe("now");

      const cut = (await expectedRows()).at(-3);
      const time = new Date(Date.parse(cut?.occurred_at ?? "") );
      const fromTime = `syslog-time-${randomBytes(3).toString("hex")}`;
      const result = await deliverToSink(db.prisma, make(fromTime), options({ logger, start: { kind: "time", time } }));
      const rows = await expectedRows();
      const expectedCount = rows.filter((row) => Date.parse(row.occurred_at) >= time.getTime()).length;
      expect(result).toMatchObject({ outcome: "caught-up", delivered: expectedCount });
      expect((await sinkState(fromTime)).startFrom).toBe(time.toISOString());
    } finally {
      await receiver.close();
    }
  });

  it("an audited read succeeds while every sink is down, and its row is delivered once a sink is back", async () => {
    const port = await closedPort();
    const env = parseEnv({ SIEM_SYSLOG_URL: `tcp://127.0.0.1:${port}`, SIEM_SYSLOG_NAME: `down-${randomBytes(3).toString("hex")}`, PORTAL_URL: "https://portal.test" });
    const { logger } = captureLogger();
    const down = createConfiguredSinks(env);
    expect(await deliverAuditRows(db.prisma, options({ logger, sinks: down }))).toMatchObject({ sinks: 1, delivered: 0, failed: 1 });

    state.token = await signInForTest(db.prisma, "viewer.copilot@github.example", { purpose: "improve_product" });
    const page = await listEvents({ limit: "5" });
    expect(page.items.length).toBeGreaterThan(0);
    const [read] = await db.prisma.$queryRawUnsafe<Array<{ id: string }>>(`SELECT id::text FROM audit_event WHERE action = 'events.list' ORDER BY id DESC LIMIT 1`);
    expect(read).toBeDefined();
    expect(await deliverAuditRows(db.prisma, options({ logger, sinks: down }))).toMatchObject({ failed: 1 });

    const receiver = await startSyslogReceiver();
    try {
      const back = createConfiguredSinks({ ...env, SIEM_SYSLOG_URL: { transport: "tcp", host: "127.0.0.1", port: receiver.port } });
      const result = await deliverAuditRows(db.prisma, options({ logger, sinks: back }));
      expect(result).toMatchObject({ failed: 0, busy: 0 });
      expect(syslogArrivals(receiver.frames).map((arrival) => arrival.id)).toContain(read?.id);
    } finally {
      await receiver.close();
    }
  });

  it("an unreadable CA file is a sink failure naming the file, not a crash", async () => {
    const env = parseEnv({ SIEM_SYSLOG_URL: "tls://127.0.0.1:1", SIEM_SYSLOG_CA_FILE: path.join(certificate.dir, "missing.pem"), SIEM_SYSLOG_NAME: `ca-${randomBytes(3).toString("hex")}` });
    const { logger } = captureLogger();
    const sinks = createConfiguredSinks(env);
    expect(await deliverAuditRows(db.prisma, options({ logger, sinks }))).toMatchObject({ failed: 1 });
    expect((await sinkState(env.SIEM_SYSLOG_NAME)).lastError).toBe(`tls://127.0.0.1:1: SIEM_SYSLOG_CA_FILE (${path.join(certificate.dir, "missing.pem")}) cannot be read: ENOENT`);
  });

  it("reports each configured sink's lag in rows and seconds when Prometheus scrapes", async () => {
    const name = `lag-${randomBytes(3).toString("hex")}`;
    const receiver = await startSyslogReceiver();
    const { logger } = captureLogger();
    const sink: SiemSink = createSyslogSink({ name, target: { transport: "tcp", host: "127.0.0.1", port: receiver.port }, hostname: "portal.test", sdId: "audit@32473", timeoutMs: 5_000 });
    try {
      await deliverToSink(db.prisma, sink, options({ logger }));
      attachSiemLagMetrics(db.prisma, logger, [name]);
      const caughtUp = await getMetrics().registry.metrics();
      expect(caughtUp).toContain(`portal_siem_lag_rows{sink="${name}"} 0`);
      expect(caughtUp).toContain(`portal_siem_lag_seconds{sink="${name}"} 0`);
      await writeRows(7);
      const behind = await getMetrics().registry.metrics();
      expect(behind).toContain(`portal_siem_lag_rows{sink="${name}"} 7`);
      const seconds = Number(new RegExp(`portal_siem_lag_seconds\\{sink="${name}"\\} ([0-9.e-]+)`).exec(behind)?.[1]);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(600);
      expect(behind).toMatch(new RegExp(`portal_siem_rows_delivered_total\\{sink="${name}"\\} [1-9]`));
    } finally {
      detachSiemLagMetrics();
      await receiver.close();
    }
  });

  it("shows auditors each sink's state, lag and last error, audited; anyone else is refused, audited too", async () => {
    // A sink the database knows that the configuration no longer names.
    await registerSink(db.prisma, { name: `retired-${randomBytes(3).toString("hex")}`, kind: "hec", destination: "https://old.example/services/collector/event" }, { kind: "now" });
    state.token = await signInForTest(db.prisma, "auditor@github.example");
    const before = await getSiemDelivery();
    const configured = before.sinks.find((sink) => sink.name === "console-syslog");
    expect(configured).toMatchObject({ state: "waiting", configured: true, destination: "tcp://127.0.0.1:9", lagRows: null });
    expect(before.sinks.find((sink) => sink.name.startsWith("retired-"))).toMatchObject({ state: "retired", configured: false, destination: "https://old.example/services/collector/event", lagRows: 0 });

    // The job itself, as the runner calls it, with the configuration of this process.
    const { logger } = captureLogger();
    expect(await deliverToSiemJob.run({ jobId: "test", attempt: 1, prisma: db.prisma, logger })).toMatchObject({ sinks: 1, delivered: 0, failed: 1 });
    const after = await getSiemDelivery();
    const failing = after.sinks.find((sink) => sink.name === "console-syslog");
    expect(failing).toMatchObject({ state: "failing", failures: 1, kind: "syslog" });
    expect(failing?.lastError).toMatch(/^tcp:\/\/127\.0\.0\.1:9: /);
    expect(failing?.lagRows).toBeGreaterThan(0);
    expect(failing?.lagSeconds).toBeGreaterThanOrEqual(0);

    const [row] = await db.prisma.$queryRawUnsafe<Array<{ outcome: string; target_type: string; row_count: number; actor_email: string }>>(
      `SELECT outcome::text, target_type, row_count, actor_email FROM audit_event WHERE action = 'audit.delivery_view' ORDER BY id DESC LIMIT 1`,
    );
    expect(row).toEqual({ outcome: "allowed", target_type: "siem_delivery", row_count: after.sinks.length, actor_email: "auditor@github.example" });

    state.token = await signInForTest(db.prisma, "viewer.copilot@github.example", { purpose: "improve_product" });
    const refused = await getSiemDelivery().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(403);
    const [denied] = await db.prisma.$queryRawUnsafe<Array<{ outcome: string; actor_email: string }>>(
      `SELECT outcome::text, actor_email FROM audit_event WHERE action = 'audit.delivery_view' ORDER BY id DESC LIMIT 1`,
    );
    expect(denied).toEqual({ outcome: "denied", actor_email: "viewer.copilot@github.example" });
  });

  // The CLI opens its own connection: beside this test's, only PostgreSQL allows that.
  if (target.name === "PostgreSQL") {
    it("npm run siem:deliver: caught up (exit 0), a sink down named with its cause (exit 1), nothing configured or a bad value (exit 2)", async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-siem-cli-"));
      const base = { DATABASE_URL: target.databaseUrl ?? "", DATA_DIR: dataDir, PORTAL_ENV: "development", AUTH_SECRET: randomBytes(32).toString("base64url"), CONTENT_ENCRYPTION_KEYS: `cli1:${randomBytes(32).toString("base64")}` };
      await writeRows(3);
      const receiver = await startSyslogReceiver();
      try {
        const port = await closedPort();
        const down = await runSiemDeliver({ ...base, SIEM_SYSLOG_URL: `tcp://127.0.0.1:${port}`, SIEM_SYSLOG_NAME: "cli" });
        expect(down.code).toBe(1);
        expect(down.stdout).toMatch(new RegExp(`^cli \\(tcp://127\\.0\\.0\\.1:${port}\\): FAILED after 0 rows delivered in [\\d.]+ s: tcp://127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\); [\\d,]+ rows wait for it\\.\\n$`));

        const up = await runSiemDeliver({ ...base, SIEM_SYSLOG_URL: `tcp://127.0.0.1:${receiver.port}`, SIEM_SYSLOG_NAME: "cli" });
        expect(up.stderr).toBe("");
        expect(up.code).toBe(0);
        const total = (await expectedRows()).length;
        expect(up.stdout).toBe(`cli (tcp://127.0.0.1:${receiver.port}): ${total.toLocaleString("en-US")} rows delivered in ${/in ([\d.]+) s/.exec(up.stdout)?.[1]} s; caught up.\n`);
        expect(receiver.frames).toHaveLength(total);

        const none = await runSiemDeliver(base);
        expect(none).toMatchObject({ code: 2, stdout: "", stderr: "No SIEM sink is configured: set SIEM_SYSLOG_URL, or SIEM_HEC_URL and SIEM_HEC_TOKEN (docs/SIEM.md).\n" });
        const bad = await runSiemDeliver({ ...base, SIEM_SYSLOG_URL: "udp://127.0.0.1:514" });
        expect(bad.code).toBe(2);
        expect(bad.stderr).toBe("Configuration error: SIEM_SYSLOG_URL must be a tcp://host:port or tls://host:port URL (a port, no path, query or credentials).\n");
      } finally {
        await receiver.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
