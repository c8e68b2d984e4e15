// An admin starts a group's access review now (outside its cadence), with a
// reason. One open campaign per group: a second start is refused (409).
// Audited (access.review_open) with the reviewers notified, in one transaction.
import "server-only";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { openCampaign } from "./campaigns";
import { startReviewCampaignInputSchema } from "./schemas";

export async function startReviewCampaign(input: unknown): Promise<{ campaignId: string; items: number }> {
  return audited({ action: "access.review_open", permission: "access.manage", details: { targetType: "access_review" } }, async ({ tx, actor }) => {
    const { groupKey, reason } = parseInput(startReviewCampaignInputSchema, input, "unprocessable");
    const now = new Date();
    let details: Record<string, unknown> = {};
    const result = await openCampaign(tx, {
      groupKey,
      now,
      openedById: actor.personId,
      reason,
      // The gate writes this request's one row: the campaign's details go into it.
      writeAudit: async (entry) => {
        details = { targetId: entry.targetId, rowCount: entry.rowCount, after: entry.after };
      },
    });
    if (result.status === "already-open") {
      throw new AppError("conflict", `An access review of ${GROUP_LABELS[groupKey]} is already open (until ${result.campaign.closesAt.toISOString().slice(0, 10)}).`, [
        { path: "groupKey", message: "already has an open access review" },
      ]);
    }
    return { value: { campaignId: result.campaign.id, items: result.items }, audit: { targetType: "access_review", reason, ...details } };
  });
}
