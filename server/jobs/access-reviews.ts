// The access-review jobs (server/data/access/reviews/campaigns.ts holds what
// they do):
//
//   access-reviews.open   — opens a campaign for each group that is due: its
//                           last campaign opened a cadence ago, or it never had
//                           one and its oldest grant in force is a cadence old.
//   access-reviews.remind — reminds reviewers of open campaigns with grants
//                           left, every ACCESS_REVIEW_REMINDER_DAYS.
//   access-reviews.close  — closes campaigns whose end has come, applying the
//                           consequence to unreviewed grants, one transaction
//                           per campaign; a campaign another instance is
//                           closing is skipped (FOR UPDATE SKIP LOCKED) and a
//                           closed one never closes again: exactly once.
//
// Each step's audit rows (no actor: the portal did it) and notifications are
// written in the same transaction as the change. All three are idempotent.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { GROUP_KEYS, type GroupKey } from "@/lib/telemetry/vocabulary";
import { grantInForce } from "@/server/access/access-now";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import type { PrismaClient } from "@/server/db/generated/client";
import { closeCampaign, jobAuditWriter, openCampaign, remindCampaign } from "@/server/data/access/reviews/campaigns";
import { DAY_MS, reviewSettingsOf } from "@/server/data/access/reviews/settings";
import type { JobDefinition } from "./job-definition";

type JobOptions = { requestId: string; now?: Date };

/** When a group's next campaign is due (null: nothing to review yet, or one is open). */
export async function nextReviewDue(prisma: Pick<PrismaClient, "accessReviewCampaign" | "grant" | "accessGroup">, groupKey: GroupKey, now: Date): Promise<Date | null> {
  const group = await prisma.accessGroup.findUnique({ where: { key: groupKey } });
  if (!group) return null;
  const { cadenceDays } = reviewSettingsOf(group);
  const last = await prisma.accessReviewCampaign.findFirst({ where: { groupKey }, orderBy: { openedAt: "desc" } });
  if (last?.status === "open") return null;
  if (last) return new Date(last.openedAt.getTime() + cadenceDays * DAY_MS);
  const oldest = await prisma.grant.findFirst({ where: { groupKey, ...grantInForce(now) }, orderBy: { grantedAt: "asc" }, select: { grantedAt: true } });
  return oldest ? new Date(oldest.grantedAt.getTime() + cadenceDays * DAY_MS) : null;
}

export async function openDueReviews(prisma: PrismaClient, options: JobOptions): Promise<{ opened: number }> {
  const now = options.now ?? new Date();
  let opened = 0;
  for (const groupKey of GROUP_KEYS) {
    const due = await nextReviewDue(prisma, groupKey, now);
    if (!due || due > now) continue;
    const result = await prisma.$transaction(async (tx) => {
      // Re-checked under the group's lock inside openCampaign (another instance may have opened it meanwhile).
      const stillDue = await nextReviewDue(tx, groupKey, now);
      if (!stillDue || stillDue > now) return null;
      return openCampaign(tx, { groupKey, now, openedById: null, reason: "Periodic access review (the group's cadence).", writeAudit: jobAuditWriter(tx, options.requestId) });
    }, AUDITED_TRANSACTION);
    if (result?.status === "opened") opened += 1;
  }
  return { opened };
}

export async function remindOpenReviews(prisma: PrismaClient, options: JobOptions): Promise<{ reminded: number }> {
  const now = options.now ?? new Date();
  const open = await prisma.accessReviewCampaign.findMany({ where: { status: "open", closesAt: { gt: now } }, select: { id: true }, orderBy: { openedAt: "asc" } });
  let reminded = 0;
  for (const { id } of open) {
    const sent = await prisma.$transaction(
      (tx) => remindCampaign(tx, { campaignId: id, now, skipLocked: true, writeAudit: jobAuditWriter(tx, options.requestId) }),
      AUDITED_TRANSACTION,
    );
    if (sent) reminded += 1;
  }
  return { reminded };
}

export async function closeDueReviews(prisma: PrismaClient, options: JobOptions): Promise<{ closed: number; revoked: number; flagged: number }> {
  const now = options.now ?? new Date();
  const due = await prisma.accessReviewCampaign.findMany({ where: { status: "open", closesAt: { lte: now } }, select: { id: true }, orderBy: { closesAt: "asc" } });
  const totals = { closed: 0, revoked: 0, flagged: 0 };
  for (const { id } of due) {
    const summary = await prisma.$transaction(async (tx) => {
      const writeAudit = jobAuditWriter(tx, options.requestId);
      const closed = await closeCampaign(tx, { campaignId: id, now, closedById: null, onlyIfDue: true, skipLocked: true, writeAudit });
      if (closed) {
        await writeAudit({
          action: "access.review_close",
          outcome: "allowed",
          reason: "The campaign's end came.",
          targetType: "access_review",
          targetId: id,
          after: { ...closed },
        });
      }
      return closed;
    }, AUDITED_TRANSACTION);
    if (summary) {
      totals.closed += 1;
      totals.revoked += summary.revokedUnreviewed;
      totals.flagged += summary.flaggedUnreviewed;
    }
  }
  return totals;
}

export const openAccessReviewsJob: JobDefinition = {
  name: "access-reviews.open",
  cron: "11 * * * *",
  description: "opens an access review campaign for each group due by its cadence (ACCESS_REVIEW_CADENCE_DAYS or the group's own)",
  run: async ({ prisma, jobId }) => openDueReviews(prisma, { requestId: `job:${jobId}` }),
};

export const remindAccessReviewsJob: JobDefinition = {
  name: "access-reviews.remind",
  cron: "23 * * * *",
  description: "reminds reviewers of open access reviews with grants left, every ACCESS_REVIEW_REMINDER_DAYS",
  run: async ({ prisma, jobId }) => remindOpenReviews(prisma, { requestId: `job:${jobId}` }),
};

export const closeAccessReviewsJob: JobDefinition = {
  name: "access-reviews.close",
  cron: "*/10 * * * *",
  description: "closes access reviews whose end came; unreviewed grants get the campaign's consequence (revoke or flag), once",
  run: async ({ prisma, jobId }) => closeDueReviews(prisma, { requestId: `job:${jobId}` }),
};
