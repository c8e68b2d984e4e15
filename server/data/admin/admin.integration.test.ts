// The admin data layer against real databases: a temporary PGlite directory
// always, and a freshly created PostgreSQL database when TEST_DATABASE_URL is
// set (dropped afterwards). Each is migrated with migrateDatabase and seeded
// with the demo access list (no events). next/headers is mocked with a cookie
// jar holding a session created in the database for a seeded person.
//
// The tests run in order and build on each other's changes to the list.
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seededTestTargets } from "@/test/test-databases";
import { RULES } from "@/lib/access/eligibility";
import { connectDatabase, type Database } from "@/server/db/connect";
import { migrateDatabase } from "@/server/db/migrate";
import { getViewer } from "@/server/data/get-viewer";
import { AppError } from "@/server/http/app-error";
import { createPersonAction } from "@/app/(portal)/admin/people/actions";
import {
  disablePersonAction,
  enablePersonAction,
  extendGrantAction,
  grantAccessAction,
  revokeGrantAction,
  updatePersonAction,
} from "@/app/(portal)/admin/people/[id]/actions";
import { updateGroupScopeAction } from "@/app/(portal)/admin/groups/actions";
import { extendExpiringGrantAction } from "@/app/(portal)/admin/expiring/actions";
import { importAccessListAction } from "@/app/(portal)/admin/import-export/actions";
import { createIngestionKeyAction, revokeIngestionKeyAction } from "@/app/(portal)/admin/ingestion-keys/actions";
import { GET as getAccessListExport } from "@/app/api/v1/admin/access-list/route";
import { idleState, type ActionState } from "@/components/admin/action-state";
import { createIngestionKey } from "./create-ingestion-key";
import { createPerson } from "./create-person";
import { disablePerson } from "./disable-person";
import { enablePerson } from "./enable-person";
import { exportAccessList } from "./export-access-list";
import { extendGrant } from "./extend-grant";
import { getPerson } from "./get-person";
import { grantAccess } from "./grant-access";
import { importAccessList } from "./import-access-list";
import { listExpiringGrants } from "./list-expiring-grants";
import { listGroups } from "./list-groups";
import { listIngestionKeys } from "./list-ingestion-keys";
import { listPeople } from "./list-people";
import { revokeGrant } from "./revoke-grant";
import { revokeIngestionKey } from "./revoke-ingestion-key";
import { updateGroupScope } from "./update-group-scope";
import { updatePerson } from "./update-person";
import { signInForTest } from "@/test/sessions";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 12).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  process.env.GRANT_MAX_DAYS = "180";
  process.env.CONTRACTOR_GRANT_MAX_DAYS = "90";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest admin", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
}));

// The server actions re-render the page (refresh) and send anonymous callers to sign in (redirect).
vi.mock("next/cache", () => ({ refresh: () => undefined }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error(`redirect to ${url}`), { redirectedTo: url });
  },
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

const DAY_MS = 86_400_000;
const KEYS = [{ id: "itk1", key: Buffer.alloc(32, 12) }];
const ADMIN = "admin@github.example";
const AUDITOR = "auditor@github.example";
const COPILOT = "viewer.copilot@github.example";
const HEALTH = "viewer.health@github.example";
const MICROSOFT = "viewer@microsoft.example";
const OPENAI = "viewer@openai.example";
const EXPIRED = "expired@github.example";
const APPROVER = "approver@github.example";
const NEWCOMER = "newcomer@github.example";
const PROJECT_DIR = path.resolve(import.meta.dirname, "../../..");
const quiet = () => undefined;

const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
const dateInDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

const targets = seededTestTargets({ label: "admin", keys: KEYS });

type AuditRow = {
  action: string;
  outcome: string;
  reason: string | null;
  actor_email: string | null;
  target_type: string | null;
  target_id: string | null;
  row_count: number | null;
  file_sha256: string | null;
  filters: Record<string, unknown> | null;
  before: unknown;
  after: unknown;
  text: string;
};

/** Runs the bootstrap script as an operator would; resolves with its exit code and output. */
function runBootstrap(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(PROJECT_DIR, "node_modules", ".bin", "tsx"), ["scripts/access-bootstrap-admin.ts", ...args], {
      cwd: PROJECT_DIR,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output: output.trim() }));
  });
}

describe.each(targets)("the admin data layer on $name", (target) => {
  let db: Database;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    for (const person of await db.prisma.person.findMany()) ids[person.email] = person.id;
  });

  afterAll(async () => {
    state.db = null;
    state.token = null;
    await db?.close();
    await target.dispose();
  });

  const sql = <T,>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);

  /** A new browser session for a seeded person; becomes the current one unless `use` is false. */
  async function signIn(email: string, use = true): Promise<string> {
    const token = await signInForTest(db.prisma, email);
    if (use) state.token = token;
    return token;
  }

  async function sessionsOf(email: string): Promise<number> {
    return db.prisma.session.count({ where: { user: { email } } });
  }

  async function grantOf(email: string, where: { groupKey?: string; role?: string }) {
    return db.prisma.grant.findFirstOrThrow({
      where: { person: { email }, revokedAt: null, ...(where.groupKey ? { groupKey: where.groupKey as never } : { role: where.role as never }) },
      orderBy: { grantedAt: "desc" },
    });
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
      `SELECT action, outcome::text AS outcome, reason, actor_email, target_type, target_id, row_count, file_sha256, filters, before, after,
              row_to_json(a)::text AS text
       FROM audit_event a ORDER BY id DESC LIMIT GREATEST($1::int, 0)`,
      (await auditCount()) - before,
    );
    return { value, error, rows };
  }

  /** A successful change: its value, and exactly one allowed audit row of `action` with before/after. */
  async function expectChange<T>(action: string, call: () => Promise<T>): Promise<{ value: T; row: AuditRow }> {
    const { value, error, rows } = await withAudit(call);
    if (error) throw error;
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ action, outcome: "allowed" });
    expect(row.after).not.toBeNull();
    return { value: value as T, row };
  }

  /** A refusal: the AppError, and exactly one audit row for it; nothing else changed. */
  async function expectRefusal(call: () => Promise<unknown>, status: number, message?: string | RegExp): Promise<{ error: AppError; row: AuditRow }> {
    const before = await snapshot();
    const { error, rows } = await withAudit(call);
    expect(error, "expected a refusal").toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.status, appError.message).toBe(status);
    if (typeof message === "string") expect(appError.message).toContain(message);
    else if (message) expect(appError.message).toMatch(message);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe(status === 401 || status === 403 ? "denied" : "error");
    expect(await snapshot()).toEqual(before);
    return { error: appError, row: rows[0]! };
  }

  /** A digest of every table an admin function can change. */
  async function snapshot(): Promise<Record<string, string>> {
    const digest = async (query: string) => String((await sql<{ h: string }>(query))[0]?.h);
    return {
      person: await digest(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS h FROM person t`),
      grant: await digest(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS h FROM "grant" t`),
      access_group: await digest(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.key), '')) AS h FROM access_group t`),
      ingestion_key: await digest(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS h FROM ingestion_key t`),
      auth_session: await digest(`SELECT md5(coalesce(string_agg(session_token, '|' ORDER BY session_token), '')) AS h FROM auth_session`),
    };
  }

  async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
    return Buffer.from(await new Response(stream).arrayBuffer());
  }

  describe("authorization", () => {
    it.each([
      ["a viewer", COPILOT, 403],
      ["an auditor", AUDITOR, 403],
      ["an anonymous caller", null, 401],
    ] as const)("refuses every admin function to %s, changing nothing and auditing one denial each", async (_label, email, status) => {
      if (email) await signIn(email);
      else state.token = null;
      const veraGrant = await grantOf(COPILOT, { groupKey: "copilot_team" });
      const calls: Array<[string, () => Promise<unknown>]> = [
        ["admin.view", () => listPeople({})],
        ["admin.view", () => getPerson({ personId: ids[COPILOT] })],
        ["admin.person_create", () => createPerson({ name: "Intruder", email: "intruder@github.example", employer: "github", employmentType: "employee" })],
        ["admin.person_update", () => updatePerson({ personId: ids[COPILOT], name: "Renamed", email: COPILOT, employer: "github", employmentType: "employee" })],
        ["admin.grant_create", () => grantAccess({ personId: ids[COPILOT], access: "role:admin", expiresAt: dateInDays(30), justification: "I would like to be an admin please" })],
        ["admin.grant_extend", () => extendGrant({ grantId: veraGrant.id, expiresAt: dateInDays(170), justification: "Extending my own access quietly" })],
        ["admin.grant_revoke", () => revokeGrant({ grantId: veraGrant.id, reason: "Revoking somebody else's access" })],
        ["admin.person_disable", () => disablePerson({ personId: ids[ADMIN], reason: "Disabling the admin to take over" })],
        ["admin.person_enable", () => enablePerson({ personId: ids[EXPIRED], reason: "Re-enabling someone without being admin" })],
        ["admin.view", () => listGroups()],
        ["admin.group_scope_update", () => updateGroupScope({ groupKey: "platform_health", eventKinds: ["error"], fieldClasses: ["content"], justification: "Give platform health the code" })],
        ["admin.view", () => listExpiringGrants()],
        ["admin.access_export", () => exportAccessList()],
        ["admin.access_import", () => importAccessList({ csv: "email,name,employer,employment_type,access,expires_at,justification\r\nx@github.example,X,github,employee,role:admin,2026-12-30,Because I can do this\r\n" })],
        ["admin.view", () => listIngestionKeys()],
        ["admin.ingestion_key_create", () => createIngestionKey({ name: "Rogue producer" })],
        ["admin.ingestion_key_revoke", () => revokeIngestionKey({ keyId: randomUUID(), reason: "Stopping the real producer" })],
      ];
      for (const [action, call] of calls) {
        const { row } = await expectRefusal(call, status);
        expect(row.action).toBe(action);
        expect(row.actor_email).toBe(email);
      }
    });

    it.each([
      ["a viewer", COPILOT, 403],
      ["an auditor", AUDITOR, 403],
      ["an anonymous caller", null, 401],
    ] as const)("refuses every admin server action called directly by %s, changing nothing and auditing one denial each", async (_label, email, status) => {
      if (email) await signIn(email);
      else state.token = null;
      const veraGrant = await grantOf(COPILOT, { role: "viewer" });
      const form = (fields: Record<string, string | Blob>) => {
        const data = new FormData();
        for (const [name, value] of Object.entries(fields)) data.append(name, value);
        return data;
      };
      const justification = "Submitted straight to the server action";
      const person = { name: "Intruder", email: "intruder@github.example", employer: "github", employmentType: "employee" };
      const calls: Array<[string, (state: ActionState<never>) => Promise<ActionState<unknown>>]> = [
        ["admin.person_create", (idle) => createPersonAction(idle, form(person))],
        ["admin.person_update", (idle) => updatePersonAction(idle, form({ ...person, personId: ids[COPILOT]!, email: COPILOT }))],
        ["admin.grant_create", (idle) => grantAccessAction(idle, form({ personId: ids[COPILOT]!, access: "role:admin", expiresAt: dateInDays(30), justification }))],
        ["admin.grant_extend", (idle) => extendGrantAction(idle, form({ grantId: veraGrant.id, expiresAt: dateInDays(170), justification }))],
        ["admin.grant_extend", (idle) => extendExpiringGrantAction(idle, form({ grantId: veraGrant.id, expiresAt: dateInDays(170), justification }))],
        ["admin.grant_revoke", (idle) => revokeGrantAction(idle, form({ grantId: veraGrant.id, reason: justification }))],
        ["admin.person_disable", (idle) => disablePersonAction(idle, form({ personId: ids[ADMIN]!, reason: justification }))],
        ["admin.person_enable", (idle) => enablePersonAction(idle, form({ personId: ids[EXPIRED]!, reason: justification }))],
        ["admin.group_scope_update", (idle) => updateGroupScopeAction(idle, form({ groupKey: "platform_health", "class:content": "on", "kind:error": "on", justification }))],
        ["admin.access_import", (idle) => importAccessListAction(idle, form({ file: new File([`email,name\r\nx@github.example,X\r\n`], "list.csv", { type: "text/csv" }) }))],
        ["admin.ingestion_key_create", (idle) => createIngestionKeyAction(idle, form({ name: "Rogue producer" }))],
        ["admin.ingestion_key_revoke", (idle) => revokeIngestionKeyAction(idle, form({ keyId: randomUUID(), reason: justification }))],
      ];
      for (const [action, call] of calls) {
        const before = await snapshot();
        const { value, error, rows } = await withAudit(() => call(idleState<never>()));
        if (status === 401) {
          expect(error, action).toMatchObject({ redirectedTo: expect.stringMatching(/^\/signin\?callbackUrl=/) });
        } else {
          expect(error, action).toBeUndefined();
          expect(value, action).toMatchObject({ status: "error", message: "Your role does not allow this." });
        }
        expect(rows, action).toHaveLength(1);
        expect(rows[0], action).toMatchObject({ action, outcome: "denied", actor_email: email });
        expect(await snapshot(), action).toEqual(before);
      }
    });

    it("answers an anonymous caller 401 before validating the input", async () => {
      state.token = null;
      const { error } = await expectRefusal(() => grantAccess({ nonsense: true }), 401);
      expect(error.code).toBe("unauthenticated");
    });
  });

  describe("reading the list", () => {
    it("lists everyone with their groups, roles, status and nearest expiry, audited", async () => {
      await signIn(ADMIN);
      const { value, rows } = await withAudit(() => listPeople({}));
      expect(value?.total).toBe(9);
      expect(value?.items.map((person) => person.name)).toEqual([...value!.items.map((person) => person.name)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
      const vera = value?.items.find((person) => person.email === COPILOT);
      expect(vera).toMatchObject({ employer: "github", employmentType: "employee", status: "active", groups: ["copilot_team"], roles: ["viewer"] });
      expect(vera?.nextExpiry).toEqual(expect.any(String));
      expect(value?.items.find((person) => person.email === EXPIRED)).toMatchObject({ status: "no_access", groups: [], roles: [], nextExpiry: null });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "admin.view", outcome: "allowed", row_count: 9, actor_email: ADMIN });
      expect(rows[0]!.filters).toMatchObject({ view: "people", sort: "name_asc" });
    });

    it.each([
      [{ employer: "microsoft" }, [MICROSOFT]],
      [{ type: "contractor" }, [HEALTH]],
      [{ group: "copilot_team" }, [COPILOT, APPROVER]],
      [{ role: "admin" }, [ADMIN]],
      [{ status: "no_access" }, [EXPIRED, NEWCOMER]],
      [{ q: "HEALTH" }, [HEALTH]],
      [{ q: "openai.example" }, [OPENAI]],
      [{ q: "100%_" }, []],
    ])("filters on the server: %j", async (filters, emails) => {
      await signIn(ADMIN);
      const result = await listPeople(filters);
      expect(result.items.map((person) => person.email).sort()).toEqual([...emails].sort());
      expect(result.total).toBe(emails.length);
    });

    it.each(["name_asc", "name_desc", "email_asc", "email_desc", "expiry_asc", "expiry_desc", "created_desc", "created_asc"])(
      "pages with the keyset (%s) without gaps or overlaps",
      async (sort) => {
        await signIn(ADMIN);
        const all = (await listPeople({ sort, limit: "200" })).items.map((person) => person.id);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof listPeople>> = await listPeople({ sort, limit: "2", ...(cursor ? { cursor } : {}) });
          paged.push(...page.items.map((person) => person.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(paged).toEqual(all);
        expect(all).toHaveLength(9);
      },
    );

    it("refuses a stale cursor and an unknown parameter with a 400", async () => {
      await signIn(ADMIN);
      const { nextCursor } = await listPeople({ sort: "name_asc", limit: "2" });
      await expectRefusal(() => listPeople({ sort: "email_asc", cursor: nextCursor }), 400, /^cursor: is not valid; start again from the first page/);
      await expectRefusal(() => listPeople({ colour: "red" }), 400, /colour/);
    });

    it("shows a person with their grants' history and what the forms may offer", async () => {
      await signIn(ADMIN);
      const { value, rows } = await withAudit(() => getPerson({ personId: ids[MICROSOFT] }));
      expect(value).toMatchObject({ name: "Mira Microsoft", employer: "microsoft", status: "active", options: { isSelf: false, maxGrantDays: 180 } });
      expect(value?.grants).toHaveLength(2);
      expect(value?.grants[0]?.grantedBy).toMatchObject({ email: ADMIN });
      // telemetry access is offered as one thing; a Microsoft employee may hold no staff role
      expect(value?.options.allowedAccess.map((access) => access.code)).toEqual(["telemetry:microsoft_copilot"]);
      expect(value?.options.durationPresets).toEqual([30, 60, 90]);
      expect(value?.capability).toMatchObject({ tone: "ok", summary: "Can browse telemetry (Microsoft – Copilot)", expiry: expect.stringMatching(/^expires in \d+ days$/) });
      expect(rows[0]).toMatchObject({ action: "admin.view", target_type: "person", target_id: ids[MICROSOFT] });

      const health = await getPerson({ personId: ids[HEALTH] });
      expect(health.options.maxGrantDays).toBe(90);
      expect(health.options.allowedAccess.map((access) => access.code)).toEqual(["telemetry:copilot_team", "telemetry:platform_health"]);
      expect((await getPerson({ personId: ids[AUDITOR] })).options.allowedAccess.map((access) => access.code)).toEqual([
        "telemetry:copilot_team",
        "telemetry:platform_health",
        "role:admin",
        "role:auditor",
      ]);
      const self = await getPerson({ personId: ids[ADMIN] });
      expect(self.options).toMatchObject({ isSelf: true, isLastActiveAdmin: true });
      await expectRefusal(() => getPerson({ personId: randomUUID() }), 404);
    });
  });

  describe("adding people and granting access under the seed's rules", () => {
    it("adds a Microsoft contractor and grants the Microsoft – Copilot group and the viewer role", async () => {
      await signIn(ADMIN);
      const { value: person, row } = await expectChange("admin.person_create", () =>
        createPerson({ name: "Max Contractor", email: "Max.Contractor@Microsoft.example", employer: "microsoft", employmentType: "contractor" }),
      );
      ids["max.contractor@microsoft.example"] = person.id;
      expect(person.email).toBe("max.contractor@microsoft.example");
      expect(row.before).toBeNull();
      expect(row.after).toMatchObject({ email: "max.contractor@microsoft.example", employer: "microsoft", employmentType: "contractor", status: "active" });
      expect(row).toMatchObject({ target_type: "person", target_id: person.id, actor_email: ADMIN });

      const { value: grant, row: grantRow } = await expectChange("admin.grant_create", () =>
        grantAccess({ personId: person.id, access: "group:microsoft_copilot", expiresAt: dateInDays(90), justification: "Joins the serving-latency investigation with the Copilot team" }),
      );
      expect(grantRow).toMatchObject({ target_type: "grant", target_id: grant.grantId, reason: "Joins the serving-latency investigation with the Copilot team" });
      expect(grantRow.after).toMatchObject({ access: "group:microsoft_copilot", personEmail: "max.contractor@microsoft.example", grantedById: ids[ADMIN] });
      await expectChange("admin.grant_create", () =>
        grantAccess({ personId: person.id, access: "role:viewer", expiresAt: inDays(89), justification: "Browses completion telemetry for the investigation" }),
      );
      expect((await getPerson({ personId: person.id })).status).toBe("active");
    });

    it("refuses an OpenAI contractor with the rule's message", async () => {
      await signIn(ADMIN);
      const { error, row } = await expectRefusal(
        () => createPerson({ name: "Olga Contractor", email: "contractor@openai.example", employer: "openai", employmentType: "contractor" }),
        422,
        RULES.openaiEmployeesOnly.message,
      );
      expect(error.detail).toBe(RULES.openaiEmployeesOnly.id);
      expect(row.action).toBe("admin.person_create");
      expect(row.reason).toContain(RULES.openaiEmployeesOnly.message);
      // …and an OpenAI employee cannot be turned into one.
      await expectRefusal(
        () => updatePerson({ personId: ids[OPENAI], name: "Omar OpenAI", email: OPENAI, employer: "openai", employmentType: "contractor" }),
        422,
        RULES.openaiEmployeesOnly.message,
      );
    });

    it.each([
      ["a Microsoft person into the Copilot team group", MICROSOFT, "group:copilot_team", RULES.microsoftGroup.message],
      ["a GitHub person into the OpenAI group", COPILOT, "group:openai_copilot", RULES.githubGroups.message],
      ["an OpenAI person into platform health", OPENAI, "group:platform_health", RULES.openaiGroup.message],
      ["the admin role to a Microsoft employee", MICROSOFT, "role:admin", RULES.staffRolesGithubEmployees.message],
      ["the auditor role to a GitHub contractor", HEALTH, "role:auditor", RULES.staffRolesGithubEmployees.message],
    ])("refuses %s with the rule's message", async (_label, email, access, message) => {
      await signIn(ADMIN);
      const { error } = await expectRefusal(
        () => grantAccess({ personId: ids[email], access, expiresAt: dateInDays(30), justification: "Testing the eligibility rules of the seed" }),
        422,
        message,
      );
      expect(error.issues[0]).toMatchObject({ path: "access" });
    });

    it("refuses a grant beyond the maximum, a contractor's beyond 90 days, a past expiry and a missing justification", async () => {
      await signIn(ADMIN);
      const justification = "Needs platform health metrics for the latency review";
      await expectRefusal(() => grantAccess({ personId: ids[COPILOT], access: "group:platform_health", expiresAt: inDays(181), justification }), 422, "Grants may last at most 180 days");
      await expectRefusal(
        () => grantAccess({ personId: ids[HEALTH], access: "group:copilot_team", expiresAt: inDays(91), justification }),
        422,
        "Grants to contractors may last at most 90 days",
      );
      await expectRefusal(() => grantAccess({ personId: ids[COPILOT], access: "group:platform_health", expiresAt: inDays(-1), justification }), 422, "in the future");
      const { error } = await expectRefusal(() => grantAccess({ personId: ids[COPILOT], access: "group:platform_health", expiresAt: dateInDays(30) }), 400);
      expect(error.issues).toEqual([expect.objectContaining({ path: "justification" })]);
      await expectRefusal(() => grantAccess({ personId: ids[COPILOT], access: "group:platform_health", expiresAt: dateInDays(30), justification: "because" }), 400, /justification/);
      await expectRefusal(() => grantAccess({ personId: ids[COPILOT], access: "group:platform_health", expiresAt: "next week", justification }), 400, /YYYY-MM-DD/);
      // Within the limits it goes through: the contractor for 90 days to the day.
      await expectChange("admin.grant_create", () => grantAccess({ personId: ids[HEALTH], access: "group:copilot_team", expiresAt: dateInDays(90), justification }));
    });

    it("refuses a second active grant of the same access and a duplicate email", async () => {
      await signIn(ADMIN);
      await expectRefusal(
        () => grantAccess({ personId: ids[COPILOT], access: "role:viewer", expiresAt: dateInDays(30), justification: "Already has it, should be refused" }),
        409,
        "extend that grant instead",
      );
      await expectRefusal(() => createPerson({ name: "Vera Again", email: COPILOT.toUpperCase(), employer: "github", employmentType: "employee" }), 409, "already on the access list");
    });

    it("refuses text PostgreSQL cannot store (NUL) with a 400 naming the field, not a 500 (issue 10)", async () => {
      await signIn(ADMIN);
      const nul = "must not contain NUL characters";
      await expectRefusal(() => createPerson({ name: "Nul\u0000Person", email: "nul@github.example", employer: "github", employmentType: "employee" }), 400, `name: ${nul}`);
      await expectRefusal(
        () => grantAccess({ personId: ids[MICROSOFT], access: "role:viewer", expiresAt: dateInDays(30), justification: "Needs the view\u0000 for the review" }),
        400,
        `justification: ${nul}`,
      );
      await expectRefusal(() => disablePerson({ personId: ids[MICROSOFT], reason: "Leaving the\u0000 project now" }), 400, `reason: ${nul}`);
      await expectRefusal(() => createIngestionKey({ name: "Producer\u0000" }), 400, `name: ${nul}`);
    });

    it("changes a person's details with before and after, but not into a state the rules refuse", async () => {
      await signIn(ADMIN);
      const { row } = await expectChange("admin.person_update", () =>
        updatePerson({ personId: ids[OPENAI], name: "Omar O. OpenAI", email: OPENAI, employer: "openai", employmentType: "employee" }),
      );
      expect(row.before).toMatchObject({ name: "Omar OpenAI" });
      expect(row.after).toMatchObject({ name: "Omar O. OpenAI", changed: ["name"] });
      await expectRefusal(
        () => updatePerson({ personId: ids[MICROSOFT], name: "Mira Microsoft", email: MICROSOFT, employer: "github", employmentType: "employee" }),
        422,
        RULES.githubGroups.message,
      );
      await expectRefusal(
        () => updatePerson({ personId: ids[OPENAI], name: "Omar O. OpenAI", email: OPENAI, employer: "openai", employmentType: "employee" }),
        422,
        "Nothing to change",
      );
    });
  });

  describe("separation of duties and the last admin", () => {
    it("protects the last active admin (409) before anything else", async () => {
      await signIn(ADMIN);
      const adminGrant = await grantOf(ADMIN, { role: "admin" });
      await expectRefusal(() => revokeGrant({ grantId: adminGrant.id, reason: "Stepping down as the admin" }), 409, "last active admin");
      await expectRefusal(() => disablePerson({ personId: ids[ADMIN], reason: "Leaving the company soon" }), 409, "last active admin");
    });

    it("refuses an admin changing their own access (403), once another admin exists", async () => {
      await signIn(ADMIN);
      await expectChange("admin.grant_create", () =>
        grantAccess({ personId: ids[COPILOT], access: "role:admin", expiresAt: dateInDays(60), justification: "Second admin so that access changes need two people" }),
      );
      const adminGrant = await grantOf(ADMIN, { role: "admin" });
      const message = "separation of duties";
      await expectRefusal(() => grantAccess({ personId: ids[ADMIN], access: "group:copilot_team", expiresAt: dateInDays(30), justification: "I want to see the telemetry too" }), 403, message);
      await expectRefusal(() => extendGrant({ grantId: adminGrant.id, expiresAt: dateInDays(170), justification: "Keep my admin role for longer" }), 403, message);
      await expectRefusal(() => revokeGrant({ grantId: adminGrant.id, reason: "Stepping down as the admin" }), 403, message);
      await expectRefusal(() => disablePerson({ personId: ids[ADMIN], reason: "Leaving the company soon" }), 403, message);
      await expectRefusal(() => updatePerson({ personId: ids[ADMIN], name: "Ada A. Admin", email: ADMIN, employer: "github", employmentType: "employee" }), 403, message);
    });

    it("lets the second admin remove the first, then protects the one left", async () => {
      await signIn(COPILOT);
      const adaAdmin = await grantOf(ADMIN, { role: "admin" });
      await expectChange("admin.grant_revoke", () => revokeGrant({ grantId: adaAdmin.id, reason: "Rotating the admin duty to Vera" }));
      const veraAdmin = await grantOf(COPILOT, { role: "admin" });
      await expectRefusal(() => revokeGrant({ grantId: veraAdmin.id, reason: "Stepping down as the admin" }), 409, "last active admin");
      // Ada's session ended with the revocation; Vera restores her.
      await expectChange("admin.grant_create", () =>
        grantAccess({ personId: ids[ADMIN], access: "role:admin", expiresAt: dateInDays(90), justification: "Ada returns as the primary admin" }),
      );
      expect((await listPeople({ role: "admin" })).items.map((person) => person.email).sort()).toEqual([ADMIN, COPILOT]);
    });
  });

  describe("immediate effect", () => {
    it("revoking a grant deletes the holder's sessions in the same change; their next request is refused", async () => {
      const miraToken = await signIn(MICROSOFT, false);
      await signIn(MICROSOFT, false);
      await signIn(ADMIN);
      expect(await sessionsOf(MICROSOFT)).toBe(2);
      const viewerGrant = await grantOf(MICROSOFT, { role: "viewer" });
      const { value, row } = await expectChange("admin.grant_revoke", () => revokeGrant({ grantId: viewerGrant.id, reason: "Investigation finished; no longer needs telemetry" }));
      expect(value.sessionsEnded).toBe(2);
      expect(await sessionsOf(MICROSOFT)).toBe(0);
      expect(row.before).toMatchObject({ revokedAt: null, access: "role:viewer" });
      expect(row.after).toMatchObject({ revokeReason: "Investigation finished; no longer needs telemetry", revokedById: ids[ADMIN], sessionsEnded: 2 });
      expect(row.reason).toBe("Investigation finished; no longer needs telemetry");

      state.token = miraToken;
      await expect(getViewer()).rejects.toMatchObject({ status: 401 });

      await signIn(ADMIN);
      const history = await getPerson({ personId: ids[MICROSOFT] });
      expect(history.grants.find((grant) => grant.id === viewerGrant.id)).toMatchObject({
        state: "revoked",
        revokedBy: { email: ADMIN },
        revokeReason: "Investigation finished; no longer needs telemetry",
      });
      await expectRefusal(() => revokeGrant({ grantId: viewerGrant.id, reason: "Revoking it a second time" }), 409, "already revoked");
      await expectRefusal(() => revokeGrant({ grantId: viewerGrant.id }), 400, /reason/);
    });

    it("disabling a person ends their sessions; they can be re-enabled", async () => {
      const omarToken = await signIn(OPENAI, false);
      await signIn(ADMIN);
      const { value, row } = await expectChange("admin.person_disable", () => disablePerson({ personId: ids[OPENAI], reason: "Left the Copilot model team" }));
      expect(value.sessionsEnded).toBe(1);
      expect(row.before).toMatchObject({ status: "active" });
      expect(row.after).toMatchObject({ status: "disabled", disabledReason: "Left the Copilot model team" });
      state.token = omarToken;
      await expect(getViewer()).rejects.toMatchObject({ status: 401 });

      await signIn(ADMIN);
      await expectRefusal(() => disablePerson({ personId: ids[OPENAI], reason: "Disabling them once more" }), 409, "already disabled");
      await expectRefusal(
        () => grantAccess({ personId: ids[OPENAI], access: "role:viewer", expiresAt: dateInDays(30), justification: "Needs the explorer again for a review" }),
        409,
        "disabled",
      );
      expect((await listPeople({ status: "disabled" })).items.map((person) => person.email)).toEqual([OPENAI]);
      const { row: enabled } = await expectChange("admin.person_enable", () => enablePerson({ personId: ids[OPENAI], reason: "Rejoined the Copilot model team" }));
      expect(enabled.after).toMatchObject({ status: "active" });
    });
  });

  describe("extending and expiring", () => {
    it("extends within the limits and records why on the grant", async () => {
      await signIn(ADMIN);
      const grant = await grantOf(MICROSOFT, { groupKey: "microsoft_copilot" });
      const { row } = await expectChange("admin.grant_extend", () =>
        extendGrant({ grantId: grant.id, expiresAt: dateInDays(150), justification: "Serving-latency investigation runs another quarter" }),
      );
      expect(row.before).toMatchObject({ expiresAt: grant.expiresAt.toISOString() });
      expect(row.after).toMatchObject({ expiresAt: `${dateInDays(150)}T00:00:00.000Z` });
      const updated = await db.prisma.grant.findUniqueOrThrow({ where: { id: grant.id } });
      expect(updated.justification).toContain("Serving-latency investigation runs another quarter");
      expect(updated.justification.startsWith(grant.justification)).toBe(true);

      await expectRefusal(() => extendGrant({ grantId: grant.id, expiresAt: dateInDays(100), justification: "Shorter than it is now, refused" }), 422, "later than the current one");
      await expectRefusal(() => extendGrant({ grantId: grant.id, expiresAt: inDays(181), justification: "Beyond the maximum, refused" }), 422, "at most 180 days");
      const contractorGrant = await grantOf(HEALTH, { groupKey: "platform_health" });
      await expectRefusal(() => extendGrant({ grantId: contractorGrant.id, expiresAt: inDays(95), justification: "Beyond the contractor maximum" }), 422, "contractors may last at most 90 days");
      const expired = await db.prisma.grant.findFirstOrThrow({ where: { person: { email: EXPIRED }, groupKey: "copilot_team" } });
      await expectRefusal(() => extendGrant({ grantId: expired.id, expiresAt: dateInDays(30), justification: "Bring back the summer rotation" }), 409, "already expired");
    });

    it("lists the grants expiring in the next 14 days, soonest first", async () => {
      await signIn(ADMIN);
      await expectChange("admin.grant_create", () =>
        grantAccess({ personId: ids[EXPIRED], access: "group:copilot_team", expiresAt: inDays(5), justification: "Short follow-up on the dashboard project" }),
      );
      await expectChange("admin.grant_create", () =>
        grantAccess({ personId: ids[EXPIRED], access: "role:viewer", expiresAt: inDays(3), justification: "Short follow-up on the dashboard project" }),
      );
      const { value, rows } = await withAudit(() => listExpiringGrants());
      expect(value?.windowDays).toBe(14);
      expect(value?.items.map((item) => [item.person.email, item.access.code])).toEqual([
        [EXPIRED, "role:viewer"],
        [EXPIRED, "group:copilot_team"],
      ]);
      expect(value?.items[0]).toMatchObject({ isSelf: false, latestExpiryDate: dateInDays(180) });
      expect(rows[0]).toMatchObject({ action: "admin.view", row_count: 2 });
    });
  });

  describe("group scopes", () => {
    it("lists the groups and changes a scope with a justification, before and after", async () => {
      await signIn(ADMIN);
      const groups = await listGroups();
      expect(groups.map((group) => group.key)).toEqual(["copilot_team", "platform_health", "microsoft_copilot", "openai_copilot"]);
      const health = groups.find((group) => group.key === "platform_health")!;
      expect(health.fieldClasses).toEqual(["environment", "measurements"]);
      const { row } = await expectChange("admin.group_scope_update", () =>
        updateGroupScope({ groupKey: "platform_health", eventKinds: health.eventKinds, fieldClasses: ["measurements", "location", "environment"], justification: "Regional latency dashboards need the location" }),
      );
      expect(row).toMatchObject({ target_type: "group", target_id: "platform_health", reason: "Regional latency dashboards need the location" });
      expect(row.before).toEqual({ eventKinds: health.eventKinds, fieldClasses: ["environment", "measurements"] });
      expect(row.after).toEqual({ eventKinds: health.eventKinds, fieldClasses: ["environment", "location", "measurements"] });
      await expectRefusal(
        () => updateGroupScope({ groupKey: "platform_health", eventKinds: health.eventKinds, fieldClasses: ["environment", "location", "measurements"], justification: "Same again, nothing changes" }),
        422,
        "Nothing to change",
      );
      await expectRefusal(() => updateGroupScope({ groupKey: "platform_health", eventKinds: ["error"], fieldClasses: [] }), 400, /justification/);
      await expectRefusal(() => updateGroupScope({ groupKey: "platform_health", eventKinds: ["typing"], fieldClasses: [], justification: "Unknown kinds are refused" }), 400, /eventKinds/);
    });
  });

  describe("ingestion keys", () => {
    it("issues a key once, keeps only its hash and prefix, and revokes it", async () => {
      await signIn(ADMIN);
      const { value: created, row } = await expectChange("admin.ingestion_key_create", () => createIngestionKey({ name: "VS Code extension relay (EU)" }));
      expect(created.key).toMatch(/^tpk_[A-Za-z0-9_-]{43}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      const stored = await db.prisma.ingestionKey.findUniqueOrThrow({ where: { id: created.id } });
      expect(stored.keyHash).toBe(createHash("sha256").update(created.key).digest("hex"));
      expect(stored.createdById).toBe(ids[ADMIN]);
      expect(row.text).not.toContain(created.key);
      expect(row.text).not.toContain(stored.keyHash);
      expect(row.after).toMatchObject({ name: "VS Code extension relay (EU)", prefix: created.prefix });

      const listed = await listIngestionKeys();
      expect(listed[0]).toMatchObject({ id: created.id, prefix: created.prefix, revokedAt: null, createdBy: { email: ADMIN } });
      expect(JSON.stringify(listed)).not.toContain(stored.keyHash);

      const { row: revoked } = await expectChange("admin.ingestion_key_revoke", () => revokeIngestionKey({ keyId: created.id, reason: "Relay decommissioned in favour of direct upload" }));
      expect(revoked.after).toMatchObject({ revokedById: ids[ADMIN] });
      await expectRefusal(() => revokeIngestionKey({ keyId: created.id, reason: "Revoking it a second time" }), 409, "already revoked");
      await expectRefusal(() => createIngestionKey({ name: "x" }), 400, /name/);
    });
  });

  describe("export and import", () => {
    const HEADER = "email,name,employer,employment_type,access,expires_at,justification";

    it("exports the list as CSV, audited with the row count and the file's hash", async () => {
      await signIn(ADMIN);
      const { value, rows } = await withAudit(() => exportAccessList());
      const bytes = await readAll(value!.body);
      const csv = bytes.toString("utf8");
      const lines = csv.trimEnd().split("\r\n");
      expect(lines[0]).toBe(`${HEADER},status,granted_at,granted_by`);
      expect(lines.length - 1).toBe(value!.rowCount);
      expect(value).toMatchObject({ truncated: false, byteLength: bytes.length });
      expect(csv).toContain("max.contractor@microsoft.example,Max Contractor,microsoft,contractor,group:microsoft_copilot,");
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      expect(value!.sha256).toBe(sha256);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: "admin.access_export", outcome: "allowed", row_count: value!.rowCount, file_sha256: sha256 });
      expect(rows[0]!.filters).toMatchObject({ truncated: false });
    });

    it("serves the export with the headers every export carries", async () => {
      await signIn(ADMIN);
      const { value: response, rows } = await withAudit(() => getAccessListExport());
      const bytes = Buffer.from(await response!.arrayBuffer());
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      expect(response!.status).toBe(200);
      expect(Object.fromEntries(response!.headers)).toMatchObject({
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": expect.stringMatching(/^attachment; filename="access-list-\d{4}-\d{2}-\d{2}\.csv"$/),
        "cache-control": expect.stringMatching(/^private, no-store/),
        "x-export-row-count": String(bytes.toString("utf8").trimEnd().split("\r\n").length - 1),
        "x-export-sha256": sha256,
        "x-export-truncated": "false",
      });
      expect(rows[0]).toMatchObject({ action: "admin.access_export", file_sha256: sha256 });
    });

    it("guards every cell a spreadsheet would run as a formula (the re-import below reads them back unchanged)", async () => {
      await signIn(ADMIN);
      const person = await createPerson({ name: '=HYPERLINK("http://evil.example","Ada")', email: "formula.person@github.example", employer: "github", employmentType: "employee" });
      await grantAccess({ personId: person.id, access: "role:viewer", expiresAt: dateInDays(30), justification: "@SUM(1+1) audit review; -cmd|' /C calc'!A0\r\n+ second line" });
      const exported = await exportAccessList();
      // csv-parse alone (not the portal's reader, which undoes the guard): the cells as a spreadsheet gets them
      const records = parse(await readAll(exported.body), { columns: true }) as Array<Record<string, string>>;
      expect(records).toHaveLength(exported.rowCount);
      expect(records.find((record) => record.email === "formula.person@github.example")).toMatchObject({
        name: `'=HYPERLINK("http://evil.example","Ada")`,
        justification: "'@SUM(1+1) audit review;' -cmd|' /C calc'!A0\r\n'+ second line",
      });
    });

    it("re-imports its own export as a no-op (the admin's own rows and the guarded cells included)", async () => {
      await signIn(ADMIN);
      const exported = await exportAccessList();
      const csv = (await readAll(exported.body)).toString("utf8");
      const before = await snapshot();
      const { value } = await expectChange("admin.access_import", () => importAccessList({ csv }));
      expect(value).toMatchObject({ rows: exported.rowCount, peopleCreated: 0, peopleUpdated: 0, grantsCreated: 0, grantsExtended: 0, rowsUnchanged: exported.rowCount });
      expect(await snapshot()).toEqual(before);
    });

    it("refuses a file with any bad row, writes nothing, and reports each failing line and why", async () => {
      await signIn(ADMIN);
      const csv = [
        HEADER,
        `new.person@github.example,New Person,github,employee,group:copilot_team,${dateInDays(30)},Joins the Copilot completions team`,
        `contractor@openai.example,Olga Contractor,openai,contractor,group:openai_copilot,${dateInDays(30)},Works on the completion model`,
        `${MICROSOFT},Mira Microsoft,microsoft,employee,group:copilot_team,${dateInDays(30)},Wants the GitHub team view`,
        `long.grant@github.example,Long Grant,github,employee,role:viewer,${dateInDays(200)},Needs the explorer for a long time`,
        `${HEALTH},Hugo Health,github,contractor,role:viewer,${dateInDays(80)},`,
        `${ADMIN},Ada Admin,github,employee,group:copilot_team,${dateInDays(30)},Granting myself telemetry access`,
        `new.person@github.example,New Person,github,contractor,role:viewer,${dateInDays(30)},Browses the explorer for the team`,
        `broken@github.example,Broken,github,employee,group:nowhere,${dateInDays(30)},Unknown group code here`,
      ].join("\r\n");
      const { error, row } = await expectRefusal(() => importAccessList({ csv }), 422, "7 of 8 rows failed; nothing was imported");
      expect(row).toMatchObject({ action: "admin.access_import", outcome: "error" });
      const report = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
      expect(Object.keys(report)).toEqual(["line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9"]);
      expect(report["line 3"]).toContain(RULES.openaiEmployeesOnly.message);
      expect(report["line 4"]).toContain(RULES.microsoftGroup.message);
      expect(report["line 5"]).toContain("at most 180 days");
      expect(report["line 6"]).toMatch(/justification/);
      expect(report["line 7"]).toContain("separation of duties");
      expect(report["line 8"]).toContain("differ from line 2");
      expect(report["line 9"]).toMatch(/access/);
      expect(await db.prisma.person.count({ where: { email: "new.person@github.example" } })).toBe(0);
    });

    it("refuses a file whose columns are wrong", async () => {
      await signIn(ADMIN);
      await expectRefusal(() => importAccessList({ csv: "email,name,colour\r\na@github.example,A,red\r\n" }), 422, "unknown column “colour”");
      await expectRefusal(() => importAccessList({ csv: `${HEADER}\r\n"unterminated,x` }), 422, "line 2: a quoted cell is never closed");
      await expectRefusal(() => importAccessList({ csv: `\uFEFF${HEADER}\r\n\r\nx@github.example,X,github,employee,,,\r\nbad "quote,x\r\n` }), 422, "line 4: a quote appears inside a cell");
      const { error } = await expectRefusal(
        () => importAccessList({ csv: `\uFEFF${HEADER}\r\nshort@github.example,Short,github\r\n"two\r\nlines@github.example",X,github,employee,,,,\r\n` }),
        422,
        "2 of 2 rows failed",
      );
      expect(error.issues).toEqual([
        { path: "line 2", message: "has 3 cells where the header has 7." },
        { path: "line 3", message: "has 8 cells where the header has 7." },
      ]);
    });

    it("imports a good file in one transaction, with one audit row listing every change", async () => {
      await signIn(ADMIN);
      const veraGroup = await grantOf(COPILOT, { groupKey: "copilot_team" });
      const csv = [
        HEADER,
        `New.Person@github.example,New Person,github,employee,group:copilot_team,${dateInDays(30)},Joins the Copilot completions team`,
        `new.person@github.example,New Person,github,employee,role:viewer,${dateInDays(30)},"Browses the explorer, for the team"`,
        `${COPILOT},Vera Copilot,github,employee,group:copilot_team,${dateInDays(170)},Planning review extended to the next half`,
        `partner@microsoft.example,Pat Partner,microsoft,contractor,,,`,
      ].join("\n");
      const { value, row } = await expectChange("admin.access_import", () => importAccessList({ csv }));
      expect(value).toEqual({ rows: 4, peopleCreated: 2, peopleUpdated: 0, grantsCreated: 2, grantsExtended: 1, rowsUnchanged: 0 });
      expect(row).toMatchObject({ row_count: 4, file_sha256: createHash("sha256").update(csv).digest("hex"), target_type: "access_list" });
      expect((row.after as { changes: unknown[] }).changes).toHaveLength(5);
      expect(row.before).toMatchObject({ changed: [{ grant: { id: veraGroup.id, expiresAt: veraGroup.expiresAt.toISOString() } }] });
      const extended = await db.prisma.grant.findUniqueOrThrow({ where: { id: veraGroup.id } });
      expect(extended.expiresAt.toISOString()).toBe(`${dateInDays(170)}T00:00:00.000Z`);
      expect(extended.justification).toContain("access list import, line 4");
      const newPerson = await listPeople({ q: "new.person" });
      expect(newPerson.items[0]).toMatchObject({ groups: ["copilot_team"], roles: ["viewer"], status: "active" });
      expect((await listPeople({ q: "partner@" })).items[0]).toMatchObject({ status: "no_access", employmentType: "contractor" });
    });
  });

  describe("server actions as the admin", () => {
    const form = (fields: Record<string, string>) => {
      const data = new FormData();
      for (const [name, value] of Object.entries(fields)) data.append(name, value);
      return data;
    };

    it("ties refusals to their fields, refills the form, and reports success", async () => {
      await signIn(ADMIN);
      const refused = await grantAccessAction(idleState(), form({ personId: ids[AUDITOR]!, access: "", expiresAt: dateInDays(30), justification: "short" }));
      expect(refused).toMatchObject({ status: "error", message: "Please correct the highlighted fields.", values: { justification: "short" } });
      expect(Object.keys(refused.fieldErrors).sort()).toEqual(["access", "justification"]);

      const rule = await grantAccessAction(idleState(), form({ personId: ids[MICROSOFT]!, access: "group:platform_health", expiresAt: dateInDays(30), justification: "Wants the platform health view" }));
      expect(rule).toMatchObject({ status: "error", message: RULES.microsoftGroup.message, fieldErrors: { access: RULES.microsoftGroup.message } });

      // success lands on the person page naming the grant, whose notice is drawn from the grant as it then is
      await expect(
        grantAccessAction(idleState(), form({ personId: ids[AUDITOR]!, access: "role:viewer", expiresAt: dateInDays(30), justification: "Reviews what viewers see for the audit" })),
      ).rejects.toMatchObject({ redirectedTo: expect.stringMatching(new RegExp(`^/admin/people/${ids[AUDITOR]}\\?done=granted&grant=[0-9a-f-]{36}$`)) });
      // a preset: 30 days from now, the group and the viewer role in one grant
      await expect(
        grantAccessAction(idleState(), form({ personId: ids[AUDITOR]!, access: "telemetry:platform_health", duration: "30", justification: "Reviews what platform health sees" })),
      ).rejects.toMatchObject({ redirectedTo: expect.stringContaining("?done=granted&grant=") });
      const telemetry = await grantOf(AUDITOR, { groupKey: "platform_health" });
      expect(telemetry).toMatchObject({ groupKey: "platform_health", role: "viewer" });
      expect(Math.abs(telemetry.expiresAt.getTime() - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
      // a duration that is not a preset is refused next to its field
      const odd = await grantAccessAction(idleState(), form({ personId: ids[AUDITOR]!, access: "telemetry:copilot_team", duration: "45", justification: "Reviews what the Copilot team sees" }));
      expect(odd).toMatchObject({ status: "error", fieldErrors: { durationDays: "Choose 30, 60 or 90 days." } });
    });

    it("lands on the page with a notice when the change removes its own form", async () => {
      await signIn(ADMIN);
      const grant = await grantOf(AUDITOR, { role: "viewer" });
      const open = await sessionsOf(AUDITOR);
      expect(open).toBeGreaterThan(0);
      await expect(revokeGrantAction(idleState(), form({ grantId: grant.id, reason: "The audit review is finished" }))).rejects.toMatchObject({
        redirectedTo: `/admin/people/${ids[AUDITOR]}?done=revoked&sessions=${open}`,
      });
      expect(await sessionsOf(AUDITOR)).toBe(0);
      await expect(
        createPersonAction(idleState(), form({ name: "Dana Designer", email: "dana@github.example", employer: "github", employmentType: "employee" })),
      ).rejects.toMatchObject({ redirectedTo: expect.stringMatching(/^\/admin\/people\/[0-9a-f-]{36}\?done=added$/) });
    });
  });

  describe("the bootstrap command", () => {
    it("refuses when an active admin exists (exit 1, one sentence)", async () => {
      // PGlite allows one process per data directory: the spawned script gets its own database.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-bootstrap-it-"));
      const env: Record<string, string> = target.databaseUrl
        ? { DATABASE_URL: target.databaseUrl, DATA_DIR: dir }
        : { DATABASE_URL: "", DATA_DIR: dir, PGLITE_DATA_DIR: path.join(dir, "pglite") };
      try {
        if (!target.databaseUrl) {
          await migrateDatabase({ env: { ...process.env, ...env }, log: quiet });
          const first = await runBootstrap(["--email", "First.Admin@github.example", "--name", "First Admin"], env);
          expect(first.output).toMatch(/^Created the first admin: First Admin <first\.admin@github\.example>, role admin until \d{4}-\d{2}-\d{2} \(180 days\)/);
          expect(first.code).toBe(0);
          const created = await connectDatabase({ pgliteDataDir: path.join(dir, "pglite") });
          try {
            const [audit] = await created.prisma.auditEvent.findMany({ where: { action: "admin.bootstrap" } });
            expect(audit).toMatchObject({ outcome: "allowed", actorPersonId: null, actorEmail: null, reason: "bootstrap via command line", targetType: "person" });
            const grant = await created.prisma.grant.findFirstOrThrow({ where: { role: "admin" }, include: { person: true } });
            expect(grant).toMatchObject({ justification: "Bootstrap administrator", grantedById: null, person: { employer: "github", employmentType: "employee" } });
            expect(Math.abs(grant.expiresAt.getTime() - (Date.now() + 180 * DAY_MS))).toBeLessThan(120_000);
          } finally {
            await created.close();
          }
        }
        const again = await runBootstrap(["--email", "second@github.example", "--name", "Second Admin"], env);
        expect(again.code).toBe(1);
        expect(again.output).toMatch(/^Refused: an active admin already exists \(.+\); ask them to grant access in the portal\.$/);
        const badArgs = await runBootstrap(["--email", "not-an-address", "--name", "X"], env);
        expect(badArgs.code).toBe(2);
        expect(badArgs.output).toContain("--email must be an email address");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
