// The explorer's data layer (list, open, reveal, export, charts) against real
// databases: a temporary PGlite directory always, and a freshly created
// PostgreSQL database when TEST_DATABASE_URL is set (dropped afterwards). Each
// is migrated with migrateDatabase and seeded with seedDatabase (the demo
// access list and 3,000 generated events). The data layer reads the session
// cookie and request headers through next/headers, which is mocked here with a
// cookie jar holding a session created in the database for a seeded person.
import { createHash, randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/server/db/connect";
import { seededTestTargets } from "@/test/test-databases";
import type { EventDto } from "@/lib/telemetry/event-types";
import type { EventKind } from "@/lib/telemetry/vocabulary";
import { encodeCursor } from "@/lib/telemetry/event-query";
import { AppError } from "@/server/http/app-error";
import { GET as getAuditExport } from "@/app/api/v1/audit/export/route";
import { GET as getEventsExport } from "@/app/api/v1/events/export/route";
import { GET as getEventFacets } from "@/app/api/v1/events/facets/route";
import { exportAuditEvents } from "./audit/export-audit-events";
import { getEventInsights } from "./event-insights";
import { exportEvents } from "./export-events";
import { getEvent } from "./get-event";
import { listEvents } from "./list-events";
import { listEventFacets } from "./list-event-facets";
import { revealEventContent } from "./reveal-event-content";
import { signInForTest } from "@/test/sessions";

const state = vi.hoisted(() => {
  // Read once by getEnv() on first use: small thresholds so both count paths and the export cap are exercised.
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 11).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  process.env.EXACT_COUNT_THRESHOLD = "500";
  process.env.EXPORT_MAX_ROWS = "700";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest explorer", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const EVENT_COUNT = 3_000;
const KEYS = [{ id: "itk1", key: Buffer.alloc(32, 11) }];
const COPILOT = "viewer.copilot@github.example";
const HEALTH = "viewer.health@github.example";
const MICROSOFT = "viewer@microsoft.example";
const AUDITOR = "auditor@github.example";

const targets = seededTestTargets({ label: "events", keys: KEYS, events: EVENT_COUNT, seed: 77 });

type AuditRow = {
  action: string;
  outcome: string;
  reason: string | null;
  target_id: string | null;
  event_ids: string[];
  machine_ids: string[];
  field_classes: string[];
  row_count: number | null;
  file_sha256: string | null;
  filters: Record<string, unknown> | null;
  actor_email: string | null;
  purpose: string | null;
};

describe.each(targets)("the explorer's data layer on $name", (target) => {
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  const sql = <T,>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);

  /** A signed-in browser session for a seeded person, with a declared purpose (which narrows the fields: content needs one that allows it). */
  async function signIn(email: string, purpose: "improve_product" | "investigate_abuse" = "improve_product"): Promise<void> {
    const token = await signInForTest(db.prisma, email, { purpose });
    state.token = token;
  }

  async function auditCount(): Promise<number> {
    const rows = await sql<{ n: number }>("SELECT count(*)::int AS n FROM audit_event");
    return Number(rows[0]?.n);
  }

  /** Runs `call` and returns its outcome with the audit rows it wrote. */
  async function withAudit<T>(call: () => Promise<T>): Promise<{ value?: T; error?: unknown; rows: AuditRow[] }> {
    const before = await auditCount();
    let value: T | undefined;
    let error: unknown;
    try {
      value = await call();
    } catch (caught) {
      error = caught;
    }
    const rows = await sql<AuditRow>(
      `SELECT action, outcome::text AS outcome, reason, target_id, event_ids, machine_ids, field_classes, row_count, file_sha256, filters, actor_email, purpose::text AS purpose
       FROM audit_event ORDER BY id DESC LIMIT GREATEST($1::int, 0)`,
      (await auditCount()) - before,
    );
    return { value, error, rows };
  }

  async function appErrorOf(call: () => Promise<unknown>): Promise<AppError> {
    const { error } = await withAudit(call);
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }

  async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }

  describe("listing", () => {
    it("returns one page, writes exactly one audit row naming the events returned", async () => {
      await signIn(COPILOT);
      const { value, rows } = await withAudit(() => listEvents({ limit: "25" }));
      expect(value?.items).toHaveLength(25);
      expect(value?.nextCursor).toEqual(expect.any(String));
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row).toMatchObject({ action: "events.list", outcome: "allowed", row_count: 25, actor_email: COPILOT, purpose: "improve_product" });
      expect(row.event_ids).toEqual(value?.items.map((item) => item.id));
      expect([...row.machine_ids].sort()).toEqual([...new Set(value?.items.map((item) => item.machineId))].sort());
      expect(row.field_classes).toEqual(expect.arrayContaining(["identifiers", "environment", "location", "measurements"]));
      expect(row.field_classes).not.toContain("content");
      expect(row.filters).toMatchObject({ sort: "time_desc", limit: 25 });
    });

    it("labels the total: estimated above the threshold, exact below it", async () => {
      await signIn(COPILOT);
      const all = await listEvents({});
      expect(all.total.exact).toBe(false);
      expect(all.total.value).toBeGreaterThan(500);

      const errors = await listEvents({ kind: "error" });
      const [counted] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE kind = 'error'");
      expect(errors.total).toEqual({ value: Number(counted?.n), exact: true });
      expect(errors.items.every((item) => item.kind === "error")).toBe(true);
    });

    it.each(["time_desc", "time_asc", "latency_desc", "certainty_asc"] as const)("pages with the keyset (%s) without overlap, in order", async (sort) => {
      await signIn(COPILOT);
      const seen: EventDto[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 4; page++) {
        const result = await listEvents({ sort, limit: "60", ...(cursor ? { cursor } : {}) });
        seen.push(...result.items);
        cursor = result.nextCursor;
        expect(cursor).not.toBeNull();
      }
      expect(new Set(seen.map((item) => item.id)).size).toBe(seen.length);
      const [column, direction] = {
        time_desc: ["time", "DESC"],
        time_asc: ["time", "ASC"],
        latency_desc: ["latency_ms", "DESC"],
        certainty_asc: ["model_certainty", "ASC"],
      }[sort];
      const expected = await sql<{ id: string }>(
        `SELECT id::text AS id FROM telemetry_event WHERE ${column} IS NOT NULL ORDER BY ${column} ${direction}, id ${direction} LIMIT 240`,
      );
      expect(seen.map((item) => item.id)).toEqual(expected.map((row) => row.id));
    });

    it("filters by kind, environment, measurements and time", async () => {
      await signIn(COPILOT);
      const [sample] = await sql<{ os: string; time: Date }>("SELECT os, time FROM telemetry_event WHERE kind = 'completion_shown' ORDER BY time DESC LIMIT 1");
      const from = new Date(sample!.time.getTime() - 5 * 86_400_000).toISOString();
      const result = await listEvents({ kind: "completion_shown", os: sample!.os, latencyMin: "200", latencyMax: "400", from, limit: "500" });
      const [counted] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM telemetry_event
         WHERE kind = 'completion_shown' AND os = $1 AND latency_ms BETWEEN 200 AND 400 AND time >= $2::timestamptz`,
        sample!.os,
        from,
      );
      expect(result.total).toEqual({ value: Number(counted?.n), exact: true });
      expect(result.items.length).toBe(Math.min(500, Number(counted?.n)));
      for (const item of result.items) {
        expect(item.kind).toBe("completion_shown");
        expect(item.os).toBe(sample!.os);
        expect(item.latencyMs).toBeGreaterThanOrEqual(200);
        expect(item.latencyMs).toBeLessThanOrEqual(400);
      }
    });

    it("shows platform health no identifiers, location or content, and refuses their filters (audited)", async () => {
      await signIn(HEALTH);
      const result = await listEvents({ limit: "100" });
      expect(result.items.length).toBe(100);
      for (const item of result.items) {
        for (const key of ["machineId", "sessionId", "completionId", "country", "region", "city", "content"]) expect(item).not.toHaveProperty(key);
        expect(item).toHaveProperty("os");
      }
      expect(result.columns.available).not.toContain("machineId");
      expect(result.columns.selected).not.toContain("machineId");

      const { error, rows } = await withAudit(() => listEvents({ machineId: "abc" }));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(403);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "events.list", outcome: "denied", actor_email: HEALTH });
    });

    it("shows a Microsoft viewer completion events only, without identifiers", async () => {
      await signIn(MICROSOFT);
      const result = await listEvents({ limit: "200" });
      expect(result.items.every((item) => item.kind.startsWith("completion_"))).toBe(true);
      expect(result.items.some((item) => "machineId" in item)).toBe(false);
      const errors = await listEvents({ kind: "error" });
      expect(errors.items).toHaveLength(0);
      expect(errors.total).toEqual({ value: 0, exact: true });
    });

    it.each([
      ["a garbage cursor", { cursor: "not-a-cursor!" }, /cursor/],
      ["a well-formed cursor of another sort", { sort: "time_asc", cursor: encodeCursor({ sort: "time_desc", value: new Date().toISOString(), id: randomUUID() }) }, /cursor/],
      ["an unknown kind", { kind: "completion_typed" }, /kind/],
      ["a negative limit", { limit: "-5" }, /limit/],
      ["a limit over 500", { limit: "501" }, /limit/],
      ["a bad date", { from: "last tuesday" }, /from/],
      ["an unknown parameter", { colour: "red" }, /colour/],
    ])("answers %s with a 400 that names it (and audits it)", async (_label, input, pattern) => {
      await signIn(COPILOT);
      const { error, rows } = await withAudit(() => listEvents(input));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
      expect((error as AppError).message).toMatch(pattern);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "events.list", outcome: "error" });
    });

    it("answers an anonymous caller 401 before looking at the query", async () => {
      state.token = null;
      const error = await appErrorOf(() => listEvents({ cursor: "garbage" }));
      expect(error.status).toBe(401);
    });
  });

  describe("filters from the field registry", () => {
    it("matches text whatever its case and versions by their leading components", async () => {
      await signIn(COPILOT);
      const [sample] = await sql<{ os: string; city: string; vscode_version: string }>(
        // a city with fewer events than EXACT_COUNT_THRESHOLD (500), so the total is exact (the seed's times follow the date)
        `SELECT os, city, min(vscode_version) AS vscode_version FROM telemetry_event WHERE city IS NOT NULL
         GROUP BY os, city HAVING count(*) BETWEEN 20 AND 400 ORDER BY os, city LIMIT 1`,
      );
      const count = async (where: string, ...values: unknown[]) => Number((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_event WHERE ${where}`, ...values))[0]?.n);

      const shouted = await listEvents({ os: sample!.os.toUpperCase(), city: sample!.city.toLowerCase(), limit: "500" });
      const exact = await count("os = $1 AND city = $2", sample!.os, sample!.city);
      expect(exact).toBeGreaterThan(0);
      expect(shouted.total).toEqual({ value: exact, exact: true });
      expect(shouted.items.every((item) => item.os === sample!.os && item.city === sample!.city)).toBe(true);

      const minor = sample!.vscode_version.split(".").slice(0, 2).join("."); // 1.106.2 → 1.106
      const byPrefix = await listEvents({ vscodeVersion: minor, kind: "error" });
      const prefixed = await count("kind = 'error' AND (vscode_version = $1 OR vscode_version LIKE $1 || '.%')", minor);
      expect(prefixed).toBeGreaterThan(0);
      expect(byPrefix.total).toEqual({ value: prefixed, exact: true });
      expect(byPrefix.items.every((item) => item.vscodeVersion === minor || item.vscodeVersion?.startsWith(`${minor}.`))).toBe(true);
      // a prefix is whole components: 1.10 does not find 1.106.x
      const shorter = minor.slice(0, -1);
      const byShorter = await listEvents({ vscodeVersion: shorter, limit: "500" });
      expect(byShorter.items.some((item) => item.vscodeVersion?.startsWith(minor))).toBe(false);
    });
  });

  describe("exclusions", () => {
    it("lists the events whose value is not the one excluded (and those without the field), refusing one outside the scope", async () => {
      await signIn(COPILOT);
      const [sample] = await sql<{ city: string }>("SELECT city FROM telemetry_event WHERE kind = 'error' AND city IS NOT NULL ORDER BY id LIMIT 1");
      const result = await listEvents({ kind: "error", notCity: sample!.city.toUpperCase(), limit: "500" });
      const [expected] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE kind = 'error' AND (city IS NULL OR city <> $1)", sample!.city);
      expect(result.total).toEqual({ value: Number(expected?.n), exact: true });
      expect(result.items.some((item) => item.city === sample!.city)).toBe(false);

      await signIn(HEALTH);
      const refused = await appErrorOf(() => listEvents({ notCity: "Paris" }));
      expect(refused.status).toBe(403);
      expect(refused.issues).toEqual([{ path: "notCity", message: "location fields are not in your scope" }]);
    });
  });

  describe("empty results", () => {
    it("say why: kinds outside the access, a case-only mismatch, a time range without the person's events — and nothing when rows match", async () => {
      await signIn(MICROSOFT);
      expect((await listEvents({ kind: "error" })).emptyHints).toEqual(["Error events are outside your access, so they were not searched."]);

      await signIn(COPILOT);
      const [sample] = await sql<{ machine_id: string }>("SELECT machine_id FROM telemetry_event WHERE machine_id ~ '[a-f]' ORDER BY id LIMIT 1");
      const shouted = await listEvents({ machineId: sample!.machine_id.toUpperCase() });
      expect(shouted.total.value).toBe(0);
      expect(shouted.emptyHints).toEqual([`Machine ID matches exactly, and “${sample!.machine_id.toUpperCase()}” differs only in case from “${sample!.machine_id}”.`]);

      const [span] = await sql<{ earliest: Date; latest: Date }>("SELECT min(time) AS earliest, max(time) AS latest FROM telemetry_event");
      const old = await listEvents({ from: "2020-01-01", to: "2020-01-02" });
      const minute = (date: Date) => date.toISOString().slice(0, 16).replace("T", " ");
      expect(old.emptyHints).toEqual([`None of the events you may see fall in this time range: they span ${minute(span!.earliest)} to ${minute(span!.latest)} UTC.`]);

      expect((await listEvents({ limit: "5" })).emptyHints).toBeUndefined();
    });
  });

  describe("facets", () => {
    it("counts the top values of a field for the filters, as SQL does, and audits the field, the filters and the counts", async () => {
      await signIn(COPILOT);
      const { value, rows } = await withAudit(() => listEventFacets({ field: "os", kind: "completion_shown", latencyMin: "200", limit: "5" }));
      const expected = await sql<{ value: string; count: number }>(
        `SELECT os AS value, count(*)::int AS count FROM telemetry_event WHERE kind = 'completion_shown' AND latency_ms >= 200
         GROUP BY os ORDER BY count(*) DESC, os ASC LIMIT 5`,
      );
      expect(value?.values).toEqual(expected.map((row) => ({ value: row.value, count: Number(row.count) })));
      expect(value?.values.length).toBeGreaterThan(1);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "events.facets", outcome: "allowed", actor_email: COPILOT, row_count: value?.values.length, field_classes: ["environment"] });
      expect(rows[0]!.filters).toMatchObject({ field: "os", kind: ["completion_shown"], latencyMin: 200, limit: 5 });
      const [after] = await sql<{ after: unknown }>("SELECT after FROM audit_event WHERE action = 'events.facets' ORDER BY id DESC LIMIT 1");
      expect(after?.after).toEqual({ field: "os", values: value?.values });
    });

    it("leaves the field's own filter out, so the picker shows the alternatives", async () => {
      await signIn(COPILOT);
      const all = await listEventFacets({ field: "country", kind: "error" });
      const filtered = await listEventFacets({ field: "country", kind: "error", country: all.values[0]!.value });
      expect(filtered.values).toEqual(all.values);
      const [expected] = await sql<{ n: number }>("SELECT count(DISTINCT country)::int AS n FROM telemetry_event WHERE kind = 'error'");
      expect(all.values.length).toBe(Math.min(10, Number(expected?.n)));
      expect(all.more).toBe(Number(expected?.n) > 10);
    });

    it("labels the outcome's values and counts only the kinds the person may see the field on", async () => {
      await signIn(MICROSOFT);
      const outcome = await listEventFacets({ field: "accepted" });
      const expected = await sql<{ value: string; count: number }>(
        "SELECT accepted::text AS value, count(*)::int AS count FROM telemetry_event WHERE accepted IS NOT NULL GROUP BY accepted ORDER BY count(*) DESC",
      );
      expect(outcome.values).toEqual(expected.map((row) => ({ value: row.value, count: Number(row.count), label: row.value === "true" ? "Accepted" : "Rejected" })));
      // error kinds are on error events, which a Microsoft viewer may not see
      expect((await listEventFacets({ field: "errorKind" })).values).toEqual([]);
    });

    it("refuses a field outside the person's scope with a 403 naming it (audited), and an unknown field with a 400", async () => {
      await signIn(HEALTH);
      const { error, rows } = await withAudit(() => listEventFacets({ field: "city" }));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(403);
      expect((error as AppError).issues).toEqual([{ path: "field", message: "location fields are not in your scope" }]);
      expect((error as AppError).message).toMatch(/City/);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "events.facets", outcome: "denied", actor_email: HEALTH });

      const unknown = await appErrorOf(() => listEventFacets({ field: "osVersion" }));
      expect(unknown.status).toBe(400);
      expect(unknown.message).toMatch(/field/);
      const missing = await appErrorOf(() => listEventFacets({}));
      expect(missing.status).toBe(400);
      expect(missing.message).toMatch(/field/);
    });

    it("answers GET /api/v1/events/facets with the same counts", async () => {
      await signIn(COPILOT);
      const response = await getEventFacets(new NextRequest("http://localhost/api/v1/events/facets?field=uiKind&range=30d"));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { values: Array<{ value: string; count: number }> };
      const expected = await sql<{ value: string; count: number }>(
        "SELECT ui_kind::text AS value, count(*)::int AS count FROM telemetry_event WHERE time >= now() - interval '30 days' GROUP BY ui_kind ORDER BY count(*) DESC, ui_kind",
      );
      expect(body.values).toEqual(expected.map((row) => ({ value: row.value, count: Number(row.count) })));
    });
  });

  describe("one event", () => {
    it("opens an event with every granted class, audited with its id", async () => {
      await signIn(COPILOT, "investigate_abuse");
      const [event] = await sql<{ id: string; machine_id: string }>(
        "SELECT id::text AS id, machine_id FROM telemetry_event WHERE kind = 'completion_requested' LIMIT 1",
      );
      const { value, rows } = await withAudit(() => getEvent({ id: event!.id }));
      expect(value).toMatchObject({ id: event!.id, kind: "completion_requested", machineId: event!.machine_id, hasContent: true });
      expect(value?.fieldClasses).toContain("content");
      expect(value).not.toHaveProperty("content");
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "events.view", outcome: "allowed", target_id: event!.id, event_ids: [event!.id], machine_ids: [event!.machine_id] });
    });

    it("answers 404 alike for a missing event and one outside the grant, and 400 for a bad id", async () => {
      await signIn(MICROSOFT);
      const [error] = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event WHERE kind = 'error' LIMIT 1");
      const outside = await appErrorOf(() => getEvent({ id: error!.id }));
      const missing = await appErrorOf(() => getEvent({ id: randomUUID() }));
      expect(outside.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(outside.message).toBe(missing.message);
      expect((await appErrorOf(() => getEvent({ id: "12345" }))).status).toBe(400);
    });

    it("reveals content to the Copilot team, audited as its own action", async () => {
      await signIn(COPILOT, "investigate_abuse");
      const [event] = await sql<{ id: string; machine_id: string }>(
        "SELECT id::text AS id, machine_id FROM telemetry_event WHERE kind = 'completion_requested' LIMIT 1",
      );
      const { value, rows } = await withAudit(() => revealEventContent({ id: event!.id }));
      expect(value?.content?.prefix).toEqual(expect.any(String));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: "events.reveal",
        outcome: "allowed",
        target_id: event!.id,
        event_ids: [event!.id],
        machine_ids: [event!.machine_id],
        field_classes: ["content"],
      });
    });

    it("refuses platform health a reveal with 403 and a denied audit row", async () => {
      await signIn(HEALTH);
      const [event] = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event WHERE kind = 'completion_shown' LIMIT 1");
      const detail = await getEvent({ id: event!.id });
      expect(detail.fieldClasses).not.toContain("content");
      expect(detail).not.toHaveProperty("hasContent");
      expect(detail).not.toHaveProperty("machineId");
      const { error, rows } = await withAudit(() => revealEventContent({ id: event!.id }));
      expect((error as AppError).status).toBe(403);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "events.reveal", outcome: "denied", target_id: event!.id, event_ids: [], actor_email: HEALTH });
    });
  });

  describe("export", () => {
    it("writes the permitted columns; the audit row holds the row count and the SHA-256 of the bytes served", async () => {
      await signIn(HEALTH);
      const { value, rows } = await withAudit(() => exportEvents({ kind: "error" }));
      const bytes = await readAll(value!.body);
      const lines = bytes.toString("utf8").split("\r\n").filter(Boolean);
      const [counted] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE kind = 'error'");
      expect(value!.rowCount).toBe(Number(counted?.n));
      expect(lines).toHaveLength(value!.rowCount + 1);
      expect(lines[0]!.split(",")).not.toContain("machineId");
      expect(lines[0]!.split(",")).toContain("errorKind");
      expect(value!.truncated).toBe(false);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      expect(value!.sha256).toBe(sha256);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "events.export", outcome: "allowed", row_count: value!.rowCount, file_sha256: sha256 });
    });

    it("stops at EXPORT_MAX_ROWS and says so", async () => {
      await signIn(COPILOT);
      const { value, rows } = await withAudit(() => exportEvents({ sort: "time_asc" }));
      const bytes = await readAll(value!.body);
      expect(value).toMatchObject({ rowCount: 700, truncated: true, maxRows: 700 });
      expect(bytes.toString("utf8").split("\r\n").filter(Boolean)).toHaveLength(701);
      expect(rows[0]).toMatchObject({ row_count: 700, file_sha256: createHash("sha256").update(bytes).digest("hex") });
      expect(rows[0]!.filters).toMatchObject({ truncated: true, maxRows: 700 });
    });
  });

  describe("charts", () => {
    it("counts what direct SQL counts, audited once", async () => {
      await signIn(COPILOT);
      const { value, rows } = await withAudit(() => getEventInsights({}));
      const byKind = await sql<{ kind: string; n: number }>("SELECT kind::text AS kind, count(*)::int AS n FROM telemetry_event GROUP BY 1");
      for (const { kind, n } of byKind) expect(value!.volume.totals[kind as EventKind]).toBe(Number(n));
      expect(value!.totalEvents).toBe(EVENT_COUNT);
      const errorKinds = await sql<{ error_kind: string; n: number }>(
        "SELECT error_kind, count(*)::int AS n FROM telemetry_event WHERE kind = 'error' GROUP BY 1 ORDER BY 2 DESC, 1",
      );
      expect(value!.errors).toEqual(errorKinds.map((row) => ({ errorKind: row.error_kind, count: Number(row.n) })));
      const funnel = Object.fromEntries(value!.funnel.map((step) => [step.kind, step.count]));
      expect(funnel.completion_shown).toBe(Number(byKind.find((row) => row.kind === "completion_shown")?.n));
      expect(Array.isArray(value!.latency) && value!.latency.length > 0).toBe(true);
      expect(Array.isArray(value!.persistence) && value!.persistence.map((row) => row.checkSec)).toEqual([15, 30, 120, 300, 600]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "events.chart", outcome: "allowed", row_count: EVENT_COUNT });
    });

    it("charts only the permitted kinds", async () => {
      await signIn(MICROSOFT);
      const insights = await getEventInsights({});
      expect(insights.kinds).not.toContain("error");
      expect(insights.errors).toHaveProperty("reason");
      expect(insights.volume.totals.error).toBeUndefined();
    });
  });
  describe("formula injection", () => {
    // A telemetry producer sends values a spreadsheet would run; the export and the audit export must not carry them live.
    const EVIL_MACHINE = '=HYPERLINK("http://evil.example/m","machine")';
    const EVIL_STEPS = ["trim", '=HYPERLINK("http://evil.example/p","step")', " @SUM(1+1)", "-2+3"];
    const EVIL_ERROR_KIND = "\t=cmd|' /C calc'!A0";
    const EVIL_SESSION = "+1+1";
    const eventId = randomUUID();
    const neighbourId = randomUUID();

    /** The file as a spreadsheet gets it: csv-parse alone, nothing undone. */
    const records = (bytes: Buffer) => parse(bytes, { columns: true }) as Array<Record<string, string>>;

    beforeAll(async () => {
      const event = { kind: "error", eventName: "copilot.error", sessionId: EVIL_SESSION, vscodeVersion: "1.96.0", extensionVersion: "1.250.0", os: "linux", osVersion: "6.8", uiKind: "desktop" } as const;
      await db.prisma.telemetryEvent.createMany({
        data: [
          // the newer one first in the export, so the producer's machine id is the second in the audit row's list
          { ...event, id: neighbourId, time: new Date(), machineId: "benign-machine" },
          { ...event, id: eventId, time: new Date(Date.now() - 60_000), machineId: EVIL_MACHINE, errorKind: EVIL_ERROR_KIND, postProcessing: EVIL_STEPS },
        ],
      });
    });

    it("guards the events export: scalar cells and every element of the post-processing list", async () => {
      await signIn(COPILOT);
      const { value, rows } = await withAudit(() => exportEvents({ sessionId: EVIL_SESSION, columns: "machineId,sessionId,errorKind,postProcessing,latencyMs" }));
      const bytes = await readAll(value!.body);
      expect(rows[0]).toMatchObject({ action: "events.export", outcome: "allowed", row_count: 2, machine_ids: ["benign-machine", EVIL_MACHINE] });
      expect(records(bytes)).toEqual([
        { id: neighbourId, machineId: "benign-machine", sessionId: `'${EVIL_SESSION}`, errorKind: "", postProcessing: "", latencyMs: "" },
        {
          id: eventId,
          machineId: `'${EVIL_MACHINE}`,
          sessionId: `'${EVIL_SESSION}`,
          errorKind: `'${EVIL_ERROR_KIND}`,
          postProcessing: `trim;'=HYPERLINK("http://evil.example/p","step");' @SUM(1+1);'-2+3`,
          latencyMs: "",
        },
      ]);
    });

    it("guards the audit export: every machine id the viewer's export recorded", async () => {
      await signIn(AUDITOR);
      const { value, rows } = await withAudit(() => exportAuditEvents({ machineId: EVIL_MACHINE, action: "events.export" }));
      const exported = records(await readAll(value!.body));
      expect(rows[0]).toMatchObject({ action: "audit.export", outcome: "allowed", row_count: exported.length });
      expect(exported.length).toBeGreaterThan(0);
      for (const record of exported) {
        expect(record).toMatchObject({ action: "events.export", actor_email: COPILOT });
        expect(record.machine_ids).toBe(`benign-machine;'${EVIL_MACHINE}`);
      }
    });

    it("serves both exports with the headers every export carries; the hash is the one in the audit row", async () => {
      const query = `machineId=${encodeURIComponent(EVIL_MACHINE)}`;
      const cases = [
        { who: COPILOT, action: "events.export", call: () => getEventsExport(new NextRequest(`http://localhost/api/v1/events/export?${query}`)), file: /^attachment; filename="telemetry-events-\d{8}-\d{6}Z\.csv"$/ },
        { who: AUDITOR, action: "audit.export", call: () => getAuditExport(new Request(`http://localhost/api/v1/audit/export?${query}`)), file: /^attachment; filename="audit-trail-\d{8}T\d{6}Z\.csv"$/ },
      ];
      for (const { who, action, call, file } of cases) {
        await signIn(who);
        const { value: response, rows } = await withAudit(call);
        expect(response!.status, action).toBe(200);
        const bytes = Buffer.from(await response!.arrayBuffer());
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        const rowCount = records(bytes).length;
        expect(rowCount, action).toBeGreaterThan(0);
        expect(rows).toEqual([expect.objectContaining({ action, outcome: "allowed", row_count: rowCount, file_sha256: sha256 })]);
        expect(Object.fromEntries(response!.headers), action).toMatchObject({
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": expect.stringMatching(file),
          "content-length": String(bytes.length),
          "cache-control": expect.stringMatching(/^private, no-store/),
          "x-export-row-count": String(rowCount),
          "x-export-sha256": sha256,
          "x-export-truncated": "false",
          "x-export-max-rows": "700",
        });
      }
    });
  });
});
