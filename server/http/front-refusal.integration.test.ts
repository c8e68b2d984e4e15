// The HTTP front (./front.ts) rewrites a malformed-path, cross-site or
// non-JSON state-changing request to GET /portal-front/refusal with the reason
// in headers a client cannot send; that route writes the refusal's audit row
// for whoever the session cookie names. Here the route handler runs as Next.js
// would run it, against real databases (PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set), with next/headers mocked to carry exactly what
// the front puts on the rewritten request.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as refusalRoute } from "@/app/portal-front/refusal/route";
import { connectDatabase, type Database } from "@/server/db/connect";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 12).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null, headers: {} as Record<string, string> };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers(state.headers),
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

const KEYS = [{ id: "itk1", key: Buffer.alloc(32, 12) }];
const VIEWER = "viewer.copilot@github.example";
const OUTSIDER = "outsider@github.example";

type AuditRow = { request_id: string; action: string; outcome: string; reason: string | null; target_type: string | null; target_id: string | null; actor_email: string | null; actor_ip: string | null; actor_user_agent: string | null };

/** What the front sets on a request it refuses (after discarding any client copies of these headers). */
function refusedRequest(kind: string, method: string, path: string): { requestId: string } {
  const requestId = randomUUID();
  state.headers = {
    "x-portal-request-id": requestId,
    "x-portal-client-ip": "198.51.100.23",
    "user-agent": "vitest front refusal",
    "x-portal-refusal": kind,
    "x-portal-refused-method": method,
    "x-portal-refused-path": path,
  };
  return { requestId };
}

describe.each(seededTestTargets({ label: "refusal", keys: KEYS }))("the front's refusals on $name", (target) => {
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

  beforeEach(() => {
    state.token = null;
    state.db = db;
  });

  const rowsFor = (requestId: string) =>
    db.prisma.$queryRawUnsafe<AuditRow[]>(
      `SELECT request_id, action, outcome::text AS outcome, reason, target_type, target_id, actor_email, actor_ip, actor_user_agent FROM audit_event WHERE request_id = $1`,
      requestId,
    );

  async function answer(): Promise<{ status: number; body: { error: { code: string; message: string; issues: unknown[] } }; headers: Headers }> {
    const response = await refusalRoute();
    return { status: response.status, body: (await response.json()) as never, headers: response.headers };
  }

  it("audits a cross-site POST as denied, naming the signed-in person, and answers 403 JSON", async () => {
    state.token = await signInForTest(db.prisma, VIEWER, { purpose: "improve_product" });
    const { requestId } = refusedRequest("cross-site", "POST", "/api/v1/events/0b7c/reveal");
    const reply = await answer();
    expect(reply.status).toBe(403);
    expect(reply.headers.get("cache-control")).toContain("no-store");
    expect(reply.body.error.code).toBe("forbidden");
    expect(reply.body.error.message).toMatch(/^Cross-site requests that change something are refused/);
    expect(await rowsFor(requestId)).toEqual([
      {
        request_id: requestId,
        action: "request.refused",
        outcome: "denied",
        reason: `forbidden: ${reply.body.error.message}`,
        target_type: "request",
        target_id: "POST /api/v1/events/0b7c/reveal",
        actor_email: VIEWER,
        actor_ip: "198.51.100.23",
        actor_user_agent: "vitest front refusal",
      },
    ]);
  });

  it("audits a malformed path as an error outcome, naming the signed-in person, and answers 400 JSON naming the path", async () => {
    state.token = await signInForTest(db.prisma, VIEWER, { purpose: "improve_product" });
    const { requestId } = refusedRequest("malformed-path", "GET", "/api/v1/events/%E2%82");
    const reply = await answer();
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "invalid_input", issues: [{ path: "path", message: "is not valid percent-encoding, or has a backslash or a . or .. segment" }] });
    const rows = await rowsFor(requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "request.refused", outcome: "error", target_id: "GET /api/v1/events/%E2%82", actor_email: VIEWER });
    expect(rows[0]!.reason).toMatch(/^invalid_input: The request path is not valid/);
  });

  it("audits a non-JSON API POST (415), and a signed-in person who is on no access list by their email", async () => {
    state.token = await signInForTest(db.prisma, OUTSIDER);
    const { requestId } = refusedRequest("content-type", "POST", "/api/v1/admin/grants");
    const reply = await answer();
    expect(reply.status).toBe(415);
    expect(reply.body.error.code).toBe("unsupported_media_type");
    expect(await rowsFor(requestId)).toEqual([expect.objectContaining({ action: "request.refused", outcome: "error", actor_email: OUTSIDER, target_id: "POST /api/v1/admin/grants" })]);
  });

  it("audits an anonymous refusal without an actor", async () => {
    const { requestId } = refusedRequest("cross-site", "POST", "/purpose");
    expect((await answer()).status).toBe(403);
    expect(await rowsFor(requestId)).toEqual([expect.objectContaining({ action: "request.refused", outcome: "denied", actor_email: null, target_id: "POST /purpose" })]);
  });

  it("is a 404 without a row when reached without the front's header (or with an unknown reason)", async () => {
    state.token = await signInForTest(db.prisma, VIEWER, { purpose: "improve_product" });
    for (const kind of [null, "made-up"]) {
      const { requestId } = refusedRequest(kind ?? "", "POST", "/x");
      if (kind === null) delete state.headers["x-portal-refusal"];
      const reply = await answer();
      expect(reply.status).toBe(404);
      expect(await rowsFor(requestId)).toEqual([]);
    }
  });

  it("answers 503 with Retry-After, never a 500, when the refusal cannot be audited because the database is unreachable", async () => {
    state.token = await signInForTest(db.prisma, VIEWER, { purpose: "improve_product" });
    const unreachable = await connectDatabase({ databaseUrl: "postgresql://postgres@127.0.0.1:1/nowhere", pgliteDataDir: "(unused)", poolSize: 1 });
    state.db = unreachable;
    try {
      const { requestId } = refusedRequest("cross-site", "POST", "/api/v1/events/0b7c/reveal");
      const reply = await answer();
      expect(reply.status).toBe(503);
      expect(reply.headers.get("retry-after")).toBe("5");
      expect(reply.body.error.code).toBe("database_unavailable");
      expect(reply.body.error.message).not.toMatch(/recorded/i);
      state.db = db;
      expect(await rowsFor(requestId)).toEqual([]);
    } finally {
      state.db = db;
      await unreachable.close();
    }
  });
});
