// The access review campaigns the reader may see (newest first, at most
// LIMIT): every group's for admins and auditors, their groups' for named
// approvers. For admins also each group's review settings and when its next
// campaign is due. Audited (access.review_list).
import "server-only";
import { GROUP_KEYS, GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { grantInForce } from "@/server/access/access-now";
import { getEnv } from "@/server/config/env";
import { nextReviewDue } from "@/server/jobs/access-reviews";
import { campaignDto, campaignInclude, refuseNonReader } from "./rules";
import { reviewSettingsOf } from "./settings";
import type { ReviewCampaignListDto, ReviewGroupSettingsDto } from "./types";

export const REVIEW_LIST_LIMIT = 100;

export async function listReviewCampaigns(): Promise<ReviewCampaignListDto> {
  return audited({ action: "access.review_list", permission: null, allowWithoutGrant: true, details: { targetType: "access_review" } }, async ({ tx, actor }) => {
    const scope = await refuseNonReader(tx, actor);
    const now = new Date();
    const rows = await tx.accessReviewCampaign.findMany({
      where: scope === "all" ? {} : { groupKey: { in: scope } },
      include: campaignInclude,
      orderBy: [{ openedAt: "desc" }, { id: "desc" }],
      take: REVIEW_LIST_LIMIT,
    });
    const isAdmin = actor.roles.includes("admin");
    const groups: ReviewGroupSettingsDto[] = [];
    if (isAdmin) {
      const stored = await tx.accessGroup.findMany({ orderBy: { key: "asc" } });
      for (const key of GROUP_KEYS) {
        const group = stored.find((row) => row.key === key);
        if (!group) continue;
        const settings = reviewSettingsOf(group);
        const open = rows.find((row) => row.groupKey === key && row.status === "open") ?? (await tx.accessReviewCampaign.findFirst({ where: { groupKey: key, status: "open" } }));
        const due = await nextReviewDue(tx, key, now);
        groups.push({
          groupKey: key,
          groupLabel: GROUP_LABELS[key],
          cadenceDays: settings.cadenceDays,
          consequence: settings.consequence,
          ownCadenceDays: group.reviewCadenceDays,
          ownConsequence: group.reviewConsequence,
          grantsInForce: await tx.grant.count({ where: { groupKey: key, ...grantInForce(now) } }),
          openCampaignId: open?.id ?? null,
          nextDueAt: due?.toISOString() ?? null,
        });
      }
    }
    const env = getEnv();
    return {
      value: {
        campaigns: rows.map((row) => campaignDto(row, now)),
        scope,
        isAdmin,
        groups,
        defaults: { cadenceDays: env.ACCESS_REVIEW_CADENCE_DAYS, consequence: env.ACCESS_REVIEW_CONSEQUENCE, durationDays: env.ACCESS_REVIEW_DURATION_DAYS, reminderDays: env.ACCESS_REVIEW_REMINDER_DAYS },
      },
      audit: { rowCount: rows.length },
    };
  });
}
