// Issue 10, finding 6: bad input is a 400 naming the problem, never a 500.
// Each input the review reported (and its relatives) is sent through the
// /api/v1 route handlers as a client would send it, against real databases
// (PGlite always, PostgreSQL too when TEST_DATABASE_URL is set): NUL in every
// text filter (PostgreSQL error 22021), cursors with time-zone offsets beyond
// ±15:59, ids beyond bigint, a people cursor with an impossible date, a
// 36-dash "UUID", and repeated or unknown parameters, which every list now
// refuses the same way. The answer is always JSON:
// {"error":{"code":"invalid_input","message":…,"issues":[{path,message}]}}.
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/server/db/connect";
import { seededTestTargets } from "@/test/test-databases";
import { GET as getPersonRoute } from "./admin/people/[id]/route";
import { GET as listPeopleRoute } from "./admin/people/route";
import { GET as getAuditRowRoute } from "./audit/[id]/route";
import { GET as exportAuditRoute } from "./audit/export/route";
import { GET as searchAuditRoute } from "./audit/route";
import { POST as revealEventRoute } from "./events/[id]/reveal/route";
import { GET as getEventRoute } from "./events/[id]/route";
import { GET as exportEventsRoute } from "./events/export/route";
import { GET as eventInsightsRoute } from "./events/insights/route";
import { GET as listEventsRoute } from "./events/route";
import { signInForTest } from "@/test/sessions";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 13).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest bad input", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const KEYS = [{ id: "itk1", key: Buffer.alloc(32, 13) }];
const COPILOT = "viewer.copilot@github.example";
const AUDITOR = "auditor@github.example";
const ADMIN = "admin@github.example";
const ID = "0f0e0d0c-0b0a-4908-8706-050403020100";
const DASHES = "-".repeat(36);
const BEYOND_BIGINT = "9999999999999999999";
const CURSOR_INVALID = /^is not valid; start again from the first page/;
const NUL = "must not contain NUL characters";

const targets = seededTestTargets({ label: "badinput", keys: KEYS, events: 300, seed: 10 });

/** base64url of a JSON payload: a cursor as a client could forge it. */
const forged = (payload: unknown) => Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");

const get = (path: string) => new NextRequest(new URL(path, "http://localhost"));
const withId = (id: string) => ({ params: Promise.resolve({ id }) });

type Expected = { path: string; message: string | RegExp };

/** The response is a 400 in the API's JSON error shape, naming each expected problem. */
async function expectBadInput(response: Response, expected: Expected[], label: string): Promise<void> {
  expect(response.status, label).toBe(400);
  expect(response.headers.get("content-type"), label).toContain("application/json");
  const body = (await response.json()) as { error: { code: string; message: string; issues: Array<{ path: string; message: string }> } };
  expect(body.error.code, label).toBe("invalid_input");
  expect(body.error.issues, label).toEqual(
    expected.map(({ path, message }) => ({ path, message: typeof message === "string" ? message : expect.stringMatching(message) })),
  );
  for (const { path } of expected) if (path !== "(input)") expect(body.error.message, label).toContain(`${path}:`);
}

describe.each(targets)("bad input on the /api/v1 handlers on $name", (target) => {
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

  async function signIn(email: string): Promise<void> {
    state.token = await signInForTest(db.prisma, email, { purpose: "investigate_abuse" });
  }

  describe("the events API", () => {
    const TEXT_FILTERS = ["vscodeVersion", "extensionVersion", "os", "region", "city", "machineId", "sessionId", "errorKind", "redactionFilter"];

    it("refuses NUL in every text filter of the list, the charts and the export, naming the filter", async () => {
      await signIn(COPILOT);
      for (const key of TEXT_FILTERS) {
        for (const [endpoint, call] of [
          ["/api/v1/events", listEventsRoute],
          ["/api/v1/events/insights", eventInsightsRoute],
          ["/api/v1/events/export", exportEventsRoute],
        ] as const) {
          await expectBadInput(await call(get(`${endpoint}?${key}=a%00b`)), [{ path: key, message: NUL }], `${endpoint} ${key}`);
        }
      }
    });

    it("refuses overlong text filters", async () => {
      await signIn(COPILOT);
      await expectBadInput(await listEventsRoute(get(`/api/v1/events?os=${"x".repeat(201)}`)), [{ path: "os", message: "must be at most 200 characters" }], "os");
    });

    it.each([
      ["a time-zone offset beyond +15:59", { s: "time_desc", v: "2026-11-20T10:00:00+16:00", i: ID }],
      ["a time-zone offset of -23:00", { s: "time_asc", v: "2026-11-20T10:00:00-23:00", i: ID }],
      ["a latency beyond PostgreSQL's integer", { s: "latency_desc", v: 3_000_000_000, i: ID }],
      ["a 36-dash id", { s: "time_desc", v: "2026-11-20T10:00:00.000Z", i: DASHES }],
    ])("refuses a cursor with %s", async (_label, payload) => {
      await signIn(COPILOT);
      const query = new URLSearchParams({ sort: payload.s, cursor: forged(payload) });
      await expectBadInput(await listEventsRoute(get(`/api/v1/events?${query}`)), [{ path: "cursor", message: CURSOR_INVALID }], payload.s);
    });

    it("refuses a 36-dash event id, opened or revealed", async () => {
      await signIn(COPILOT);
      const expected = [{ path: "id", message: "must be an event id (a UUID)" }];
      await expectBadInput(await getEventRoute(get(`/api/v1/events/${DASHES}`), withId(DASHES)), expected, "open");
      await expectBadInput(await revealEventRoute(get(`/api/v1/events/${DASHES}/reveal`), withId(DASHES)), expected, "reveal");
    });
  });

  describe("the audit API", () => {
    it("refuses NUL in its text filters, on the search and the export", async () => {
      await signIn(AUDITOR);
      for (const key of ["actor", "machineId"]) {
        await expectBadInput(await searchAuditRoute(get(`/api/v1/audit?${key}=a%00b`)), [{ path: key, message: NUL }], `search ${key}`);
        await expectBadInput(await exportAuditRoute(get(`/api/v1/audit/export?${key}=a%00b`)), [{ path: key, message: NUL }], `export ${key}`);
      }
    });

    it.each([
      ["an id beyond bigint", { s: "time_desc", t: "2026-11-24T10:00:00.000Z", i: BEYOND_BIGINT }],
      ["a time-zone offset beyond +15:59", { s: "time_desc", t: "2026-11-24T10:00:00+16:00", i: "1" }],
    ])("refuses a cursor with %s", async (_label, payload) => {
      await signIn(AUDITOR);
      await expectBadInput(await searchAuditRoute(get(`/api/v1/audit?cursor=${forged(payload)}`)), [{ path: "cursor", message: CURSOR_INVALID }], "cursor");
    });

    it("refuses an audit row id beyond bigint, and a 36-dash event id filter", async () => {
      await signIn(AUDITOR);
      await expectBadInput(
        await getAuditRowRoute(get(`/api/v1/audit/${BEYOND_BIGINT}`), withId(BEYOND_BIGINT)),
        [{ path: "id", message: "must be an audit row number (1 to 9223372036854775807)" }],
        "row id",
      );
      await expectBadInput(await searchAuditRoute(get(`/api/v1/audit?eventId=${DASHES}`)), [{ path: "eventId", message: "must be an event id (a UUID)" }], "eventId");
      // a real row is still found by its id
      const [row] = await db.prisma.$queryRawUnsafe<Array<{ id: bigint }>>("SELECT id FROM audit_event ORDER BY id LIMIT 1");
      expect((await getAuditRowRoute(get(`/api/v1/audit/${row!.id}`), withId(String(row!.id)))).status).toBe(200);
    });
  });

  describe("the people API", () => {
    it("refuses NUL in the search text", async () => {
      await signIn(ADMIN);
      await expectBadInput(await listPeopleRoute(get("/api/v1/admin/people?q=a%00b")), [{ path: "q", message: NUL }], "q");
    });

    it.each([
      ["an impossible date", ["created_desc", "2026-02-30T99:99:99Z", ID], "created_desc"],
      ["an impossible date (new form)", { s: "created_desc", v: "2026-02-30T10:00:00.000Z", i: ID }, "created_desc"],
      ["a time-zone offset beyond +15:59", { s: "expiry_asc", v: "2026-11-24T10:00:00+16:00", i: ID }, "expiry_asc"],
      ["a 36-dash id", ["name_asc", "vera", DASHES], "name_asc"],
      ["a 36-dash id (new form)", { s: "name_asc", v: "vera", i: DASHES }, "name_asc"],
    ])("refuses a cursor with %s", async (_label, payload, sort) => {
      await signIn(ADMIN);
      const query = new URLSearchParams({ sort, cursor: forged(payload) });
      await expectBadInput(await listPeopleRoute(get(`/api/v1/admin/people?${query}`)), [{ path: "cursor", message: CURSOR_INVALID }], sort);
    });

    it("refuses a 36-dash person id", async () => {
      await signIn(ADMIN);
      await expectBadInput(await getPersonRoute(get(`/api/v1/admin/people/${DASHES}`), withId(DASHES)), [{ path: "personId", message: "must be an id" }], "person id");
    });

    it("still pages with the cursors it hands out", async () => {
      await signIn(ADMIN);
      const first = (await (await listPeopleRoute(get("/api/v1/admin/people?sort=created_desc&limit=2"))).json()) as { items: unknown[]; nextCursor: string };
      expect(first.items).toHaveLength(2);
      const second = await listPeopleRoute(get(`/api/v1/admin/people?sort=created_desc&limit=2&cursor=${first.nextCursor}`));
      expect(second.status).toBe(200);
    });
  });

  describe("every list refuses repeated and unknown parameters the same way", () => {
    it.each([
      ["/api/v1/events", listEventsRoute, COPILOT, "from"],
      ["/api/v1/events/insights", eventInsightsRoute, COPILOT, "from"],
      ["/api/v1/events/export", exportEventsRoute, COPILOT, "from"],
      ["/api/v1/audit", searchAuditRoute, AUDITOR, "from"],
      ["/api/v1/audit/export", exportAuditRoute, AUDITOR, "from"],
      ["/api/v1/admin/people", listPeopleRoute, ADMIN, "employer"],
    ] as const)("%s", async (endpoint, call, email, once) => {
      await signIn(email);
      await expectBadInput(await call(get(`${endpoint}?colour=red`)), [{ path: "(input)", message: 'unknown parameter "colour"' }], "unknown");
      const values = once === "from" ? ["2026-11-01", "2026-11-02"] : ["github", "microsoft"];
      const query = new URLSearchParams(values.map((value) => [once, value]));
      await expectBadInput(await call(get(`${endpoint}?${query}`)), [{ path: once, message: "may be given only once" }], "repeated");
    });
  });
});
