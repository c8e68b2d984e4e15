// The audit console's overview against real databases (PGlite, and
// PostgreSQL when TEST_DATABASE_URL is set): routine rows hidden by default
// and counted, facet counts, the person / purpose / employer filters and the
// reveals-exports-denials chart, each compared with the same question asked
// of the database directly.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditAction } from "@/lib/audit/actions";
import type { Database } from "@/server/db/connect";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { signInForTest } from "@/test/sessions";
import { seededTestTargets } from "@/test/test-databases";
import { getAuditEvent } from "./get-audit-event";
import { searchAuditEvents } from "./search-audit-events";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 12).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest audit console", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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
const ADMIN = "admin@github.example";
const AUDITOR = "auditor@github.example";
const OUTSIDER = "outsider@github.example";

/** The routine rule of lib/audit/routine.ts, written out independently for the direct SQL counts. */
const ROUTINE = `(action = 'session.view' OR (action IN ('admin.view', 'audit.search', 'audit.checkpoints', 'audit.delivery_view', 'audit.alerts_list') AND outcome = 'allowed'))`;

const targets = seededTestTargets({ label: "auditconsole", keys: [{ id: "itk1", key: Buffer.alloc(32, 12) }], events: 0 });

describe.each(targets)("the audit console's overview on $name", (target) => {
  let db: Database;
  const ids: Record<string, string> = {};

  const sql = <T,>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);
  const countOf = async (where: string, ...values: unknown[]) => Number((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event WHERE ${where}`, ...values))[0]?.n);
  const groupCounts = async (column: string, where: string) =>
    Object.fromEntries(
      (await sql<{ key: string; n: number }>(`SELECT ${column} AS key, count(*)::int AS n FROM audit_event WHERE ${where} GROUP BY 1`)).map((row) => [row.key, Number(row.n)]),
    );

  type Actor = { email: string; employer: "github" | "microsoft" | null; groups?: string[]; roles?: string[]; listed?: boolean } | null;
  async function write(actor: Actor, action: AuditAction, outcome: "allowed" | "denied" | "error", times: number, extra: { purpose?: "improve_product" | "evaluate_product" } = {}) {
    for (let i = 0; i < times; i++) {
      await db.prisma.$transaction((tx) =>
        writeAuditEvent(tx, {
          requestId: randomUUID(),
          actor: actor
            ? { personId: actor.listed === false ? null : ids[actor.email]!, email: actor.email, employer: actor.employer, groups: actor.groups ?? [], roles: actor.roles ?? [] }
            : null,
          actorIp: "127.0.0.1",
          actorUserAgent: "seeded by the audit console test",
          action,
          outcome,
          purpose: extra.purpose ?? null,
        }),
      );
    }
  }

  async function signIn(email: string) {
    state.token = await signInForTest(db.prisma, email);
  }

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    for (const row of await sql<{ id: string; email: string }>("SELECT id::text AS id, email FROM person")) ids[row.email] = row.id;
    const copilot = { email: COPILOT, employer: "github" as const, groups: ["copilot_team"], roles: ["viewer"] };
    const microsoft = { email: MICROSOFT, employer: "microsoft" as const, groups: ["microsoft_copilot"], roles: ["viewer"] };
    const admin = { email: ADMIN, employer: "github" as const, roles: ["admin"] };
    // routine: anonymous look-ups at sign-in, own look-ups, the admin viewing the list
    await write(null, "session.view", "denied", 7);
    await write(copilot, "session.view", "allowed", 3);
    await write(admin, "admin.view", "allowed", 5);
    // not routine: telemetry reads, reveals, exports, refusals, a refused admin look-up
    await write(copilot, "events.list", "allowed", 4, { purpose: "improve_product" });
    await write(copilot, "events.reveal", "allowed", 3, { purpose: "improve_product" });
    await write(copilot, "events.export", "allowed", 2, { purpose: "improve_product" });
    await write(copilot, "events.view", "denied", 2, { purpose: "improve_product" });
    await write(microsoft, "events.list", "allowed", 3, { purpose: "evaluate_product" });
    await write(microsoft, "events.reveal", "denied", 1, { purpose: "evaluate_product" });
    await write(microsoft, "admin.view", "denied", 1);
    await write({ email: OUTSIDER, employer: null, listed: false }, "auth.sign_in_refused", "denied", 2);
    await write(null, "request.refused", "denied", 1);
    await signIn(AUDITOR);
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  it("hides routine rows by default and says how many, as a direct count does", async () => {
    // counted before the search: its own audit.search row commits with it, after its reads
    const routine = await countOf(ROUTINE);
    const visible = await countOf(`NOT ${ROUTINE}`);
    expect(routine).toBeGreaterThanOrEqual(15);
    const result = await searchAuditEvents({ limit: "500" }, { overview: true });
    expect(result.overview?.hiddenRoutine).toBe(routine);
    expect(result.overview?.total).toBe(visible);
    expect(result.items).toHaveLength(visible);
    for (const item of result.items) {
      expect(item.action === "session.view" || (["admin.view", "audit.search"].includes(item.action) && item.outcome === "allowed"), item.action).toBe(false);
    }
    // the refused admin look-up is not routine
    expect(result.items.filter((item) => item.action === "admin.view").map((item) => item.outcome)).toEqual(["denied"]);
  });

  it("shows every row with routine=show, and nothing is then hidden", async () => {
    const all = await countOf("TRUE");
    const result = await searchAuditEvents({ limit: "500", routine: "show" }, { overview: true });
    expect(result.overview?.hiddenRoutine).toBe(0);
    expect(result.overview?.total).toBe(all);
    expect(result.items).toHaveLength(all);
    expect(result.items.some((item) => item.action === "session.view" && item.actor.email === null)).toBe(true);
  });

  it("counts each facet as GROUP BY over the visible rows does", async () => {
    const visible = `NOT ${ROUTINE}`;
    const { overview } = await searchAuditEvents({}, { overview: true });
    const facetMap = (values: Array<{ key: string; count: number }>) => Object.fromEntries(values.map((value) => [value.key, value.count]));
    expect(facetMap(overview!.facets.action.values)).toEqual(await groupCounts("action", visible));
    expect(facetMap(overview!.facets.outcome.values)).toEqual(await groupCounts("outcome::text", visible));
    expect(facetMap(overview!.facets.purpose.values)).toEqual(await groupCounts("COALESCE(purpose::text, 'none')", visible));
    expect(facetMap(overview!.facets.employer.values)).toEqual(await groupCounts("COALESCE(actor_employer::text, 'none')", visible));
    expect(facetMap(overview!.facets.actor.values)).toEqual(
      await groupCounts(
        "CASE WHEN actor_person_id IS NOT NULL THEN actor_person_id::text WHEN actor_email IS NOT NULL THEN 'email:' || actor_email ELSE 'anonymous' END",
        visible,
      ),
    );
    // people are named from the access list; someone refused at sign-in by the email they used
    const actors = overview!.facets.actor.values;
    expect(actors.find((actor) => actor.key === ids[COPILOT])).toMatchObject({ email: COPILOT, name: expect.any(String), count: 11 });
    expect(actors.find((actor) => actor.key === `email:${OUTSIDER}`)).toMatchObject({ email: OUTSIDER, count: 2 });
    expect(actors.find((actor) => actor.key === "anonymous")).toMatchObject({ email: null, count: 1 });
  });

  it("leaves a facet's own pick out of its counts, and applies it to the others", async () => {
    const visible = `NOT ${ROUTINE}`;
    const { overview, items } = await searchAuditEvents({ action: ["events.reveal", "events.export"], outcome: "allowed" }, { overview: true });
    expect(items.every((item) => ["events.reveal", "events.export"].includes(item.action) && item.outcome === "allowed")).toBe(true);
    expect(overview!.total).toBe(await countOf(`${visible} AND action IN ('events.reveal', 'events.export') AND outcome = 'allowed'`));
    // the action facet still offers the other actions (counted with the outcome pick)
    expect(Object.fromEntries(overview!.facets.action.values.map((value) => [value.key, value.count]))).toEqual(
      await groupCounts("action", `${visible} AND outcome = 'allowed'`),
    );
    // the outcome facet counts every outcome of the picked actions
    expect(Object.fromEntries(overview!.facets.outcome.values.map((value) => [value.key, value.count]))).toEqual(
      await groupCounts("outcome::text", `${visible} AND action IN ('events.reveal', 'events.export')`),
    );
    // the actor facet applies both picks
    expect(overview!.facets.actor.values).toEqual([expect.objectContaining({ key: ids[COPILOT], count: 5 })]);
  });

  it("filters by person (an id, or anonymous), purpose none and employer", async () => {
    const byPerson = await searchAuditEvents({ person: ids[MICROSOFT], limit: "500" });
    expect(byPerson.items.length).toBe(await countOf(`NOT ${ROUTINE} AND actor_person_id = $1::uuid`, ids[MICROSOFT]));
    expect(new Set(byPerson.items.map((item) => item.actor.email))).toEqual(new Set([MICROSOFT]));

    const anonymous = await searchAuditEvents({ person: "anonymous", routine: "show", limit: "500" });
    expect(anonymous.items.length).toBe(await countOf("actor_person_id IS NULL AND actor_email IS NULL"));
    expect(anonymous.items.every((item) => item.actor.email === null)).toBe(true);

    const noPurpose = await searchAuditEvents({ purpose: "none", employer: ["github", "none"], limit: "500" });
    expect(noPurpose.items.length).toBe(await countOf(`NOT ${ROUTINE} AND purpose IS NULL AND (actor_employer = 'github' OR actor_employer IS NULL)`));
    expect(noPurpose.items.every((item) => item.purpose === null)).toBe(true);
  });

  it("charts reveals, exports and denials per person, as direct counts do", async () => {
    const visible = `NOT ${ROUTINE}`;
    const { overview } = await searchAuditEvents({ action: "events.list" }, { overview: true });
    const charts = overview!.charts;
    expect(charts.unit).toBe("day");
    expect(charts.buckets).toHaveLength(30);
    const series = Object.fromEntries(charts.series.map((one) => [one.metric, one]));
    // the chart's metrics choose their own actions and outcomes: the action pick does not empty them
    expect(series.reveals!.total).toBe(await countOf(`${visible} AND action = 'events.reveal' AND outcome = 'allowed'`));
    expect(series.exports!.total).toBe(await countOf(`${visible} AND action IN ('events.export', 'audit.export', 'admin.access_export') AND outcome = 'allowed'`));
    expect(series.denials!.total).toBe(await countOf(`${visible} AND outcome = 'denied'`));
    expect(series.reveals!.people).toEqual([expect.objectContaining({ key: ids[COPILOT], email: COPILOT, total: 3 })]);
    expect(series.denials!.people.map((person) => person.total).reduce((a, b) => a + b, 0) + series.denials!.others).toBe(series.denials!.total);
    // every count sits in today's bucket, keyed by person
    const today = charts.buckets.at(-1)!;
    expect(today).toBe(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
    expect(series.reveals!.counts.at(-1)).toEqual({ [ids[COPILOT]!]: 3 });
  });

  it("audits the search with the filters it applied, routine mode included", async () => {
    await searchAuditEvents({ outcome: "denied" }, { overview: true });
    const [row] = await sql<{ action: string; filters: Record<string, unknown> }>("SELECT action, filters FROM audit_event ORDER BY id DESC LIMIT 1");
    expect(row).toMatchObject({ action: "audit.search", filters: expect.objectContaining({ outcome: ["denied"], routine: "hide", overview: true }) });
  });

  it("gives a row's page the display names of the groups it records", async () => {
    const [row] = await sql<{ id: string }>("SELECT id::text AS id FROM audit_event WHERE 'copilot_team' = ANY(actor_groups) LIMIT 1");
    await db.prisma.$executeRawUnsafe("UPDATE access_group SET name = 'Copilot (renamed)' WHERE key = 'copilot_team'");
    const detail = await getAuditEvent(row!.id);
    expect(detail.actor.groups).toEqual(["copilot_team"]);
    expect(detail.groupNames.copilot_team).toBe("Copilot (renamed)");
  });
});
