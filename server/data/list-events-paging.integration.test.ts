// Paging the explorer both ways against real databases (PGlite always,
// PostgreSQL when TEST_DATABASE_URL is set): the previous page holds exactly
// the rows it held going forward, in every sort; the position the cursors
// carry matches the rows' places in the full ordered list; the total respects
// the person's scope; default columns follow the kinds in view.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/server/db/connect";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import type { EventListResult } from "@/lib/telemetry/event-types";
import { listEvents } from "./list-events";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 12).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  process.env.EXACT_COUNT_THRESHOLD = "5000";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest paging", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const COPILOT = "viewer.copilot@github.example";
const MICROSOFT = "viewer@microsoft.example";
const targets = seededTestTargets({ label: "paging", keys: [{ id: "itk1", key: Buffer.alloc(32, 12) }], events: 800, seed: 14 });

describe.each(targets)("paging the explorer both ways on $name", (target) => {
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

  const signIn = async (email: string) => {
    state.token = await signInForTest(db.prisma, email, { purpose: "improve_product" });
  };
  const ids = (page: EventListResult) => page.items.map((item) => item.id);

  it.each(["time_desc", "time_asc", "latency_desc", "certainty_asc"] as const)("goes back to exactly the rows of each earlier page (%s)", async (sort) => {
    await signIn(COPILOT);
    const input = { sort, limit: "40", kind: ["completion_shown", "completion_accepted"] };
    // the whole ordered list, for positions
    const everything = await listEvents({ ...input, limit: "500" });
    const all = ids(everything);
    expect(all.length).toBeGreaterThan(120);

    const forward: EventListResult[] = [await listEvents(input)];
    for (let page = 1; page < 3; page++) forward.push(await listEvents({ ...input, cursor: forward[page - 1]!.nextCursor! }));
    forward.forEach((page, index) => {
      expect(page.offset).toBe(index * 40);
      expect(ids(page)).toEqual(all.slice(index * 40, index * 40 + 40));
    });
    expect(forward[0]!.prevCursor).toBeNull();

    // back from page 3 to page 2, then to page 1: the same rows, the same positions
    const back2 = await listEvents({ ...input, cursor: forward[2]!.prevCursor! });
    expect(ids(back2)).toEqual(ids(forward[1]!));
    expect(back2.offset).toBe(40);
    const back1 = await listEvents({ ...input, cursor: back2.prevCursor! });
    expect(ids(back1)).toEqual(ids(forward[0]!));
    expect(back1.offset).toBe(0);
    expect(back1.prevCursor).toBeNull();
    // and forward again from a page reached backwards
    const again = await listEvents({ ...input, cursor: back1.nextCursor! });
    expect(ids(again)).toEqual(ids(forward[1]!));
  });

  it("counts within the person's scope and filters; default columns only where a value can be", async () => {
    await signIn(MICROSOFT);
    const page = await listEvents({ limit: "10" });
    const [counted] = await db.prisma.$queryRawUnsafe<Array<{ n: number }>>("SELECT count(*)::int AS n FROM telemetry_event WHERE kind::text LIKE 'completion_%'");
    expect(page.total).toEqual({ value: Number(counted?.n), exact: true });
    expect(page.columns.defaults).not.toContain("errorKind");
    expect(page.columns.selected).toEqual(page.columns.defaults);
    // a column the person chose stays chosen
    const chosen = await listEvents({ limit: "10", columns: "time,city" });
    expect(chosen.columns.selected).toEqual(["time", "city"]);

    await signIn(COPILOT);
    expect((await listEvents({ limit: "10" })).columns.defaults).toContain("errorKind");
    expect((await listEvents({ limit: "10", kind: "completion_shown" })).columns.defaults).not.toContain("errorKind");
    expect((await listEvents({ limit: "10", kind: "error" })).columns.defaults).not.toContain("latencyMs");
  });
});
