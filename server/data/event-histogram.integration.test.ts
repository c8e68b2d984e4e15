// The explorer's histogram (GET /api/v1/events/histogram) when nothing
// matches: with no lower bound on the range it answers that there is nothing
// to draw (from and bucketSeconds null, no buckets) instead of an invented
// last-24-hours axis; with a lower bound it draws that real range, every bucket
// empty. Either way 200 and audited with the total 0. On a temporary PGlite
// directory always, and on PostgreSQL when TEST_DATABASE_URL is set.
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getHistogram } from "@/app/api/v1/events/histogram/route";
import type { EventHistogram } from "@/lib/telemetry/histogram";
import type { Database } from "@/server/db/connect";
import { signInForTest } from "@/test/sessions";
import { seededTestTargets } from "@/test/test-databases";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `htk1:${Buffer.alloc(32, 17).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest histogram", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const KEYS = [{ id: "htk1", key: Buffer.alloc(32, 17) }];
const COPILOT = "viewer.copilot@github.example";
const targets = seededTestTargets({ label: "histempty", keys: KEYS, events: 400, seed: 41 });

describe.each(targets)("the histogram with nothing to draw on $name", (target) => {
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

  const sql = <T,>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);
  const histogram = async (query: string) => {
    const response = await getHistogram(new NextRequest(`http://localhost/api/v1/events/histogram?${query}`));
    return { status: response.status, body: (await response.json()) as EventHistogram };
  };
  const lastChartAudit = async () =>
    (await sql<{ row_count: number; filters: Record<string, unknown> }>(
      "SELECT row_count, filters FROM audit_event WHERE action = 'events.chart' AND target_type = 'histogram' ORDER BY id DESC LIMIT 1",
    ))[0];

  it("says there is nothing to draw when no event matches and the range is open below, rather than inventing the last 24 hours", async () => {
    const { status, body } = await histogram("machineId=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: null, bucketSeconds: null, buckets: [], total: 0 });
    expect(Number.isNaN(Date.parse(body.to))).toBe(false);
    expect(body.kinds.length).toBeGreaterThan(0);
    expect(await lastChartAudit()).toMatchObject({ row_count: 0, filters: expect.objectContaining({ histogramFrom: null, bucketSeconds: null }) });
  });

  it("also when the only matching events lie after the range's end", async () => {
    const [first] = await sql<{ first: Date }>("SELECT min(time) AS first FROM telemetry_event");
    const before = new Date(new Date(first!.first).getTime() - 86_400_000).toISOString();
    const { status, body } = await histogram(`to=${encodeURIComponent(before)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: null, bucketSeconds: null, buckets: [], total: 0, to: before });
  });

  it("draws the real range, every bucket empty, when the range has a lower bound", async () => {
    const { status, body } = await histogram("range=24h&machineId=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    expect(status).toBe(200);
    expect(body.total).toBe(0);
    expect(body.bucketSeconds).toBe(900);
    expect(Date.parse(body.to) - Date.parse(body.from!)).toBe(86_400_000);
    expect(body.buckets.length).toBeGreaterThanOrEqual(96);
    expect(body.buckets.every((bucket) => bucket.total === 0)).toBe(true);
  });

  it("starts at the first matching event when some match and the range is open below", async () => {
    const { body } = await histogram("kind=error");
    const [errors] = await sql<{ n: number; first: Date }>("SELECT count(*)::int AS n, min(time) AS first FROM telemetry_event WHERE kind = 'error'");
    expect(Number(errors!.n)).toBeGreaterThan(0);
    expect(body.total).toBe(Number(errors!.n));
    expect(body.from).not.toBeNull();
    // the rollups know the first event to the hour
    expect(Date.parse(body.from!)).toBeLessThanOrEqual(new Date(errors!.first).getTime());
    expect(new Date(errors!.first).getTime() - Date.parse(body.from!)).toBeLessThan(3_600_000);
  });
  it("draws hour bars instead of 15-minute ones when the range holds more events than fine bars may count, with the same total", async () => {
    const { eventFilterQuerySchema } = await import("@/lib/telemetry/event-query");
    const { computeHistogram } = await import("./event-histogram");
    const { EVENT_KINDS } = await import("@/lib/telemetry/vocabulary");
    const now = new Date();
    // the 24 whole hours up to the hour of the last event (the seed spreads its events over weeks)
    const [last] = await sql<{ last: Date }>("SELECT max(time) AS last FROM telemetry_event");
    const to = new Date(Math.floor(new Date(last!.last).getTime() / 3_600_000) * 3_600_000 + 3_600_000);
    const from = new Date(to.getTime() - 86_400_000);
    const [counted] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE time >= $1::timestamptz AND time < $2::timestamptz", from.toISOString(), to.toISOString());
    const inDay = Number(counted!.n);
    expect(inDay).toBeGreaterThan(5);
    const day = eventFilterQuerySchema.parse({ from: from.toISOString(), to: to.toISOString() }).filters;
    const fine = await computeHistogram(db.prisma, day, EVENT_KINDS, now, undefined, 1_000_000);
    const coarse = await computeHistogram(db.prisma, day, EVENT_KINDS, now, undefined, 2);
    expect(fine.bucketSeconds).toBe(900);
    expect(coarse.bucketSeconds).toBe(3_600);
    expect(coarse.total).toBe(inDay);
    expect(fine.total).toBe(inDay);
    // and the hour bars are the 15-minute bars summed
    const byHour = new Map<number, number>();
    for (const bucket of fine.buckets) {
      const hour = Math.floor(Date.parse(bucket.start) / 3_600_000) * 3_600_000;
      byHour.set(hour, (byHour.get(hour) ?? 0) + bucket.total);
    }
    expect(coarse.buckets.map((bucket) => [Date.parse(bucket.start), bucket.total])).toEqual([...byHour.entries()]);
    // with a field filtered the events are read either way: the fine bars stay
    const filtered = eventFilterQuerySchema.parse({ from: from.toISOString(), to: to.toISOString(), os: "linux" }).filters;
    expect((await computeHistogram(db.prisma, filtered, EVENT_KINDS, now, undefined, 2)).bucketSeconds).toBe(900);
  });
});
