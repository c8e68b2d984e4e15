// One campaign with every grant under review, its usage from the audit trail
// and its decision, and what the reader may do. Readable by the group's
// reviewers and by auditors (and admins); to anyone else it does not exist
// (404). Audited (access.review_view).
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { targetHint } from "@/server/data/admin/access-list";
import { campaignDto, campaignInclude, itemDto, itemsWithUsage, mayDecideGroup, refuseNonReader, reviewerGroupsOf } from "./rules";
import { campaignIdInputSchema } from "./schemas";
import { UNUSED_DAYS } from "./settings";
import type { ReviewCampaignPageDto } from "./types";

export async function getReviewCampaign(input: unknown): Promise<ReviewCampaignPageDto> {
  return audited(
    { action: "access.review_view", permission: null, allowWithoutGrant: true, details: { targetType: "access_review", targetId: targetHint(input, "campaignId") } },
    async ({ tx, actor }) => {
      const readable = await refuseNonReader(tx, actor);
      const { campaignId } = parseInput(campaignIdInputSchema, input);
      const now = new Date();
      const campaign = await tx.accessReviewCampaign.findUnique({ where: { id: campaignId }, include: campaignInclude });
      if (!campaign || !mayDecideGroup(readable, campaign.groupKey)) throw new AppError("not_found", "No such access review.");
      const reviewerGroups = await reviewerGroupsOf(tx, actor);
      const rows = await itemsWithUsage(tx, campaign, now);
      const items = rows.map(({ item, usage }) => itemDto(item, usage, campaign, actor, reviewerGroups, campaign.groupKey, now));
      return {
        value: {
          campaign: campaignDto(campaign, now),
          items,
          isReviewer: mayDecideGroup(reviewerGroups, campaign.groupKey),
          canClose: campaign.status === "open" && actor.roles.includes("admin"),
          unusedDays: UNUSED_DAYS,
        },
        audit: { targetType: "access_review", targetId: campaign.id, rowCount: items.length },
      };
    },
  );
}
