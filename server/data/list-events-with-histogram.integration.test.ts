// The explorer page's first read (listEventsWithHistogram): the list and the
// histogram of the same filters in one audited transaction. It must answer
// exactly what the two separate reads answer (listEvents, GET
// /api/v1/events/histogram), write both audit rows under one request id, and
// fail closed as one: if either row cannot be written, neither is, and no data
// is returned. On a temporary PGlite directory always, and on PostgreSQL when
// TEST_DATABASE_URL is set.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as WriteAuditEvent from "@/server/audit/write-audit-event";
import type { Database } from "@/server/db/connect";
import { signInForTest } from "@/test/sessions";
import { seededTestTargets } from "@/test/test-databases";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `lhk1:${Buffer.alloc(32, 23).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null, requestId: "", failAction: null as string | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest list+histogram", "x-portal-request-id": state.requestId, "x-portal-client-ip": "127.0.0.1" }),
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

// One audit action can be made unwritable, as a refused INSERT would be: the rows written with it fail together.
vi.mock("@/server/audit/write-audit-event", async (importOriginal) => {
  const original: typeof WriteAuditEvent = await importOriginal();
  return {
    ...original,
    writeAuditEvents: async (...args: Parameters<typeof original.writeAuditEvents>) => {
      if (state.failAction !== null && args[1].some((entry) => entry.action === state.failAction && entry.outcome === "allowed")) {
        throw new original.AuditWriteError("the audit row could not be written (test)", { cause: new Error("refused") });
      }
      return original.writeAuditEvents(...args);
    },
  };
});

const { listEvents, listEventsWithHistogram } = await import("./list-events");
const { getEventHistogram } = await import("./event-histogram");

const KEYS = [{ id: "lhk1", key: Buffer.alloc(32, 23) }];
const COPILOT = "viewer.copilot@github.example";
const targets = seededTestTargets({ label: "listhist", keys: KEYS, events: 600, seed: 43 });

describe.each(targets)("the explorer page's list and histogram in one transaction on $name", (target) => {
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    state.token = await signInForTest(db.prisma, COPILOT, { purpose: "improve_product" });
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  const auditRows = (requestId: string) =>
    db.prisma.$queryRawUnsafe<Array<{ action: string; outcome: string; target_type: string | null; row_count: number | null; event_ids: string[] | null; chain_id: number }>>(
      "SELECT action, outcome, target_type, row_count, event_ids::text[] AS event_ids, chain_id FROM audit_event WHERE request_id = $1 ORDER BY id",
      requestId,
    );
  const asRequest = () => {
    state.requestId = randomUUID();
    return state.requestId;
  };

  it("answers what the two separate reads answer, and writes both rows under one request id", async () => {
    const filters = { kind: ["completion_requested", "completion_shown"], range: "30d" };
    const input = { ...filters, limit: "20" };
    const together = asRequest();
    const { list, histogram } = await listEventsWithHistogram(input);
    asRequest();
    const alone = await listEvents(input);
    asRequest();
    const drawn = await getEventHistogram(filters);

    expect(list.items.map((item) => item.id)).toEqual(alone.items.map((item) => item.id));
    expect(list.total).toEqual(alone.total);
    expect(list.items.length).toBe(20);
    expect(histogram.total).toBeGreaterThan(20);
    expect(histogram.total).toBe(drawn.total);
    expect(histogram.kinds).toEqual(drawn.kinds);
    expect(histogram.bucketSeconds).toBe(drawn.bucketSeconds);
    // the same buckets (the two reads' "now" differ by milliseconds: compare the counts per bucket start)
    const counts = (buckets: typeof histogram.buckets) => buckets.filter((bucket) => bucket.total > 0).map((bucket) => [bucket.start, bucket.total]);
    expect(counts(histogram.buckets)).toEqual(counts(drawn.buckets));

    const rows = await auditRows(together);
    expect(rows.map((row) => [row.action, row.outcome, row.target_type])).toEqual([
      ["events.chart", "allowed", "histogram"],
      ["events.list", "allowed", null],
    ]);
    expect(rows[0]!.row_count).toBe(histogram.total);
    expect(rows[1]!.row_count).toBe(20);
    expect(rows[1]!.event_ids).toEqual(list.items.map((item) => item.id));
    // one request, one chain: the transaction never waits on two chain locks
    expect(rows[0]!.chain_id).toBe(rows[1]!.chain_id);
  });

  it.each(["events.chart", "events.list"])("returns no data and writes neither allowed row when the %s row cannot be written", async (action) => {
    const requestId = asRequest();
    state.failAction = action;
    try {
      await expect(listEventsWithHistogram({ range: "30d" })).rejects.toMatchObject({ status: 503 });
    } finally {
      state.failAction = null;
    }
    const rows = await auditRows(requestId);
    expect(rows.filter((row) => row.outcome === "allowed")).toEqual([]);
  });

  it("rejects a malformed query with 400 before reading either, and audits it once as an error", async () => {
    const requestId = asRequest();
    await expect(listEventsWithHistogram({ range: "30d", limit: "0" })).rejects.toMatchObject({ status: 400 });
    const rows = await auditRows(requestId);
    expect(rows.map((row) => [row.action, row.outcome])).toEqual([["events.list", "error"]]);
  });

  it("refuses a filter outside the person's scope (platform health by machine ID) with 403 and no allowed row", async () => {
    const copilot = state.token;
    state.token = await signInForTest(db.prisma, "viewer.health@github.example", { purpose: "improve_product" });
    try {
      const requestId = asRequest();
      await expect(listEventsWithHistogram({ range: "30d", machineId: "f".repeat(64) })).rejects.toMatchObject({ status: 403 });
      const rows = await auditRows(requestId);
      expect(rows.map((row) => [row.action, row.outcome])).toEqual([["events.list", "denied"]]);
    } finally {
      state.token = copilot;
    }
  });
});
