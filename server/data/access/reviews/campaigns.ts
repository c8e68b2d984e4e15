// The life of an access review campaign, shared by the jobs and the data
// layer's gated functions (who call these inside their audited transaction):
//
//   open   — one group, every grant of it in force becomes an item; the
//            reviewers (the group's approvers and the admins) are notified.
//   remind — while open with items left, every ACCESS_REVIEW_REMINDER_DAYS.
//   close  — once: every item nobody decided gets the campaign's consequence
//            (revoke: the grant is revoked exactly as an admin revokes it,
//            sessions ended; flag: marked for an admin) — no silent pass.
//
// Exactly once across instances: a campaign row is locked (FOR UPDATE) and
// its status re-read under the lock; a closed campaign cannot change again
// (trigger), and one group has at most one open campaign (unique index).
// Each step writes its audit rows through the caller's `AuditWriter`, in the
// caller's transaction, and its notifications into the outbox likewise.
//
// No "server-only": the access-review jobs, started by scripts/start.ts, use it.
import { GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";
import { grantInForce } from "@/server/access/access-now";
import { revokeGrantRow, takeAccessListLock } from "@/server/access/access-list-changes";
import type { AuditEntry } from "@/server/audit/write-audit-event";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import type { AccessReviewCampaign, Grant, Person, Prisma } from "@/server/db/generated/client";
import { enqueueNotification } from "@/server/notify/enqueue";
import { DAY_MS, reviewSettingsOf } from "./settings";

/** Writes one audit row in the caller's transaction (the caller fills in who, where and the request). */
export type AuditWriter = (entry: Omit<AuditEntry, "requestId" | "actor" | "actorIp" | "actorUserAgent">) => Promise<void>;

/** The jobs' writer: rows with no actor (the portal did it), correlated by the job's request id. */
export function jobAuditWriter(tx: Prisma.TransactionClient, requestId: string): AuditWriter {
  return async (entry) => {
    await writeAuditEvent(tx, { requestId, actor: null, actorIp: null, actorUserAgent: null, ...entry });
  };
}

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** Ids of the people who review a group's grants now: admins in force and the group's named approvers. */
export async function reviewerIdsFor(tx: Prisma.TransactionClient, groupKey: GroupKey, now: Date): Promise<string[]> {
  const admins = await tx.grant.findMany({ where: { role: "admin", ...grantInForce(now), person: { status: "active" } }, select: { personId: true } });
  const named = await tx.groupApprover.findMany({ where: { groupKey, person: { status: "active" } }, select: { personId: true } });
  return [...new Set([...admins.map((row) => row.personId), ...named.map((row) => row.personId)])];
}

/** What an audit row records of a grant (before/after), as the admin's revoke records it. */
export function reviewGrantSnapshot(grant: Grant, holder: Pick<Person, "email">) {
  return {
    id: grant.id,
    personId: grant.personId,
    personEmail: holder.email,
    access: grant.groupKey && grant.role === "viewer" ? `telemetry:${grant.groupKey}` : grant.groupKey ? `group:${grant.groupKey}` : `role:${grant.role}`,
    expiresAt: grant.expiresAt,
    revokedAt: grant.revokedAt,
    revokedById: grant.revokedById,
    revokeReason: grant.revokeReason,
  };
}

/** Locks a group's row: openers of that group take turns (and the unique index backs it). */
async function lockGroup(tx: Prisma.TransactionClient, groupKey: GroupKey): Promise<void> {
  await tx.$queryRaw`SELECT key FROM access_group WHERE key = ${groupKey}::group_key FOR UPDATE`;
}

export type OpenResult = { status: "opened"; campaign: AccessReviewCampaign; items: number } | { status: "already-open"; campaign: AccessReviewCampaign };

/** Opens a campaign for the group now (unless one is open), with an item per grant in force, and notifies the reviewers. */
export async function openCampaign(
  tx: Prisma.TransactionClient,
  options: { groupKey: GroupKey; now: Date; openedById: string | null; reason: string; writeAudit: AuditWriter },
): Promise<OpenResult> {
  const { groupKey, now } = options;
  await lockGroup(tx, groupKey);
  const open = await tx.accessReviewCampaign.findFirst({ where: { groupKey, status: "open" } });
  if (open) return { status: "already-open", campaign: open };
  const group = await tx.accessGroup.findUniqueOrThrow({ where: { key: groupKey } });
  const settings = reviewSettingsOf(group);
  const grants = await tx.grant.findMany({ where: { groupKey, ...grantInForce(now) }, select: { id: true, personId: true, expiresAt: true }, orderBy: { grantedAt: "asc" } });
  const campaign = await tx.accessReviewCampaign.create({
    data: {
      groupKey,
      periodStart: new Date(now.getTime() - settings.cadenceDays * DAY_MS),
      openedAt: now,
      closesAt: new Date(now.getTime() + settings.durationDays * DAY_MS),
      consequence: settings.consequence,
      openedById: options.openedById,
      reason: options.reason,
    },
  });
  if (grants.length > 0) {
    await tx.accessReviewItem.createMany({ data: grants.map((grant) => ({ campaignId: campaign.id, grantId: grant.id, personId: grant.personId, grantExpiresAt: grant.expiresAt })) });
  }
  const label = GROUP_LABELS[groupKey];
  await enqueueNotification(tx, {
    kind: "review.opened",
    subject: `Access review of ${label}: ${grants.length} grant${grants.length === 1 ? "" : "s"} to review by ${isoDate(campaign.closesAt)}`,
    text: `An access review of ${label} is open until ${isoDate(campaign.closesAt)}. Keep or revoke each grant in the portal; grants nobody reviews are then ${settings.consequence === "revoke" ? "revoked" : "flagged"}.`,
    link: `/access/reviews/${campaign.id}`,
    recipientPersonIds: await reviewerIdsFor(tx, groupKey, now),
    dedupeKey: `review:${campaign.id}:opened`,
  });
  await options.writeAudit({
    action: "access.review_open",
    outcome: "allowed",
    reason: options.reason,
    targetType: "access_review",
    targetId: campaign.id,
    rowCount: grants.length,
    after: { group: groupKey, grants: grants.length, periodStart: campaign.periodStart, closesAt: campaign.closesAt, consequence: campaign.consequence, cadenceDays: settings.cadenceDays },
  });
  return { status: "opened", campaign, items: grants.length };
}

/** Sends a reminder for an open campaign with items left, if one is due; false when none was sent. */
export async function remindCampaign(
  tx: Prisma.TransactionClient,
  options: { campaignId: string; now: Date; writeAudit: AuditWriter; skipLocked?: boolean },
): Promise<boolean> {
  const { campaignId, now } = options;
  const locked = options.skipLocked
    ? await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM access_review_campaign WHERE id = ${campaignId}::uuid AND status = 'open' FOR UPDATE SKIP LOCKED`
    : await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM access_review_campaign WHERE id = ${campaignId}::uuid AND status = 'open' FOR UPDATE`;
  if (locked.length === 0) return false;
  const campaign = await tx.accessReviewCampaign.findUniqueOrThrow({ where: { id: campaignId } });
  if (campaign.closesAt <= now) return false;
  const { reminderDays } = reviewSettingsOf(await tx.accessGroup.findUniqueOrThrow({ where: { key: campaign.groupKey } }));
  const since = campaign.lastRemindedAt ?? campaign.openedAt;
  if (now.getTime() - since.getTime() < reminderDays * DAY_MS) return false;
  const left = await tx.accessReviewItem.count({ where: { campaignId, decision: null } });
  if (left === 0) return false;
  const sent = campaign.remindersSent + 1;
  await tx.accessReviewCampaign.update({ where: { id: campaignId }, data: { lastRemindedAt: now, remindersSent: sent } });
  const label = GROUP_LABELS[campaign.groupKey];
  await enqueueNotification(tx, {
    kind: "review.reminder",
    subject: `Access review of ${label}: ${left} grant${left === 1 ? "" : "s"} left to review by ${isoDate(campaign.closesAt)}`,
    text: `The access review of ${label} closes on ${isoDate(campaign.closesAt)} with ${left} grant${left === 1 ? "" : "s"} not yet reviewed. Unreviewed grants are then ${campaign.consequence === "revoke" ? "revoked" : "flagged"}.`,
    link: `/access/reviews/${campaign.id}`,
    recipientPersonIds: await reviewerIdsFor(tx, campaign.groupKey, now),
    dedupeKey: `review:${campaign.id}:reminder:${sent}`,
  });
  await options.writeAudit({
    action: "access.review_remind",
    outcome: "allowed",
    reason: `${left} grants left to review`,
    targetType: "access_review",
    targetId: campaignId,
    rowCount: left,
    after: { reminder: sent, left, closesAt: campaign.closesAt },
  });
  return true;
}

export type CloseSummary = { campaignId: string; groupKey: GroupKey; kept: number; revoked: number; revokedUnreviewed: number; flaggedUnreviewed: number; endedBeforeReview: number; sessionsEnded: number };

/**
 * Closes an open campaign once: each undecided item gets the consequence, in
 * this transaction. `skipLocked` (the job): a campaign another instance is
 * closing is skipped rather than waited for. Null when it was not open (or
 * not yet due, for the job) — nothing was changed.
 */
export async function closeCampaign(
  tx: Prisma.TransactionClient,
  options: { campaignId: string; now: Date; closedById: string | null; onlyIfDue: boolean; skipLocked: boolean; writeAudit: AuditWriter },
): Promise<CloseSummary | null> {
  const { campaignId, now } = options;
  const locked = options.skipLocked
    ? await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM access_review_campaign WHERE id = ${campaignId}::uuid AND status = 'open' FOR UPDATE SKIP LOCKED`
    : await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM access_review_campaign WHERE id = ${campaignId}::uuid AND status = 'open' FOR UPDATE`;
  if (locked.length === 0) return null;
  const campaign = await tx.accessReviewCampaign.findUniqueOrThrow({ where: { id: campaignId } });
  if (options.onlyIfDue && campaign.closesAt > now) return null;
  const items = await tx.accessReviewItem.findMany({ where: { campaignId }, include: { grant: true, person: { select: { id: true, email: true } } } });
  const summary: CloseSummary = { campaignId, groupKey: campaign.groupKey, kept: 0, revoked: 0, revokedUnreviewed: 0, flaggedUnreviewed: 0, endedBeforeReview: 0, sessionsEnded: 0 };
  const label = GROUP_LABELS[campaign.groupKey];
  let lockTaken = false;
  for (const item of items) {
    if (item.decision === "keep") summary.kept += 1;
    if (item.decision === "revoke") summary.revoked += 1;
    if (item.decision !== null) continue;
    const { grant } = item;
    if (grant.revokedAt || grant.expiresAt <= now) {
      await tx.accessReviewItem.update({ where: { id: item.id }, data: { outcome: "ended_before_review" } });
      summary.endedBeforeReview += 1;
      continue;
    }
    if (campaign.consequence === "revoke") {
      if (!lockTaken) {
        await takeAccessListLock(tx);
        lockTaken = true;
      }
      const reason = `Not reviewed in the access review of ${label} that closed on ${isoDate(now)} (campaign ${campaignId}).`;
      const { updated, sessionsEnded } = await revokeGrantRow(tx, grant, item.person, { revokedById: options.closedById, reason, now });
      await tx.accessReviewItem.update({ where: { id: item.id }, data: { outcome: "revoked_unreviewed" } });
      summary.revokedUnreviewed += 1;
      summary.sessionsEnded += sessionsEnded;
      await options.writeAudit({
        action: "access.review_consequence",
        outcome: "allowed",
        reason,
        targetType: "grant",
        targetId: grant.id,
        before: reviewGrantSnapshot(grant, item.person),
        after: { ...reviewGrantSnapshot(updated, item.person), campaignId, itemId: item.id, consequence: "revoke", sessionsEnded },
      });
    } else {
      await tx.accessReviewItem.update({ where: { id: item.id }, data: { outcome: "flagged_unreviewed" } });
      summary.flaggedUnreviewed += 1;
      await options.writeAudit({
        action: "access.review_consequence",
        outcome: "allowed",
        reason: `Not reviewed in the access review of ${label}: flagged for an admin.`,
        targetType: "grant",
        targetId: grant.id,
        after: { campaignId, itemId: item.id, consequence: "flag", personEmail: item.person.email, expiresAt: grant.expiresAt },
      });
    }
  }
  await tx.accessReviewCampaign.update({ where: { id: campaignId }, data: { status: "closed", closedAt: now, closedById: options.closedById } });
  const unreviewed = summary.revokedUnreviewed + summary.flaggedUnreviewed;
  await enqueueNotification(tx, {
    kind: "review.closed",
    subject: `Access review of ${label} closed`,
    text:
      `The access review of ${label} closed on ${isoDate(now)}: ${summary.kept} kept, ${summary.revoked} revoked by reviewers` +
      (unreviewed > 0 ? `, ${unreviewed} not reviewed and therefore ${campaign.consequence === "revoke" ? "revoked" : "flagged"}.` : ", none left unreviewed.") +
      " The report is in the portal.",
    link: `/access/reviews/${campaignId}`,
    recipientPersonIds: await reviewerIdsFor(tx, campaign.groupKey, now),
    dedupeKey: `review:${campaignId}:closed`,
  });
  return summary;
}
