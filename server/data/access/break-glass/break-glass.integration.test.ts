// Break-glass, the manager rule and the grant.expired notices against real
// databases (a temporary PGlite always, PostgreSQL as the least-privilege
// runtime role when TEST_DATABASE_URL is set): the on-call list and the seed's
// rules, taking break-glass (in force at once, alert rows for every admin and
// auditor in the same transaction, the audit row and every later row marked),
// the post-review gate, expiry by time alone, the console's breakGlass filter;
// a manager's approval never being the only one; one grant.expired notice.
//
// The tests run in order and build on each other.
import pg from "pg";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { expectRefusal, useIntegrationDatabase } from "@/test/integration-harness";
import { seededTestTargets } from "@/test/test-databases";
import type { Database } from "@/server/db/connect";
import { getViewer } from "@/server/data/get-viewer";
import { notifyExpiredGrants } from "@/server/jobs/notify-expired-grants";
import { searchAuditEvents } from "@/server/data/audit/search-audit-events";
import { setPersonManager } from "@/server/data/admin/set-person-manager";
import { createAccessRequest } from "../create-access-request";
import { approveAccessRequest } from "../decide-access-request";
import { endBreakGlass } from "./end-break-glass";
import { getBreakGlass } from "./get-break-glass";
import { listBreakGlass } from "./list-break-glass";
import { reviewBreakGlass } from "./review-break-glass";
import { takeBreakGlass } from "./take-break-glass";
import { updateOnCall } from "./update-on-call";

vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 13).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  process.env.GRANT_MAX_DAYS = "180";
  process.env.CONTRACTOR_GRANT_MAX_DAYS = "90";
  process.env.APPROVAL_FRESHNESS_MINUTES = "15";
  process.env.ACCESS_REQUEST_LAPSE_DAYS = "7";
  // channels configured, so notifications become outbox rows (delivery is the notify job's, tested with real receivers there)
  process.env.SMTP_URL = "smtp://127.0.0.1:2525";
  process.env.NOTIFY_FROM = "portal@github.example";
  process.env.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/hook";
});

vi.mock("next/headers", async () => (await import("@/test/integration-harness")).mockedNextHeaders("vitest break-glass"));
vi.mock("@/server/db/client", async () => (await import("@/test/integration-harness")).mockedDatabaseClient());

const ADMIN = "admin@github.example";
const APPROVER = "approver@github.example";
const NEWCOMER = "newcomer@github.example";
const AUDITOR = "auditor@github.example";
const MICROSOFT = "bg.microsoft@microsoft.example";
const OPENAI_CONTRACTOR = "bg.contractor@openai.example";
const justification = "On-call rota for the December incident window";

type AuditRow = { action: string; outcome: string; actor_email: string | null; actor_groups: string[]; target_id: string | null };

const targets = seededTestTargets({ label: "breakglass", keys: [{ id: "itk1", key: Buffer.alloc(32, 13) }] });

describe.each(targets)("break-glass on $name", (target) => {
  const harness = useIntegrationDatabase(target, { signIn: [ADMIN, APPROVER, NEWCOMER, AUDITOR] });
  const { as, sql } = harness;
  let db: Database;

  beforeAll(async () => {
    db = harness.db;
    for (const [email, employer, type] of [[MICROSOFT, "microsoft", "employee"], [OPENAI_CONTRACTOR, "openai", "contractor"]] as const) {
      await sql(`INSERT INTO person (id, name, email, employer, employment_type) VALUES ($1::uuid, $2, $3, $4::employer, $5::employment_type)`, randomUUID(), `Test ${employer}`, email, employer, type);
      await harness.signIn(email);
    }
  });
  const lastAudit = async () => (await sql<AuditRow>(`SELECT action, outcome::text AS outcome, actor_email, actor_groups, target_id FROM audit_event ORDER BY id DESC LIMIT 1`))[0];

  const refusal = expectRefusal;

  let firstId = "";

  it("keeps an audited on-call list per group, within the seed's rules", async () => {
    await refusal(() => as(NEWCOMER, () => updateOnCall({ groupKey: "copilot_team", onCallEmails: NEWCOMER, justification })), 403);
    const microsoft = await refusal(() => as(ADMIN, () => updateOnCall({ groupKey: "copilot_team", onCallEmails: MICROSOFT, justification })), 422, "Microsoft personnel may only be in the Microsoft");
    expect(microsoft.issues[0]?.path).toBe("onCallEmails");
    await refusal(() => as(ADMIN, () => updateOnCall({ groupKey: "openai_copilot", onCallEmails: OPENAI_CONTRACTOR, justification })), 422, "OpenAI personnel must be employees");
    await as(ADMIN, () => updateOnCall({ groupKey: "platform_health", onCallEmails: NEWCOMER, justification }));
    expect(await lastAudit()).toMatchObject({ action: "admin.break_glass_on_call_update", outcome: "allowed", actor_email: ADMIN, target_id: "platform_health" });
    // The same rules at take time, whatever the list says (rows written behind the admin form's back).
    await sql(`INSERT INTO break_glass_on_call (group_key, person_id) SELECT 'copilot_team', id FROM person WHERE email = $1`, MICROSOFT);
    await sql(`INSERT INTO break_glass_on_call (group_key, person_id) SELECT 'openai_copilot', id FROM person WHERE email = $1`, OPENAI_CONTRACTOR);
    await refusal(() => as(MICROSOFT, () => takeBreakGlass({ groupKey: "copilot_team", reason: "Incident 42: completions failing" })), 422, "Microsoft personnel may only be in the Microsoft");
    await refusal(() => as(OPENAI_CONTRACTOR, () => takeBreakGlass({ groupKey: "openai_copilot", reason: "Incident 42: completions failing" })), 422, "OpenAI personnel must be employees");
  });

  it("refuses break-glass to people not on call and without a reason, naming the field", async () => {
    await refusal(() => as(NEWCOMER, () => takeBreakGlass({ groupKey: "copilot_team", reason: "Incident 42: completions failing" })), 403, "not on call for");
    const noReason = await refusal(() => as(NEWCOMER, () => takeBreakGlass({ groupKey: "platform_health", reason: "" })), 400);
    expect(noReason.issues.map((issue) => issue.path)).toEqual(["reason"]);
    const tooLong = await refusal(() => as(NEWCOMER, () => takeBreakGlass({ groupKey: "platform_health", reason: "Incident 42: error spike", minutes: "600" })), 422);
    expect(tooLong.issues[0]?.path).toBe("minutes");
    // still nothing to see
    await refusal(() => as(NEWCOMER, () => getViewer({ audit: true })), 403);
  });

  it("takes effect at once, alerts every admin and auditor in the same transaction, and marks every audit row", async () => {
    const taken = await as(NEWCOMER, () => takeBreakGlass({ groupKey: "platform_health", reason: "Incident 42: error spike on the completions API" }));
    firstId = taken.breakGlassId;
    const mark = `breakglass:${firstId}`;
    expect(await lastAudit()).toMatchObject({ action: "access.break_glass", outcome: "allowed", actor_email: NEWCOMER, target_id: firstId, actor_groups: [mark] });
    const rows = await sql<{ channel: string; recipient: string; link: string }>(`SELECT channel, recipient, link FROM notification_outbox WHERE kind = 'break_glass.used' ORDER BY channel, recipient`);
    const admins = await sql<{ email: string }>(
      `SELECT DISTINCT p.email FROM person p JOIN "grant" g ON g.person_id = p.id WHERE g.role IN ('admin', 'auditor') AND g.revoked_at IS NULL AND g.expires_at > now() AND p.status = 'active' ORDER BY p.email`,
    );
    expect(admins.map((row) => row.email)).toEqual(expect.arrayContaining([ADMIN, AUDITOR]));
    expect(rows.filter((row) => row.channel === "email").map((row) => row.recipient)).toEqual(admins.map((row) => row.email));
    expect(rows.filter((row) => row.channel === "webhook")).toHaveLength(1);
    expect(new Set(rows.map((row) => row.link))).toEqual(new Set([`/access/break-glass/${firstId}`]));

    // in force from the next request: the group with the viewer role, and the row carries the mark
    const viewer = await as(NEWCOMER, () => getViewer({ audit: true }));
    expect(viewer.groups).toEqual(["platform_health"]);
    expect((await lastAudit())?.actor_groups).toEqual(["platform_health", mark]);
    // the console's filter finds exactly the marked rows
    const marked = await as(AUDITOR, () => searchAuditEvents(new URLSearchParams({ breakGlass: firstId, routine: "show" })));
    expect(marked.items.length).toBeGreaterThanOrEqual(2);
    expect(marked.items.every((row) => row.actor.groups.includes(mark))).toBe(true);
    const any = await as(AUDITOR, () => searchAuditEvents(new URLSearchParams({ breakGlass: "any", routine: "show" })));
    expect(any.items.map((row) => row.id)).toEqual(marked.items.map((row) => row.id));
    await refusal(() => as(AUDITOR, () => searchAuditEvents(new URLSearchParams({ breakGlass: "nope" }))), 400, /breakGlass/);
  });

  it("gates a second use until someone else post-reviews the first", async () => {
    await refusal(() => as(NEWCOMER, () => takeBreakGlass({ groupKey: "platform_health", reason: "Incident 43: still investigating" })), 409, "already hold break-glass");
    await refusal(() => as(AUDITOR, () => reviewBreakGlass({ breakGlassId: firstId, outcome: "appropriate", notes: "Checked the incident ticket" })), 409, "still in force");
    await refusal(() => as(AUDITOR, () => endBreakGlass({ breakGlassId: firstId })), 403);
    await as(NEWCOMER, () => endBreakGlass({ breakGlassId: firstId }));
    // ended: no access any more, but the post-review is still owed
    await refusal(() => as(NEWCOMER, () => getViewer({ audit: true })), 403);
    await refusal(() => as(NEWCOMER, () => takeBreakGlass({ groupKey: "platform_health", reason: "Incident 43: still investigating" })), 409, "has not been post-reviewed");
    expect((await as(NEWCOMER, () => listBreakGlass())).blocked).toMatch(/awaits its post-review/);
    await refusal(() => as(NEWCOMER, () => reviewBreakGlass({ breakGlassId: firstId, outcome: "appropriate", notes: "Reviewing my own access" })), 403);
    const badOutcome = await refusal(() => as(AUDITOR, () => reviewBreakGlass({ breakGlassId: firstId, outcome: "fine", notes: "Checked the incident ticket" })), 400);
    expect(badOutcome.issues.map((issue) => issue.path)).toEqual(["outcome"]);
    await as(AUDITOR, () => reviewBreakGlass({ breakGlassId: firstId, outcome: "appropriate", notes: "Checked the incident ticket and the marked rows" }));
    expect(await lastAudit()).toMatchObject({ action: "access.break_glass_review", outcome: "allowed", actor_email: AUDITOR, target_id: firstId });
    await refusal(() => as(ADMIN, () => reviewBreakGlass({ breakGlassId: firstId, outcome: "inappropriate", notes: "A second opinion" })), 409, "already been reviewed");
    const detail = await as(AUDITOR, () => getBreakGlass({ breakGlassId: firstId }));
    expect(detail.access.review).toMatchObject({ outcome: "appropriate", reviewedBy: { email: AUDITOR } });
    expect(detail.markedRows).toBeGreaterThanOrEqual(2);
    // the holder may use it again
    const second = await as(NEWCOMER, () => takeBreakGlass({ groupKey: "platform_health", reason: "Incident 44: a new error spike" }));
    expect(second.breakGlassId).not.toBe(firstId);
  });

  it("ends by time alone, with no job", async () => {
    // Moving the window back is not something the runtime role may do (only ends and reviews change): as the schema's owner.
    const moveBack = `UPDATE break_glass_access SET started_at = now() - interval '2 hours', expires_at = now() - interval '1 hour' WHERE ended_at IS NULL AND reviewed_at IS NULL`;
    if (target.migrationUrl) {
      const owner = new pg.Client({ connectionString: target.migrationUrl });
      await owner.connect();
      try {
        await owner.query(moveBack);
      } finally {
        await owner.end();
      }
    } else {
      await sql(moveBack);
    }
    await refusal(() => as(NEWCOMER, () => getViewer({ audit: true })), 403);
    const page = await as(AUDITOR, () => listBreakGlass());
    expect(page.all?.[0]).toMatchObject({ state: "expired", review: null });
    // the database backs the gate too: one unreviewed break-glass per person
    await expect(
      sql(`INSERT INTO break_glass_access (id, person_id, group_key, reason, started_at, expires_at) SELECT $1::uuid, id, 'platform_health', 'x', now(), now() + interval '1 hour' FROM person WHERE email = $2`, randomUUID(), NEWCOMER),
    ).rejects.toThrow();
  });

  it("never lets a manager's approval be the only one for their report", async () => {
    await refusal(() => as(ADMIN, () => setPersonManager({ personId: randomUUID(), managerEmail: APPROVER, justification })), 404);
    const newcomer = await db.prisma.person.findUniqueOrThrow({ where: { email: NEWCOMER } });
    const unknown = await refusal(() => as(ADMIN, () => setPersonManager({ personId: newcomer.id, managerEmail: "nobody@github.example", justification })), 422);
    expect(unknown.issues[0]?.path).toBe("managerEmail");
    await as(ADMIN, () => setPersonManager({ personId: newcomer.id, managerEmail: APPROVER, justification }));
    // platform_health needs one approver for a GitHub employee
    const { requestId, approvalsRequired } = await as(NEWCOMER, () => createAccessRequest({ groupKey: "platform_health", durationDays: "30", justification: "Error-rate dashboards for the launch" }));
    expect(approvalsRequired).toBe(1);
    const byManager = await as(APPROVER, () => approveAccessRequest({ requestId }));
    expect(byManager).toMatchObject({ status: "pending", approvals: 1, waitsBeyondManager: true, grantId: null });
    expect(await db.prisma.grant.count({ where: { personId: newcomer.id, groupKey: "platform_health", revokedAt: null, expiresAt: { gt: new Date() } } })).toBe(0);
    const byAdmin = await as(ADMIN, () => approveAccessRequest({ requestId }));
    expect(byAdmin).toMatchObject({ status: "approved", approvals: 2, waitsBeyondManager: false });
    expect(byAdmin.grantId).not.toBeNull();
  });

  it("tells the holder and the approvers once when a grant expires", async () => {
    const newcomer = await db.prisma.person.findUniqueOrThrow({ where: { email: NEWCOMER } });
    await sql(`UPDATE "grant" SET expires_at = now() - interval '1 hour' WHERE person_id = $1::uuid AND group_key = 'platform_health' AND revoked_at IS NULL`, newcomer.id);
    const first = await notifyExpiredGrants(db.prisma, { requestId: "test:grant-expired" });
    expect(first.notified).toBeGreaterThanOrEqual(1);
    const rows = await sql<{ channel: string; recipient: string }>(`SELECT channel, recipient FROM notification_outbox WHERE kind = 'grant.expired' AND channel = 'email' AND dedupe_key LIKE 'expired:%'`);
    expect(rows.map((row) => row.recipient)).toEqual(expect.arrayContaining([NEWCOMER, ADMIN, APPROVER]));
    const audited = await sql<{ count: bigint }>(`SELECT count(*) AS count FROM audit_event WHERE action = 'access.grant_expired'`);
    const second = await notifyExpiredGrants(db.prisma, { requestId: "test:grant-expired-2" });
    expect(second.notified).toBe(0);
    expect(await sql<{ count: bigint }>(`SELECT count(*) AS count FROM audit_event WHERE action = 'access.grant_expired'`)).toEqual(audited);
    expect(await sql(`SELECT 1 FROM notification_outbox WHERE kind = 'grant.expired' AND channel = 'email'`)).toHaveLength(rows.length);
  });
});
