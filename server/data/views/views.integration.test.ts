// Saved and shared views and the event timeline (issue 14 items 5, 6) against
// real databases (PGlite always, PostgreSQL when TEST_DATABASE_URL is set):
// saving (audited, validated, sharing refused outside one's groups), opening
// by a narrower person (the query fitted to their scope, what was left out
// named, never a refusal or a silent 0), listing by membership, renaming and
// deleting by the owner only, and the timeline's audit row.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/server/db/connect";
import { seededTestTargets } from "@/test/test-databases";
import { AppError } from "@/server/http/app-error";
import { signInForTest } from "@/test/sessions";
import { listEvents } from "@/server/data/list-events";
import { getEventTimeline } from "@/server/data/get-event-timeline";
import { GET as getViewsRoute, POST as postViewsRoute } from "@/app/api/v1/views/route";
import { deleteView, renameView } from "./change-view";
import { listViews } from "./list-views";
import { openView } from "./open-view";
import { saveView } from "./save-view";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 11).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest views", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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
const APPROVER = "approver@github.example"; // also in the Copilot team
const HEALTH = "viewer.health@github.example";
const MICROSOFT = "viewer@microsoft.example";

const targets = seededTestTargets({ label: "views", keys: [{ id: "itk1", key: Buffer.alloc(32, 11) }], events: 1_500, seed: 14 });

type AuditRow = {
  action: string;
  outcome: string;
  reason: string | null;
  target_id: string | null;
  event_ids: string[];
  machine_ids: string[];
  field_classes: string[];
  row_count: number | null;
  filters: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
  actor_email: string | null;
};

describe.each(targets)("saved views and the event timeline on $name", (target) => {
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    // The GitHub viewer also works with the Microsoft – Copilot group (a second grant; their scope is unchanged, the Copilot team's is wider).
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "grant" (id, person_id, group_key, role, justification, expires_at)
       SELECT gen_random_uuid(), id, 'microsoft_copilot', 'viewer', 'Shares explorer views with the Microsoft Copilot team.', now() + interval '30 days' FROM person WHERE email = $1`,
      COPILOT,
    );
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  const sql = <T,>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);

  async function signIn(email: string, purpose: "improve_product" | "investigate_abuse" | "evaluate_product" = "investigate_abuse"): Promise<void> {
    state.token = await signInForTest(db.prisma, email, { purpose });
  }

  async function withAudit<T>(call: () => Promise<T>): Promise<{ value?: T; error?: unknown; rows: AuditRow[] }> {
    const [{ max } = { max: 0n }] = await sql<{ max: bigint }>("SELECT coalesce(max(id), 0) AS max FROM audit_event");
    let value: T | undefined;
    let error: unknown;
    try {
      value = await call();
    } catch (caught) {
      error = caught;
    }
    const rows = await sql<AuditRow>(
      `SELECT action, outcome::text AS outcome, reason, target_id, event_ids, machine_ids, field_classes, row_count, filters, after, before, actor_email
       FROM audit_event WHERE id > $1 ORDER BY id`,
      max,
    );
    return { value, error, rows };
  }

  const viewCount = async () => Number((await sql<{ n: number }>("SELECT count(*)::int AS n FROM saved_view"))[0]?.n);

  it("saves a view shared with one of the person's groups, audited with what was stored", async () => {
    await signIn(COPILOT);
    const { value, rows } = await withAudit(() =>
      saveView({ name: "Paris machines", visibility: "group", group: "copilot_team", query: "range=7d&city=Paris&machineId=abc&columns=time,kind,machineId,city&os=" }),
    );
    expect(value).toMatchObject({ name: "Paris machines", visibility: "group", group: "copilot_team", isOwner: true, query: "range=7d&machineId=abc&city=Paris&columns=time%2Ckind%2CmachineId%2Ccity" });
    expect(rows).toEqual([
      expect.objectContaining({
        action: "views.save",
        outcome: "allowed",
        actor_email: COPILOT,
        target_id: value!.id,
        after: { name: "Paris machines", visibility: "group", group: "copilot_team", query: { range: "7d", city: "Paris", machineId: "abc", columns: "time,kind,machineId,city" } },
      }),
    ]);
  });

  it("refuses sharing with a group the person is not in (403, audited as denied, nothing stored)", async () => {
    await signIn(HEALTH);
    const before = await viewCount();
    const { error, rows } = await withAudit(() => saveView({ name: "Theirs", visibility: "group", group: "copilot_team", query: "kind=error" }));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(403);
    expect((error as AppError).issues).toEqual([expect.objectContaining({ path: "group" })]);
    expect(rows).toEqual([expect.objectContaining({ action: "views.save", outcome: "denied", actor_email: HEALTH })]);
    expect(await viewCount()).toBe(before);
  });

  it("names the field of a bad query (422) or a bad form (400), and a query outside the saver's own access (422)", async () => {
    await signIn(HEALTH);
    const badQuery = await withAudit(() => saveView({ name: "x", visibility: "personal", query: "kind=nonsense" }));
    expect((badQuery.error as AppError).status).toBe(422);
    expect((badQuery.error as AppError).issues[0]!.path).toBe("query.kind");
    const badForm = await withAudit(() => saveView({ name: " ", visibility: "everyone", query: "" }));
    expect((badForm.error as AppError).status).toBe(400);
    expect((badForm.error as AppError).issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(["name", "visibility"]));
    const outside = await withAudit(() => saveView({ name: "Cities", visibility: "personal", query: "city=Paris" }));
    expect((outside.error as AppError).status).toBe(422);
    expect((outside.error as AppError).issues).toEqual([{ path: "query.city", message: "is outside your access" }]);
    expect(outside.rows).toEqual([expect.objectContaining({ action: "views.save", outcome: "error" })]);
  });

  it("POST /api/v1/views answers 201 with the view, and 400 naming the field", async () => {
    await signIn(COPILOT);
    const ok = await postViewsRoute(new Request("http://portal.test/api/v1/views", { method: "POST", body: JSON.stringify({ name: "Mine", visibility: "personal", query: { kind: ["error"], range: "24h" } }) }));
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ name: "Mine", visibility: "personal", group: null, query: "range=24h&kind=error" });
    const bad = await postViewsRoute(new Request("http://portal.test/api/v1/views", { method: "POST", body: JSON.stringify({ name: "Mine", visibility: "group", query: "" }) }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.issues).toEqual([expect.objectContaining({ path: "group" })]);
    const list = await getViewsRoute();
    expect((await list.json()).items.map((item: { name: string }) => item.name)).toEqual(expect.arrayContaining(["Mine", "Paris machines"]));
  });

  it("a narrower member of the group opens it: the filters their access lacks are left out and named, the rest applied, audited", async () => {
    await signIn(COPILOT);
    const [view] = (await listViews()).filter((item) => item.name === "Paris machines");
    // The approver, in the same team, declared a purpose that shows no identifiers or location.
    await signIn(APPROVER, "evaluate_product");
    const { value, rows } = await withAudit(() => openView({ id: view!.id }));
    expect(value!.notices.map((notice) => notice.message)).toEqual([
      "This view filters by Machine ID, which your access does not include; that filter was not applied.",
      "This view filters by City, which your access does not include; that filter was not applied.",
      "This view shows the Machine ID and City columns, which your access does not include; they are not shown.",
    ]);
    expect(value!.params).toEqual({ range: "7d", columns: "time,kind" });
    expect(value!.view).toMatchObject({ isOwner: false, ownerName: "Vera Copilot" });
    expect(rows).toEqual([
      expect.objectContaining({
        action: "views.open",
        outcome: "allowed",
        actor_email: APPROVER,
        target_id: view!.id,
        filters: { view: { range: "7d", city: "Paris", machineId: "abc", columns: "time,kind,machineId,city" }, leftOut: ["machineId", "city", "columns"] },
      }),
    ]);
    // the fitted query is one the explorer runs for them (no 403), and it finds events
    const list = await listEvents(value!.params);
    expect(list.total.value).toBeGreaterThan(0);
  });

  it("a Microsoft viewer opens a GitHub viewer's view shared with Microsoft – Copilot: kinds and identifiers outside their access are named", async () => {
    await signIn(COPILOT);
    const saved = await saveView({ name: "Shown in Paris", visibility: "group", group: "microsoft_copilot", query: "kind=error,completion_shown&city=Paris&sessionId=abc" });
    await signIn(MICROSOFT, "improve_product");
    const opened = await openView({ id: saved.id });
    expect(opened.notices.map((notice) => notice.param)).toEqual(["kind", "sessionId"]);
    expect(opened.notices[1]!.message).toBe("This view filters by Session ID, which your access does not include; that filter was not applied.");
    expect(opened.params).toEqual({ kind: "completion_shown", city: "Paris" });
    expect((await listViews()).map((item) => item.name)).toEqual(["Shown in Paris"]);
  });

  it("is neither listed nor opened by someone outside its group (the same 404 as no view), nor a personal view by anyone but its owner", async () => {
    await signIn(COPILOT);
    const views = await listViews();
    const shared = views.find((item) => item.name === "Paris machines")!;
    const personal = views.find((item) => item.name === "Mine")!;
    await signIn(HEALTH);
    expect(await listViews()).toEqual([]);
    const { error, rows } = await withAudit(() => openView({ id: shared.id }));
    expect((error as AppError).status).toBe(404);
    expect(rows).toEqual([expect.objectContaining({ action: "views.open", outcome: "error", target_id: shared.id })]);
    await signIn(APPROVER);
    expect(((await withAudit(() => openView({ id: personal.id }))).error as AppError).status).toBe(404);
    expect(((await withAudit(() => openView({ id: randomUUID() }))).error as AppError).status).toBe(404);
    expect(((await withAudit(() => openView({ id: "not-a-uuid" }))).error as AppError).status).toBe(400);
  });

  it("lets only the owner rename and delete, audited with before and after", async () => {
    await signIn(COPILOT);
    const shared = (await listViews()).find((item) => item.name === "Paris machines")!;
    await signIn(APPROVER);
    const refused = await withAudit(() => renameView({ id: shared.id, name: "Hijacked" }));
    expect((refused.error as AppError).status).toBe(403);
    expect(refused.rows).toEqual([expect.objectContaining({ action: "views.rename", outcome: "denied" })]);
    expect(((await withAudit(() => deleteView({ id: shared.id }))).error as AppError).status).toBe(403);

    await signIn(COPILOT);
    const renamed = await withAudit(() => renameView({ id: shared.id, name: "Paris, by machine" }));
    expect(renamed.value).toMatchObject({ name: "Paris, by machine" });
    expect(renamed.rows).toEqual([expect.objectContaining({ action: "views.rename", outcome: "allowed", before: { name: "Paris machines" }, after: { name: "Paris, by machine" } })]);
    const deleted = await withAudit(() => deleteView({ id: shared.id }));
    expect(deleted.rows).toEqual([expect.objectContaining({ action: "views.delete", outcome: "allowed", target_id: shared.id, before: expect.objectContaining({ name: "Paris, by machine" }) })]);
    expect((await sql("SELECT id FROM saved_view WHERE id = $1::uuid", shared.id)).length).toBe(0);
  });

  it("tells an event's story: the completion's events in order with the gaps between, their ids in the audit row", async () => {
    const [completion] = await sql<{ completion_id: string; n: number }>(
      `SELECT completion_id, count(*)::int AS n FROM telemetry_event WHERE completion_id IS NOT NULL GROUP BY completion_id HAVING count(*) >= 3 ORDER BY completion_id LIMIT 1`,
    );
    expect(completion).toBeDefined();
    const events = await sql<{ id: string; kind: string; time: Date }>(
      "SELECT id::text AS id, kind::text AS kind, time FROM telemetry_event WHERE completion_id = $1 ORDER BY time, id",
      completion!.completion_id,
    );
    await signIn(COPILOT);
    const anchor = events[1]!;
    const { value, rows } = await withAudit(() => getEventTimeline({ id: anchor.id }));
    expect(value!.status).toBe("shown");
    if (value!.status !== "shown") return;
    expect(value!.linkedBy).toBe("completion");
    expect(value!.steps.map((step) => step.id)).toEqual(events.map((event) => event.id));
    expect(value!.steps.map((step) => step.sincePreviousMs)).toEqual(events.map((event, index) => (index === 0 ? null : event.time.getTime() - events[index - 1]!.time.getTime())));
    expect(value!.steps.filter((step) => step.isCurrent).map((step) => step.id)).toEqual([anchor.id]);
    expect(rows).toEqual([
      expect.objectContaining({ action: "events.timeline", outcome: "allowed", target_id: anchor.id, row_count: events.length, field_classes: ["identifiers", "measurements"] }),
    ]);
    expect([...rows[0]!.event_ids].sort()).toEqual(events.map((event) => event.id).sort());

    // Without identifiers (Microsoft), the events are not linked: the timeline says why and discloses no ids.
    const [shown] = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event WHERE kind = 'completion_shown' ORDER BY id LIMIT 1");
    await signIn(MICROSOFT, "improve_product");
    const withheld = await withAudit(() => getEventTimeline({ id: shown!.id }));
    expect(withheld.value).toMatchObject({ status: "withheld", message: expect.stringMatching(/completion and session IDs, which your access does not include/) });
    expect(withheld.rows).toEqual([expect.objectContaining({ action: "events.timeline", outcome: "allowed", event_ids: [], row_count: 0 })]);
  });
});
