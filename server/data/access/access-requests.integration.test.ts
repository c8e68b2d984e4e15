// Requests and approvals against real databases (a temporary PGlite always,
// PostgreSQL as the least-privilege runtime role when TEST_DATABASE_URL is
// set): the request area for people without a grant, the seed's eligibility
// rules at request and at approval, the two-approver rule, no self-approval,
// the fresh sign-in, concurrent approvals granting once, deny/cancel, the
// lapse and reminder jobs, extensions, the search, and that decided requests
// are kept as they were. next/headers is mocked with a cookie jar whose
// session can differ per concurrent call (AsyncLocalStorage).
//
// The tests run in order and build on each other's requests.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { RULES } from "@/lib/access/eligibility";
import { asSession, expectRefusal, useIntegrationDatabase } from "@/test/integration-harness";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import type { Database } from "@/server/db/connect";
import { getViewer } from "@/server/data/get-viewer";
import type { AppError } from "@/server/http/app-error";
import { expireAccessRequests } from "@/server/jobs/expire-access-requests";
import { sendGrantReminders } from "@/server/jobs/send-grant-reminders";
import { cancelAccessRequest } from "./cancel-access-request";
import { createAccessRequest } from "./create-access-request";
import { approveAccessRequest, denyAccessRequest } from "./decide-access-request";
import { getAccessRequest } from "./get-access-request";
import { getMyAccess } from "./get-my-access";
import { listAccessRequests } from "./list-access-requests";
import { updateGroupApprovers } from "@/server/data/admin/update-group-approvers";

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

vi.mock("next/headers", async () => (await import("@/test/integration-harness")).mockedNextHeaders("vitest access requests"));
vi.mock("@/server/db/client", async () => (await import("@/test/integration-harness")).mockedDatabaseClient());

const DAY_MS = 86_400_000;
const ADMIN = "admin@github.example";
const APPROVER = "approver@github.example";
const NEWCOMER = "newcomer@github.example";
const COPILOT = "viewer.copilot@github.example";
const AUDITOR = "auditor@github.example";
const EXPIRED = "expired@github.example";

type AuditRow = { action: string; outcome: string; reason: string | null; actor_email: string | null; target_id: string | null; after: Record<string, unknown> | null };

const targets = seededTestTargets({ label: "requests", keys: [{ id: "itk1", key: Buffer.alloc(32, 13) }] });

describe.each(targets)("access requests on $name", (target) => {
  const harness = useIntegrationDatabase(target, { signIn: [ADMIN, APPROVER, NEWCOMER, COPILOT, AUDITOR, EXPIRED] });
  const { tokens, as, sql } = harness;
  let db: Database;

  beforeAll(() => {
    db = harness.db;
  });

  async function lastAudit(n = 1): Promise<AuditRow[]> {
    return sql<AuditRow>(`SELECT action, outcome::text AS outcome, reason, actor_email, target_id, after FROM audit_event ORDER BY id DESC LIMIT ${n}`);
  }

  async function refusal(call: () => Promise<unknown>, status: number, message?: string | RegExp): Promise<AppError> {
    const appError = await expectRefusal(call, status, message);
    const [row] = await lastAudit();
    expect(row?.outcome).toBe(status === 401 || status === 403 ? "denied" : "error");
    return appError;
  }

  /** A listed person made directly in the table (the admin forms would refuse the ones the seed's rules forbid). */
  async function listedPerson(email: string, employer: string, employmentType: string): Promise<void> {
    await sql(`INSERT INTO person (id, name, email, employer, employment_type) VALUES ($1::uuid, $2, $3, $4::employer, $5::employment_type)`, randomUUID(), `Test ${employer}`, email, employer, employmentType);
    tokens[email] = await signInForTest(db.prisma, email);
  }

  type OutboxRow = { kind: string; channel: string; recipient: string; subject: string; link: string };
  async function outbox(kind: string, link?: string): Promise<OutboxRow[]> {
    return sql<OutboxRow>(
      `SELECT kind, channel, recipient, subject, link FROM notification_outbox WHERE kind = $1 AND ($2::text IS NULL OR link = $2) ORDER BY channel, recipient`,
      kind,
      link ?? null,
    );
  }

  async function grantsOf(email: string) {
    return db.prisma.grant.findMany({ where: { person: { email }, revokedAt: null, expiresAt: { gt: new Date() } }, orderBy: { grantedAt: "asc" } });
  }

  const ids: Record<string, string> = {};

  describe("the request area", () => {
    it("lets a listed person without a grant see their access and ask, and nothing else", async () => {
      const mine = await as(NEWCOMER, () => getMyAccess());
      expect(mine.capability).toEqual({ tone: "none", summary: "No grant in force: sees nothing", expiry: null });
      expect(mine.eligibleGroups.map((group) => [group.key, group.approvalsRequired])).toEqual([
        ["copilot_team", 2],
        ["platform_health", 1],
      ]);
      expect(mine.eligibleGroups[0]?.approvalsReason).toBe("2 distinct approvers: the group's scope includes content.");
      expect(mine.durationPresets).toEqual([30, 60, 90]);
      expect((await lastAudit())[0]).toMatchObject({ action: "access.my_access_view", outcome: "allowed", actor_email: NEWCOMER });
      // every other gate still refuses them
      await refusal(() => as(NEWCOMER, () => getViewer({ audit: true })), 403);
      // an expired holder sees the history of what they had
      const expired = await as(EXPIRED, () => getMyAccess());
      expect(expired.capability).toMatchObject({ tone: "none", expiry: expect.stringMatching(/^expired on \d{4}-\d{2}-\d{2}$/) });
      expect(expired.grants.map((grant) => grant.state)).toEqual(["expired", "expired"]);
    });

    it("records a request with what it needs to be approved, and tells nobody outside the group's approvers", async () => {
      const created = await as(NEWCOMER, () =>
        createAccessRequest({ groupKey: "copilot_team", durationDays: "30", justification: "Joining the Copilot completions team next week", ticketRef: "ONB-1234" }),
      );
      expect(created.approvalsRequired).toBe(2);
      ids.newcomerCopilot = created.requestId;
      const [row] = await lastAudit();
      expect(row).toMatchObject({ action: "access.request_create", outcome: "allowed", actor_email: NEWCOMER, target_id: created.requestId });
      expect(row?.after).toMatchObject({ groupKey: "copilot_team", durationDays: 30, ticketRef: "ONB-1234", approvalsRequired: 2 });
      const page = await as(NEWCOMER, () => getAccessRequest({ requestId: created.requestId }));
      expect(page.request).toMatchObject({ status: "pending", approvals: [], approvalsReason: "2 distinct approvers: the group's scope includes content." });
      expect(page.actions).toMatchObject({ canApprove: false, canCancel: true });
      // the group's approvers are told, in the same transaction (the requester is not one of them): by e-mail and the webhook
      expect((await outbox("access_request.created", `/access/requests/${created.requestId}`)).map((row) => [row.channel, row.recipient])).toEqual([
        ["email", ADMIN],
        ["email", APPROVER],
        ["webhook", expect.stringMatching(/^webhook:[0-9a-f]{16}$/)],
      ]);
      // a viewer who decides nothing cannot even read it
      await refusal(() => as(COPILOT, () => getAccessRequest({ requestId: created.requestId })), 404);
    });

    it("refuses a second open request for the same group, and durations that are not presets or beyond the maximum", async () => {
      await refusal(() => as(NEWCOMER, () => createAccessRequest({ groupKey: "copilot_team", durationDays: "60", justification: "Asking again for the same group" })), 409, "already have an open request");
      await refusal(() => as(NEWCOMER, () => createAccessRequest({ groupKey: "platform_health", durationDays: "45", justification: "Odd duration for the request" })), 400, "Choose 30, 60 or 90 days.");
      await refusal(() => as(NEWCOMER, () => createAccessRequest({ durationDays: "30", justification: "No group named in this one" })), 400, /groupKey/);
      await refusal(() => as(NEWCOMER, () => createAccessRequest({ groupKey: "platform_health", durationDays: "30", justification: "Bad ticket", ticketRef: "a\u0000b" })), 400, /ticketRef/);
    });
  });

  describe("eligibility at request time", () => {
    it("never lets an OpenAI contractor ask, and a Microsoft person only for Microsoft – Copilot (two approvers)", async () => {
      await listedPerson("contractor@openai.example", "openai", "contractor");
      await refusal(
        () => as("contractor@openai.example", () => createAccessRequest({ groupKey: "openai_copilot", durationDays: "30", justification: "Contractor on the model evaluation" })),
        422,
        RULES.openaiEmployeesOnly.message,
      );
      await listedPerson("new@microsoft.example", "microsoft", "employee");
      await refusal(
        () => as("new@microsoft.example", () => createAccessRequest({ groupKey: "copilot_team", durationDays: "30", justification: "Wants the whole Copilot team view" })),
        422,
        RULES.microsoftGroup.message,
      );
      await refusal(
        () => as(NEWCOMER, () => createAccessRequest({ groupKey: "microsoft_copilot", durationDays: "30", justification: "Wants the Microsoft group's view" })),
        422,
        RULES.githubGroups.message,
      );
      const microsoft = await as("new@microsoft.example", () =>
        createAccessRequest({ groupKey: "microsoft_copilot", durationDays: "90", justification: "Microsoft serving engineer on the latency study" }),
      );
      expect(microsoft.approvalsRequired).toBe(2);
      ids.microsoft = microsoft.requestId;
      const page = await as(ADMIN, () => getAccessRequest({ requestId: microsoft.requestId }));
      expect(page.request.approvalsReason).toBe("2 distinct approvers: the requester is Microsoft personnel and the group's scope includes content.");
    });
  });

  describe("approving", () => {
    it("refuses anyone who approves nothing before reading their input, and the requester their own request", async () => {
      await refusal(() => as(COPILOT, () => approveAccessRequest({ requestId: ids.newcomerCopilot })), 403, "Only admins and a group's named approvers");
      await refusal(() => as(AUDITOR, () => approveAccessRequest({})), 403, "Only admins and a group's named approvers");
      // the approver asks for a group too, and may not approve it
      const own = await as(APPROVER, () => createAccessRequest({ groupKey: "platform_health", durationDays: "30", justification: "Covering platform health on-call in December" }));
      expect(own.approvalsRequired).toBe(1);
      ids.approverHealth = own.requestId;
      await refusal(() => as(APPROVER, () => approveAccessRequest({ requestId: own.requestId })), 403, "You cannot decide your own request");
      await refusal(() => as(APPROVER, () => denyAccessRequest({ requestId: own.requestId, reason: "Denying my own request here" })), 403, "You cannot decide your own request");
      const approved = await as(ADMIN, () => approveAccessRequest({ requestId: own.requestId, comment: "On-call rota confirmed" }));
      expect(approved).toMatchObject({ status: "approved", approvals: 1, approvalsRequired: 1 });
      expect((await grantsOf(APPROVER)).map((grant) => [grant.groupKey, grant.role])).toEqual([
        ["copilot_team", "viewer"],
        ["platform_health", "viewer"],
      ]);
    });

    it("needs two distinct approvers where the rule says so; the first approval grants nothing", async () => {
      const first = await as(APPROVER, () => approveAccessRequest({ requestId: ids.newcomerCopilot, comment: "Confirmed with the hiring manager" }));
      expect(first).toMatchObject({ status: "pending", approvals: 1, approvalsRequired: 2, grantId: null });
      expect(await grantsOf(NEWCOMER)).toEqual([]);
      await refusal(() => as(APPROVER, () => approveAccessRequest({ requestId: ids.newcomerCopilot })), 409, "needs another, distinct approver");
      const second = await as(ADMIN, () => approveAccessRequest({ requestId: ids.newcomerCopilot }));
      expect(second).toMatchObject({ status: "approved", approvals: 2, grantId: expect.any(String) });
      const [row] = await lastAudit();
      expect(row).toMatchObject({ action: "access.request_approve", actor_email: ADMIN, after: expect.objectContaining({ status: "approved", grantId: second.grantId }) });
      const [grant] = await grantsOf(NEWCOMER);
      expect(grant).toMatchObject({ id: second.grantId, groupKey: "copilot_team", role: "viewer" });
      expect(Math.abs(grant!.expiresAt.getTime() - (Date.now() + 30 * DAY_MS))).toBeLessThan(120_000);
      expect(grant!.justification).toContain("ticket ONB-1234, approved by Paz Approver and Ada Admin");
      // the newcomer can now do what the grant says
      const mine = await as(NEWCOMER, () => getMyAccess());
      expect(mine.capability).toMatchObject({ tone: "ok", summary: "Can browse telemetry (GitHub Copilot team)", expiry: "expires in 29 days" });
      expect(mine.requests[0]).toMatchObject({ status: "approved", approvals: [{ approver: { email: APPROVER } }, { approver: { email: ADMIN } }] });
      expect((await as(NEWCOMER, () => getViewer())).groups).toEqual(["copilot_team"]);
      // the requester hears the decision; the first approval alone told nobody
      const decided = await outbox("access_request.decided", `/access/requests/${ids.newcomerCopilot}`);
      expect(decided.map((row) => [row.channel, row.recipient, row.subject])).toEqual([
        ["email", NEWCOMER, "Your access request was approved"],
        ["webhook", expect.any(String), "Your access request was approved"],
      ]);
      // decided: nothing more to do with it
      await refusal(() => as(ADMIN, () => denyAccessRequest({ requestId: ids.newcomerCopilot, reason: "Too late to deny this one" })), 409, "already approved");
    });

    it("asks for a fresh sign-in when the approver's session is older than APPROVAL_FRESHNESS_MINUTES", async () => {
      const stale = await signInForTest(db.prisma, ADMIN, { createdAt: new Date(Date.now() - 20 * 60_000) });
      const error = await refusal(() => asSession(stale, () => approveAccessRequest({ requestId: ids.microsoft })), 401, "sign-in from the last 15 minutes");
      expect(error.code).toBe("reauthentication_required");
      expect((await as(ADMIN, () => getAccessRequest({ requestId: ids.microsoft }))).request.approvals).toEqual([]);
      expect((await asSession(stale, () => getAccessRequest({ requestId: ids.microsoft }))).needsFreshSignIn).toBe(true);
    });

    it("checks the seed's rules again at approval: a requester who became an OpenAI contractor gets nothing", async () => {
      await as(APPROVER, () => approveAccessRequest({ requestId: ids.microsoft }));
      await sql(`UPDATE person SET employer = 'openai', employment_type = 'contractor' WHERE email = 'new@microsoft.example'`);
      await refusal(() => as(ADMIN, () => approveAccessRequest({ requestId: ids.microsoft })), 422, RULES.openaiEmployeesOnly.message);
      expect(await grantsOf("new@microsoft.example")).toEqual([]);
      const denied = await as(ADMIN, () => denyAccessRequest({ requestId: ids.microsoft, reason: "No longer eligible: OpenAI contractor" }));
      expect(denied.requestId).toBe(ids.microsoft);
    });

    it("grants once when two approvers approve at the same moment (one approval needed)", async () => {
      const { requestId } = await as(NEWCOMER, () => createAccessRequest({ groupKey: "platform_health", durationDays: "60", justification: "Error-rate dashboards for the launch" }));
      const results = await Promise.allSettled([as(ADMIN, () => approveAccessRequest({ requestId })), as(APPROVER, () => approveAccessRequest({ requestId }))]);
      const fulfilled = results.filter((result) => result.status === "fulfilled");
      const rejected = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toMatchObject({ status: 409, message: "This request was already approved." });
      const health = (await grantsOf(NEWCOMER)).filter((grant) => grant.groupKey === "platform_health");
      expect(health).toHaveLength(1);
      expect(await sql(`SELECT approver_id FROM access_request_approval WHERE request_id = $1::uuid`, requestId)).toHaveLength(1);
    });

    it("grants once when the two needed approvals arrive at the same moment", async () => {
      await listedPerson("second@microsoft.example", "microsoft", "employee");
      const { requestId } = await as("second@microsoft.example", () =>
        createAccessRequest({ groupKey: "microsoft_copilot", durationDays: "30", justification: "Joint evaluation of suggestion quality" }),
      );
      const results = await Promise.all([as(ADMIN, () => approveAccessRequest({ requestId })), as(APPROVER, () => approveAccessRequest({ requestId }))]);
      expect(results.map((result) => result.status).sort()).toEqual(["approved", "pending"]);
      expect(await grantsOf("second@microsoft.example")).toHaveLength(1);
      const [request] = await sql<{ status: string; n: number }>(
        `SELECT r.status::text AS status, (SELECT count(*)::int FROM access_request_approval a WHERE a.request_id = r.id) AS n FROM access_request r WHERE r.id = $1::uuid`,
        requestId,
      );
      expect(request).toEqual({ status: "approved", n: 2 });
    });
  });

  describe("deny, cancel and lapse", () => {
    it("shows the requester a denial with its reason; only the requester cancels, only while open", async () => {
      const { requestId } = await as(EXPIRED, () => createAccessRequest({ groupKey: "copilot_team", durationDays: "30", justification: "Back on the dashboard project for a month" }));
      await refusal(() => as(APPROVER, () => denyAccessRequest({ requestId, reason: "no" })), 400, /reason/);
      await as(APPROVER, () => denyAccessRequest({ requestId, reason: "The dashboard project has no budget this quarter" }));
      const mine = await as(EXPIRED, () => getMyAccess());
      expect(mine.requests[0]).toMatchObject({ id: requestId, status: "denied", decisionReason: "The dashboard project has no budget this quarter", decidedBy: { email: APPROVER } });
      await refusal(() => as(EXPIRED, () => cancelAccessRequest({ requestId })), 409, "already denied");

      const again = await as(EXPIRED, () => createAccessRequest({ groupKey: "copilot_team", durationDays: "30", justification: "Asking again with the new budget" }));
      await refusal(() => as(NEWCOMER, () => cancelAccessRequest({ requestId: again.requestId })), 404);
      await as(EXPIRED, () => cancelAccessRequest({ requestId: again.requestId }));
      expect((await lastAudit())[0]).toMatchObject({ action: "access.request_cancel", outcome: "allowed", actor_email: EXPIRED });
      await refusal(() => as(ADMIN, () => approveAccessRequest({ requestId: again.requestId })), 409, "cancelled by its requester");
    });

    it("lapses requests nobody answered (the job), once, audited", async () => {
      const { requestId } = await as(EXPIRED, () => createAccessRequest({ groupKey: "platform_health", durationDays: "30", justification: "Looking at error rates for a postmortem" }));
      const later = new Date(Date.now() + 8 * DAY_MS);
      expect(await expireAccessRequests(db.prisma, { requestId: `job:${randomUUID()}`, now: later })).toEqual({ expired: 1, skipped: 0 });
      expect(await expireAccessRequests(db.prisma, { requestId: `job:${randomUUID()}`, now: later })).toEqual({ expired: 0, skipped: 0 });
      const [row] = await lastAudit();
      expect(row).toMatchObject({ action: "access.request_expire", outcome: "allowed", actor_email: null, target_id: requestId });
      expect((await as(EXPIRED, () => getMyAccess())).requests[0]).toMatchObject({ id: requestId, status: "expired", decisionReason: "Nobody decided it within 7 days." });
    });

    it("keeps every request and decision as it was: no change after a decision, no deletion", async () => {
      await expect(sql(`UPDATE access_request SET status = 'pending', decided_at = NULL WHERE id = $1::uuid`, ids.newcomerCopilot)).rejects.toThrow();
      await expect(sql(`DELETE FROM access_request WHERE id = $1::uuid`, ids.newcomerCopilot)).rejects.toThrow();
      await expect(sql(`DELETE FROM access_request_approval WHERE request_id = $1::uuid`, ids.newcomerCopilot)).rejects.toThrow();
    });
  });

  describe("expiry and extension", () => {
    it("extends a grant through the same approval path", async () => {
      const [grant] = (await grantsOf(NEWCOMER)).filter((candidate) => candidate.groupKey === "copilot_team");
      await refusal(() => as(COPILOT, () => createAccessRequest({ grantId: grant!.id, durationDays: "60", justification: "Not my grant to extend" })), 404);
      const { requestId, approvalsRequired } = await as(NEWCOMER, () => createAccessRequest({ grantId: grant!.id, durationDays: "90", justification: "The launch moved: need the quarter" }));
      expect(approvalsRequired).toBe(2);
      await as(ADMIN, () => approveAccessRequest({ requestId }));
      expect((await grantsOf(NEWCOMER)).find((candidate) => candidate.id === grant!.id)?.expiresAt).toEqual(grant!.expiresAt);
      await as(APPROVER, () => approveAccessRequest({ requestId }));
      const extended = (await grantsOf(NEWCOMER)).find((candidate) => candidate.id === grant!.id)!;
      expect(Math.abs(extended.expiresAt.getTime() - (Date.now() + 90 * DAY_MS))).toBeLessThan(120_000);
      expect(extended.justification).toContain("The launch moved: need the quarter");
      // an extension shorter than what is left is refused
      await refusal(() => as(NEWCOMER, () => createAccessRequest({ grantId: grant!.id, durationDays: "30", justification: "Shorter than what I have" })), 422, "choose a longer duration");
    });

    it("reminds holders 14 and 3 days before expiry, once each (the job)", async () => {
      const [grant] = (await grantsOf(NEWCOMER)).filter((candidate) => candidate.groupKey === "platform_health");
      const at = (daysBefore: number) => new Date(grant!.expiresAt.getTime() - daysBefore * DAY_MS);
      const run = (now: Date) => sendGrantReminders(db.prisma, { requestId: `job:${randomUUID()}`, now, thresholds: [14, 3] });
      const mine = async () =>
        sql<{ days_before: number }>(`SELECT days_before FROM grant_reminder WHERE grant_id = $1::uuid ORDER BY days_before DESC`, grant!.id).then((rows) => rows.map((row) => row.days_before));
      await run(at(20));
      expect(await mine()).toEqual([]);
      await run(at(13));
      expect(await mine()).toEqual([14]);
      const [row] = await lastAudit();
      expect(row).toMatchObject({ action: "access.grant_reminder", target_id: grant!.id, reason: "expires within 14 days" });
      await run(at(12));
      expect(await mine()).toEqual([14]);
      await run(at(2.5));
      expect(await mine()).toEqual([14, 3]);
      const before = (await lastAudit())[0];
      await run(at(1));
      expect((await lastAudit())[0]).toEqual(before);
      // one e-mail to the holder per threshold, none to the webhook
      expect((await outbox("grant.expiry_reminder", "/access")).filter((row) => row.recipient === NEWCOMER).map((row) => row.channel)).toEqual(["email", "email"]);
      expect((await outbox("grant.expiry_reminder")).filter((row) => row.channel === "webhook")).toEqual([]);
    });
  });

  describe("the search", () => {
    it("finds requests by requester, approver, group, outcome and time, within what the reader may see", async () => {
      const all = await as(AUDITOR, () => listAccessRequests({}));
      expect(all.scope).toBe("all");
      expect(all.items.length).toBeGreaterThanOrEqual(9);
      const byRequester = await as(AUDITOR, () => listAccessRequests({ requester: "newcomer" }));
      expect(new Set(byRequester.items.map((item) => item.requester.email))).toEqual(new Set([NEWCOMER]));
      const byApprover = await as(AUDITOR, () => listAccessRequests({ approver: "Paz", status: "approved" }));
      expect(byApprover.items.length).toBeGreaterThan(0);
      for (const item of byApprover.items) expect(item.approvals.map((approval) => approval.approver.email)).toContain(APPROVER);
      const denied = await as(ADMIN, () => listAccessRequests({ status: "denied", group: "microsoft_copilot" }));
      expect(denied.items.map((item) => item.id)).toEqual([ids.microsoft]);
      const today = new Date().toISOString().slice(0, 10);
      expect((await as(ADMIN, () => listAccessRequests({ from: today, to: today }))).items).toHaveLength(all.items.length);
      expect((await as(ADMIN, () => listAccessRequests({ to: "2020-01-01" }))).items).toEqual([]);
      const [row] = await lastAudit();
      expect(row).toMatchObject({ action: "access.request_search", outcome: "allowed", actor_email: ADMIN });
      // a requester sees their own only
      const own = await as(EXPIRED, () => listAccessRequests({}));
      expect(own.scope).toBe("own");
      expect(new Set(own.items.map((item) => item.requester.email))).toEqual(new Set([EXPIRED]));
      await refusal(() => as(ADMIN, () => listAccessRequests({ status: "maybe" })), 400, /status/);
    });
  });

  describe("a group's approvers, set by an admin", () => {
    it("names approvers and counts per group; a removed approver decides that group no more", async () => {
      const justification = "Copilot team leads now approve their own requests";
      await refusal(() => as(APPROVER, () => updateGroupApprovers({ groupKey: "copilot_team", approverEmails: "", approvalsRequired: "1", sensitiveApprovalsRequired: "2", justification })), 403);
      await refusal(() => as(ADMIN, () => updateGroupApprovers({ groupKey: "copilot_team", approverEmails: "nobody@github.example", approvalsRequired: "1", sensitiveApprovalsRequired: "2", justification })), 422, "Not on the access list");
      await refusal(() => as(ADMIN, () => updateGroupApprovers({ groupKey: "copilot_team", approverEmails: "", approvalsRequired: "1", sensitiveApprovalsRequired: "1", justification })), 400, /sensitiveApprovalsRequired/);
      await as(ADMIN, () => updateGroupApprovers({ groupKey: "copilot_team", approverEmails: COPILOT, approvalsRequired: "1", sensitiveApprovalsRequired: "3", justification }));
      const [row] = await lastAudit();
      expect(row).toMatchObject({ action: "admin.group_approvers_update", outcome: "allowed", reason: justification, after: expect.objectContaining({ approvers: [COPILOT], sensitiveApprovalsRequired: 3 }) });
      const { requestId, approvalsRequired } = await as(EXPIRED, () => createAccessRequest({ groupKey: "copilot_team", durationDays: "30", justification: "Back for the dashboard follow-up" }));
      expect(approvalsRequired).toBe(3);
      await refusal(() => as(APPROVER, () => approveAccessRequest({ requestId })), 403, "You do not decide requests for GitHub Copilot team");
      expect(await as(COPILOT, () => approveAccessRequest({ requestId }))).toMatchObject({ status: "pending", approvals: 1, approvalsRequired: 3 });
    });
  });
});
