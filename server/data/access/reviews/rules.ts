// What the access reviews' gated functions share: who reviews which groups,
// who may read a campaign, the locks, and the DTOs.
import "server-only";
import { GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";
import type { Actor } from "@/server/access/resolve-actor";
import type { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { grantStateOf } from "@/server/data/admin/access-list";
import { approverGroupsOf, mayDecideGroup } from "@/server/data/access/rules";
import { usageOfGrants, type GrantUsage } from "./usage";
import type { ReviewCampaignDto, ReviewItemDto } from "./types";

export { mayDecideGroup };

/** The groups whose grants this actor reviews: every group for an admin, else the groups naming them as approvers. */
export const reviewerGroupsOf = approverGroupsOf;

/** Who may read campaigns at all: reviewers (admins, approvers) and auditors. Anyone else: 403 before any input is read. */
export async function refuseNonReader(tx: Prisma.TransactionClient, actor: Actor): Promise<"all" | GroupKey[]> {
  const groups = await reviewerGroupsOf(tx, actor);
  if (groups === "all" || actor.roles.includes("auditor")) return "all";
  if (groups.length === 0) throw new AppError("forbidden", "Access reviews are for a group's reviewers (its approvers and the admins) and auditors.");
  return groups;
}

/** Locks a campaign against its close while a decision is made (many decisions may share it; the close waits). */
export async function shareLockCampaign(tx: Prisma.TransactionClient, campaignId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM access_review_campaign WHERE id = ${campaignId}::uuid FOR SHARE`;
}

/** Locks one item: two reviewers deciding it at once take turns, and the second finds it decided. */
export async function lockItem(tx: Prisma.TransactionClient, itemId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM access_review_item WHERE id = ${itemId}::uuid FOR UPDATE`;
}

const personRef = { select: { id: true, name: true, email: true } } as const;

export const campaignInclude = {
  openedBy: personRef,
  closedBy: personRef,
  items: { select: { decision: true } },
} satisfies Prisma.AccessReviewCampaignInclude;

export type CampaignWithRelations = Prisma.AccessReviewCampaignGetPayload<{ include: typeof campaignInclude }>;

export function periodOf(campaign: { periodStart: Date; closedAt: Date | null }, now: Date): { from: Date; to: Date } {
  return { from: campaign.periodStart, to: campaign.closedAt ?? now };
}

export function campaignDto(campaign: CampaignWithRelations, now: Date): ReviewCampaignDto {
  const kept = campaign.items.filter((item) => item.decision === "keep").length;
  const revoked = campaign.items.filter((item) => item.decision === "revoke").length;
  const total = campaign.items.length;
  return {
    id: campaign.id,
    groupKey: campaign.groupKey,
    groupLabel: GROUP_LABELS[campaign.groupKey],
    status: campaign.status,
    periodStart: campaign.periodStart.toISOString(),
    periodEnd: periodOf(campaign, now).to.toISOString(),
    openedAt: campaign.openedAt.toISOString(),
    closesAt: campaign.closesAt.toISOString(),
    closedAt: campaign.closedAt?.toISOString() ?? null,
    consequence: campaign.consequence,
    openedBy: campaign.openedBy,
    closedBy: campaign.closedBy,
    reason: campaign.reason,
    remindersSent: campaign.remindersSent,
    progress: { total, decided: kept + revoked, kept, revoked, left: total - kept - revoked },
  };
}

export const itemInclude = {
  person: { select: { id: true, name: true, email: true, employer: true } },
  grant: { select: { id: true, expiresAt: true, revokedAt: true } },
  decidedBy: personRef,
} satisfies Prisma.AccessReviewItemInclude;

export type ItemWithRelations = Prisma.AccessReviewItemGetPayload<{ include: typeof itemInclude }>;

/** The campaign's items with their usage from the audit trail (one grouped query). */
export async function itemsWithUsage(
  tx: Prisma.TransactionClient,
  campaign: { id: string; groupKey: GroupKey; periodStart: Date; closedAt: Date | null },
  now: Date,
): Promise<Array<{ item: ItemWithRelations; usage: GrantUsage }>> {
  const items = await tx.accessReviewItem.findMany({ where: { campaignId: campaign.id }, include: itemInclude, orderBy: [{ person: { email: "asc" } }, { id: "asc" }] });
  const usage = await usageOfGrants(tx, campaign.groupKey, [...new Set(items.map((item) => item.personId))], periodOf(campaign, now));
  return items.map((item) => ({ item, usage: usage.get(item.personId) ?? { lastAccessAt: null, reads: 0, reveals: 0, exports: 0, isUnused: true } }));
}

/** `reviewerGroups`: the groups the actor reviews (reviewerGroupsOf), not the ones they may only read. */
export function itemDto(item: ItemWithRelations, usage: GrantUsage, campaign: { status: string }, actor: Actor, reviewerGroups: "all" | GroupKey[], groupKey: GroupKey, now: Date): ReviewItemDto {
  const state = grantStateOf(item.grant, now);
  const reviews = mayDecideGroup(reviewerGroups, groupKey);
  const isOwn = item.personId === actor.personId;
  const open = campaign.status === "open" && item.decision === null;
  let note: string | null = null;
  if (open && reviews && isOwn) note = "Your own grant: another reviewer decides it.";
  else if (open && reviews && state !== "active") note = `This grant is ${state}: nothing left to decide.`;
  return {
    id: item.id,
    holder: item.person,
    grant: { id: item.grant.id, expiresAt: item.grant.expiresAt.toISOString(), state },
    usage: { lastAccessAt: usage.lastAccessAt?.toISOString() ?? null, reads: usage.reads, reveals: usage.reveals, exports: usage.exports, isUnused: usage.isUnused },
    decision: item.decision,
    reason: item.reason,
    decidedBy: item.decidedBy,
    decidedAt: item.decidedAt?.toISOString() ?? null,
    outcome: item.outcome,
    canDecide: open && reviews && !isOwn && state === "active",
    note,
  };
}
