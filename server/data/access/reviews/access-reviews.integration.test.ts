// Access review campaigns against real databases (a temporary PGlite always,
// PostgreSQL as the least-privilege runtime role when TEST_DATABASE_URL is
// set): an admin starting a campaign, usage figures from real audit rows,
// decisions (no self-review, 422 naming the field, one winner when two
// reviewers decide at once, a revoke ending the holder's sessions), the close
// job's consequence (revoke and flag) applied exactly once across two
// concurrent runs, reminders and the cadence job, and the audited report.
//
// The tests run in order and build on each other's campaigns.
import { createHash, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { asSession, expectRefusal, useIntegrationDatabase } from "@/test/integration-harness";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import type { Database } from "@/server/db/connect";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { getViewer } from "@/server/data/get-viewer";
import type { AppError } from "@/server/http/app-error";
import { closeDueReviews, openDueReviews, remindOpenReviews } from "@/server/jobs/access-reviews";
import { closeReviewCampaignNow } from "./close-review-campaign";
import { decideReviewItem } from "./decide-review-item";
import { exportReviewReportCsv, exportReviewReportJson } from "./export-review-report";
import { getReviewCampaign } from "./get-review-campaign";
import { listReviewCampaigns } from "./list-review-campaigns";
import { startReviewCampaign } from "./start-review-campaign";
import { updateReviewSettings } from "./update-review-settings";
import { usageOfGrants } from "./usage";

vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 14).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  process.env.ACCESS_REVIEW_CADENCE_DAYS = "90";
  process.env.ACCESS_REVIEW_DURATION_DAYS = "14";
  process.env.ACCESS_REVIEW_CONSEQUENCE = "revoke";
  process.env.ACCESS_REVIEW_REMINDER_DAYS = "3";
  // decisions need a sign-in this recent (the suite's own sessions stay fresh through a slow run)
  process.env.APPROVAL_FRESHNESS_MINUTES = "60";
  // channels configured, so notifications become outbox rows
  process.env.SMTP_URL = "smtp://127.0.0.1:2525";
  process.env.NOTIFY_FROM = "portal@github.example";
  process.env.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/hook";
});

vi.mock("next/headers", async () => (await import("@/test/integration-harness")).mockedNextHeaders("vitest access reviews"));
vi.mock("@/server/db/client", async () => (await import("@/test/integration-harness")).mockedDatabaseClient());

const DAY_MS = 86_400_000;
const ADMIN = "admin@github.example";
const APPROVER = "approver@github.example"; // a named approver of every group, and holder of a copilot_team grant
const COPILOT = "viewer.copilot@github.example";
const HEALTH = "viewer.health@github.example";
const AUDITOR = "auditor@github.example";
const MICROSOFT = "viewer@microsoft.example";

type AuditRow = { action: string; outcome: string; reason: string | null; actor_email: string | null; target_id: string | null; row_count: number | null; file_sha256: string | null; after: Record<string, unknown> | null };

const targets = seededTestTargets({ label: "reviews", keys: [{ id: "itk1", key: Buffer.alloc(32, 14) }] });

describe.each(targets)("access reviews on $name", (target) => {
  const harness = useIntegrationDatabase(target, { signIn: [ADMIN, APPROVER, COPILOT, HEALTH, AUDITOR, MICROSOFT] });
  const { tokens, people, as, sql } = harness;
  let db: Database;

  beforeAll(() => {
    db = harness.db;
  });

  async function auditRows(action: string, targetId?: string): Promise<AuditRow[]> {
    return sql<AuditRow>(
      `SELECT action, outcome::text AS outcome, reason, actor_email, target_id, row_count, file_sha256, after FROM audit_event WHERE action = $1 AND ($2::text IS NULL OR target_id = $2) ORDER BY id`,
      action,
      targetId ?? null,
    );
  }

  const refusal = expectRefusal;

  async function outbox(kind: string, link: string) {
    return sql<{ channel: string; recipient: string; subject: string; text: string }>(
      `SELECT channel, recipient, subject, text FROM notification_outbox WHERE kind = $1 AND link = $2 ORDER BY channel, recipient`,
      kind,
      link,
    );
  }

  /** A real audit row of a telemetry access by this person, holding these groups, written by the portal's writer. */
  async function access(email: string, action: "events.list" | "events.view" | "events.reveal" | "events.export", options: { groups?: string[]; outcome?: "allowed" | "denied" } = {}) {
    await db.prisma.$transaction((tx) =>
      writeAuditEvent(tx, {
        requestId: randomUUID(),
        actor: { personId: people[email]!, email, employer: "github", groups: options.groups ?? ["copilot_team"], roles: ["viewer"] },
        actorIp: "127.0.0.1",
        actorUserAgent: "vitest",
        action,
        outcome: options.outcome ?? "allowed",
      }),
    );
  }

  const ids: Record<string, string> = {};

  it("lets an admin start a campaign now: an item per grant of the group in force, reviewers told, audited; one open per group", async () => {
    await refusal(() => as(COPILOT, () => startReviewCampaign({ groupKey: "copilot_team", reason: "Quarterly review of the team" })), 403);
    await refusal(() => as(ADMIN, () => startReviewCampaign({ groupKey: "copilot_team", reason: "x" })), 422, /reason/);
    const started = await as(ADMIN, () => startReviewCampaign({ groupKey: "copilot_team", reason: "Quarterly review of the team" }));
    ids.copilot = started.campaignId;
    // Vera's group grant and Paz's telemetry grant (Eli's expired grant is not under review)
    expect(started.items).toBe(2);
    const [row] = await auditRows("access.review_open", started.campaignId);
    expect(row).toMatchObject({ outcome: "allowed", actor_email: ADMIN, reason: "Quarterly review of the team", row_count: 2 });
    expect(row?.after).toMatchObject({ group: "copilot_team", grants: 2, consequence: "revoke", cadenceDays: 90 });
    expect((await outbox("review.opened", `/access/reviews/${started.campaignId}`)).map((message) => [message.channel, message.recipient])).toEqual([
      ["email", ADMIN],
      ["email", APPROVER],
      ["webhook", expect.stringMatching(/^webhook:/)],
    ]);
    await refusal(() => as(ADMIN, () => startReviewCampaign({ groupKey: "copilot_team", reason: "Starting it a second time" })), 409, "already open");
  });

  it("shows each grant's usage from the audit trail: reads, reveals and exports with the group, last access, unused for 30 days", async () => {
    await access(COPILOT, "events.list");
    await access(COPILOT, "events.view");
    await access(COPILOT, "events.reveal");
    await access(COPILOT, "events.export");
    await access(COPILOT, "events.list", { outcome: "denied" }); // a refusal is not a use
    await access(COPILOT, "events.list", { groups: ["platform_health"] }); // not with this group
    const page = await as(APPROVER, () => getReviewCampaign({ campaignId: ids.copilot }));
    expect(page.isReviewer).toBe(true);
    expect(page.campaign.progress).toEqual({ total: 2, decided: 0, kept: 0, revoked: 0, left: 2 });
    const vera = page.items.find((item) => item.holder.email === COPILOT)!;
    const paz = page.items.find((item) => item.holder.email === APPROVER)!;
    expect(vera.usage).toMatchObject({ reads: 2, reveals: 1, exports: 1, isUnused: false });
    expect(Date.now() - Date.parse(vera.usage.lastAccessAt!)).toBeLessThan(60_000);
    expect(paz.usage).toEqual({ lastAccessAt: null, reads: 0, reveals: 0, exports: 0, isUnused: true });
    // a reviewer never decides their own grant
    expect(paz).toMatchObject({ canDecide: false, note: "Your own grant: another reviewer decides it." });
    expect(vera.canDecide).toBe(true);
    ids.vera = vera.id;
    ids.paz = paz.id;
    // 31 days on, Vera's last access is more than 30 days old: unused
    const later = await db.prisma.$transaction((tx) => usageOfGrants(tx, "copilot_team", [people[COPILOT]!], { from: new Date(Date.now() - 90 * DAY_MS), to: new Date(Date.now() + 31 * DAY_MS) }));
    expect(later.get(people[COPILOT]!)).toMatchObject({ reads: 2, isUnused: true });
    // the auditor reads it, decides nothing; a viewer who reviews nothing is refused
    const audited = await as(AUDITOR, () => getReviewCampaign({ campaignId: ids.copilot }));
    expect(audited.isReviewer).toBe(false);
    expect(audited.items.every((item) => !item.canDecide)).toBe(true);
    await refusal(() => as(COPILOT, () => getReviewCampaign({ campaignId: ids.copilot })), 403);
    expect((await auditRows("access.review_view", ids.copilot)).length).toBeGreaterThanOrEqual(2);
  });

  it("refuses self-review (403) and a decision without a reason (422 naming the field)", async () => {
    await refusal(() => as(APPROVER, () => decideReviewItem({ itemId: ids.paz, decision: "keep", reason: "Still manages the team" })), 403, "your own grant");
    const invalid = await refusal(() => as(APPROVER, () => decideReviewItem({ itemId: ids.vera, decision: "keep", reason: "" })), 422);
    expect(invalid.issues.map((issue) => issue.path)).toEqual(["reason"]);
    const badChoice = await refusal(() => as(APPROVER, () => decideReviewItem({ itemId: ids.vera, decision: "maybe", reason: "Not sure about this one" })), 422);
    expect(badChoice.issues.map((issue) => issue.path)).toEqual(["decision"]);
    await refusal(() => as(COPILOT, () => decideReviewItem({ itemId: ids.vera, decision: "keep", reason: "I still need it really" })), 403);
  });

  it("asks for a fresh sign-in when the reviewer's session is older than APPROVAL_FRESHNESS_MINUTES, as approvals do", async () => {
    const stale = await signInForTest(db.prisma, APPROVER, { createdAt: new Date(Date.now() - 2 * 3_600_000) });
    for (const decision of ["keep", "revoke"] as const) {
      const error = await refusal(() => asSession(stale, () => decideReviewItem({ itemId: ids.vera, decision, reason: "Decided on a stale session" })), 401, "sign-in from the last 60 minutes");
      expect(error.code).toBe("reauthentication_required");
    }
    const [item] = await sql<{ decision: string | null }>("SELECT decision::text AS decision FROM access_review_item WHERE id = $1::uuid", ids.vera);
    expect(item?.decision).toBeNull();
    // a non-reviewer is still told 403, not to sign in again
    const staleCopilot = await signInForTest(db.prisma, COPILOT, { createdAt: new Date(Date.now() - 2 * 3_600_000) });
    await refusal(() => asSession(staleCopilot, () => decideReviewItem({ itemId: ids.vera, decision: "keep", reason: "I still need it really" })), 403);
  });

  it("lets one of two concurrent decisions on an item win; a revoke ends the holder's access at once, audited in the same transaction", async () => {
    const results = await Promise.allSettled([
      as(APPROVER, () => decideReviewItem({ itemId: ids.vera, decision: "revoke", reason: "Moved to another team in October" })),
      as(ADMIN, () => decideReviewItem({ itemId: ids.vera, decision: "keep", reason: "Still on the completions team" })),
    ]);
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(((lost[0] as PromiseRejectedResult).reason as AppError).status).toBe(409);
    const item = await db.prisma.accessReviewItem.findUniqueOrThrow({ where: { id: ids.vera }, include: { grant: true } });
    const rows = await auditRows("access.review_decide", ids.vera);
    expect(rows.filter((row) => row.outcome === "allowed")).toHaveLength(1);
    // the loser's refusal is recorded too (the earlier 422s on this item are error rows of their own)
    expect(rows.filter((row) => row.outcome === "error" && row.reason?.startsWith("conflict:"))).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ decision: string }>).value.decision;
    expect(item.decision).toBe(winner);
    if (winner === "revoke") {
      expect(item.grant.revokedAt).not.toBeNull();
      expect(item.outcome).toBe("revoked");
      // the holder's session ended: their next request is refused
      await refusal(() => as(COPILOT, () => getViewer({ audit: true })), 401);
    } else {
      expect(item.grant.revokedAt).toBeNull();
      expect(item.outcome).toBe("kept");
    }
    expect(rows.find((row) => row.outcome === "allowed")?.after).toMatchObject({ decision: winner });
    // decided once: a later decision is refused
    await refusal(() => as(ADMIN, () => decideReviewItem({ itemId: ids.vera, decision: "revoke", reason: "Trying to change the decision" })), 409, "already reviewed");
  });

  it("closes a due campaign exactly once across two concurrent runs; the unreviewed grant is revoked (no silent pass)", async () => {
    const campaign = await db.prisma.accessReviewCampaign.findUniqueOrThrow({ where: { id: ids.copilot } });
    // not due yet: nothing happens
    expect(await closeDueReviews(db.prisma, { requestId: `job:${randomUUID()}` })).toEqual({ closed: 0, revoked: 0, flagged: 0 });
    const at = new Date(campaign.closesAt.getTime() + 60_000);
    const [first, second] = await Promise.all([
      closeDueReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: at }),
      closeDueReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: at }),
    ]);
    expect(first.closed + second.closed).toBe(1);
    expect(first.revoked + second.revoked).toBe(1);
    const paz = await db.prisma.accessReviewItem.findUniqueOrThrow({ where: { id: ids.paz }, include: { grant: true } });
    expect(paz.outcome).toBe("revoked_unreviewed");
    expect(paz.grant.revokedAt).not.toBeNull();
    expect(paz.grant.revokeReason).toContain("Not reviewed in the access review of");
    await refusal(() => as(APPROVER, () => getViewer({ audit: true })), 401);
    expect(await auditRows("access.review_close", ids.copilot)).toHaveLength(1);
    const consequences = await auditRows("access.review_consequence", paz.grantId);
    expect(consequences).toHaveLength(1);
    expect(consequences[0]).toMatchObject({ outcome: "allowed", actor_email: null });
    expect(consequences[0]?.after).toMatchObject({ consequence: "revoke", revokedAt: expect.any(String) });
    expect((await outbox("review.closed", `/access/reviews/${ids.copilot}`)).length).toBeGreaterThan(0);
    // closed is final
    await expect(db.prisma.accessReviewCampaign.update({ where: { id: ids.copilot }, data: { closesAt: new Date() } })).rejects.toThrow(/closed/);
    expect(await closeDueReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: at })).toEqual({ closed: 0, revoked: 0, flagged: 0 });
  });

  it("lets an admin set a group's consequence to flag (audited, 422 naming a bad field); an admin's early close flags the unreviewed grant", async () => {
    tokens[APPROVER] = await signInForTest(db.prisma, APPROVER);
    const bad = await refusal(() => as(ADMIN, () => updateReviewSettings({ groupKey: "platform_health", cadenceDays: "3", consequence: "flag", justification: "Health grants turn over with the rotation" })), 422);
    expect(bad.issues.map((issue) => issue.path)).toEqual(["cadenceDays"]);
    await as(ADMIN, () => updateReviewSettings({ groupKey: "platform_health", cadenceDays: "30", consequence: "flag", justification: "Health grants turn over with the rotation" }));
    const [settingsRow] = await auditRows("admin.review_settings_update", "platform_health");
    expect(settingsRow?.after).toMatchObject({ reviewCadenceDays: 30, reviewConsequence: "flag" });
    const started = await as(ADMIN, () => startReviewCampaign({ groupKey: "platform_health", reason: "Rotation changed this month" }));
    ids.health = started.campaignId;
    expect(started.items).toBe(1);
    await refusal(() => as(APPROVER, () => closeReviewCampaignNow({ campaignId: started.campaignId, reason: "Ending the review early" })), 403);
    const summary = await as(ADMIN, () => closeReviewCampaignNow({ campaignId: started.campaignId, reason: "Ending the review early" }));
    expect(summary).toMatchObject({ flaggedUnreviewed: 1, revokedUnreviewed: 0 });
    const item = await db.prisma.accessReviewItem.findFirstOrThrow({ where: { campaignId: started.campaignId }, include: { grant: true } });
    expect(item.outcome).toBe("flagged_unreviewed");
    expect(item.grant.revokedAt).toBeNull();
    const [consequence] = await auditRows("access.review_consequence", item.grantId);
    expect(consequence).toMatchObject({ actor_email: ADMIN });
    expect(consequence?.after).toMatchObject({ consequence: "flag" });
    await refusal(() => as(ADMIN, () => closeReviewCampaignNow({ campaignId: started.campaignId, reason: "Ending the review early" })), 409, "already closed");
  });

  it("reminds reviewers while a campaign is open with grants left, once per interval", async () => {
    const started = await as(ADMIN, () => startReviewCampaign({ groupKey: "microsoft_copilot", reason: "Joint project review" }));
    ids.microsoft = started.campaignId;
    expect(await remindOpenReviews(db.prisma, { requestId: `job:${randomUUID()}` })).toEqual({ reminded: 0 });
    const at = new Date(Date.now() + 3 * DAY_MS + 60_000);
    const [a, b] = await Promise.all([
      remindOpenReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: at }),
      remindOpenReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: at }),
    ]);
    expect(a.reminded + b.reminded).toBe(1);
    const reminders = await outbox("review.reminder", `/access/reviews/${started.campaignId}`);
    expect(reminders.map((message) => message.recipient)).toContain(ADMIN);
    expect(reminders[0]?.subject).toContain("1 grant left to review");
    expect(await auditRows("access.review_remind", started.campaignId)).toHaveLength(1);
    // the next one comes three days later
    expect(await remindOpenReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: new Date(at.getTime() + DAY_MS) })).toEqual({ reminded: 0 });
    expect(await remindOpenReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: new Date(at.getTime() + 3 * DAY_MS + 60_000) })).toEqual({ reminded: 1 });
  });

  it("opens campaigns on each group's cadence, once across two concurrent runs", async () => {
    expect(await openDueReviews(db.prisma, { requestId: `job:${randomUUID()}` })).toEqual({ opened: 0 });
    // openai_copilot never had one: due when its oldest grant in force is a cadence (here 7 days) old
    await sql(`UPDATE access_group SET review_cadence_days = 7 WHERE key = 'openai_copilot'`);
    const at = new Date(Date.now() + 8 * DAY_MS);
    const [a, b] = await Promise.all([openDueReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: at }), openDueReviews(db.prisma, { requestId: `job:${randomUUID()}`, now: at })]);
    const opened = await db.prisma.accessReviewCampaign.findMany({ where: { groupKey: "openai_copilot" } });
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ openedById: null, status: "open" });
    // platform_health's (30-day cadence) closed today, copilot_team's (90) too: not due at +8 days; microsoft's is open
    expect(a.opened + b.opened).toBe(1);
  });

  it("exports the report as CSV and JSON, audited with the file's SHA-256", async () => {
    const json = await as(AUDITOR, () => exportReviewReportJson({ campaignId: ids.copilot, format: "json" }));
    expect(createHash("sha256").update(json.body).digest("hex")).toBe(json.sha256);
    const report = JSON.parse(json.body) as { campaign: { status: string; progress: { total: number } }; items: Array<{ holder: { email: string }; outcome: string }> };
    expect(report.campaign).toMatchObject({ status: "closed", progress: { total: 2 } });
    expect(report.items.find((item) => item.holder.email === APPROVER)?.outcome).toBe("revoked_unreviewed");
    const csv = await as(ADMIN, () => exportReviewReportCsv({ campaignId: ids.copilot, format: "csv" }));
    const text = await new Response(csv.body).text();
    expect(createHash("sha256").update(text).digest("hex")).toBe(csv.sha256);
    expect(text.split("\r\n")[0] ?? text.split("\n")[0]).toContain("holder_email");
    expect(csv.rowCount).toBe(2);
    const rows = await auditRows("access.review_export", ids.copilot);
    expect(rows.map((row) => [row.actor_email, row.row_count, row.file_sha256])).toEqual([
      [AUDITOR, 2, json.sha256],
      [ADMIN, 2, csv.sha256],
    ]);
    await refusal(() => as(COPILOT, () => exportReviewReportJson({ campaignId: ids.copilot, format: "json" })), 401);
  });

  it("lists campaigns by scope: all for admins and auditors, with each group's settings for admins", async () => {
    const list = await as(ADMIN, () => listReviewCampaigns());
    expect(list.isAdmin).toBe(true);
    expect(list.campaigns.map((campaign) => campaign.groupKey).sort()).toEqual(["copilot_team", "microsoft_copilot", "openai_copilot", "platform_health"]);
    expect(list.groups.find((group) => group.groupKey === "platform_health")).toMatchObject({ cadenceDays: 30, consequence: "flag", ownCadenceDays: 30 });
    expect(list.groups.find((group) => group.groupKey === "microsoft_copilot")).toMatchObject({ openCampaignId: ids.microsoft, nextDueAt: null });
    const auditor = await as(AUDITOR, () => listReviewCampaigns());
    expect(auditor.groups).toEqual([]);
    expect(auditor.campaigns).toHaveLength(4);
  });
});
