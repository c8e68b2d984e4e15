"use server";
// Thin server actions for the access reviews: a reviewer's decision on one
// grant; an admin starting a campaign, ending one early, or setting a group's
// cadence and consequence. The data layer checks who may, validates (422
// naming the field), locks and audits.
import type { ActionState } from "@/components/admin/action-state";
import { uuidString } from "@/lib/http/input-values";
import { closeReviewCampaignNow } from "@/server/data/access/reviews/close-review-campaign";
import { decideReviewItem } from "@/server/data/access/reviews/decide-review-item";
import { startReviewCampaign } from "@/server/data/access/reviews/start-review-campaign";
import { updateReviewSettings } from "@/server/data/access/reviews/update-review-settings";
import { field, runAction } from "../../admin/run-action";

const campaignIdSchema = uuidString();

const campaignPage = (formData: FormData) => {
  const id = campaignIdSchema.safeParse(field(formData, "campaignId"));
  return id.success ? `/access/reviews/${id.data}` : "/access/reviews";
};

export async function decideReviewItemAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["decision", "reason"],
    returnTo: campaignPage(formData),
    call: () => decideReviewItem({ itemId: field(formData, "itemId"), decision: field(formData, "decision"), reason: field(formData, "reason") }),
    redirectTo: (result) => `/access/reviews/${result.campaignId}?done=${result.decision === "keep" ? "kept" : "revoked"}`,
  });
}

export async function startReviewCampaignAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["groupKey", "reason"],
    returnTo: "/access/reviews",
    call: () => startReviewCampaign({ groupKey: field(formData, "groupKey"), reason: field(formData, "reason") }),
    redirectTo: (result) => `/access/reviews/${result.campaignId}?done=started`,
  });
}

export async function closeReviewCampaignAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["reason"],
    returnTo: campaignPage(formData),
    call: () => closeReviewCampaignNow({ campaignId: field(formData, "campaignId"), reason: field(formData, "reason") }),
    redirectTo: (result) => `/access/reviews/${result.campaignId}?done=closed`,
  });
}

export async function updateReviewSettingsAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["cadenceDays", "consequence", "justification"],
    returnTo: "/access/reviews",
    call: () =>
      updateReviewSettings({
        groupKey: field(formData, "groupKey"),
        cadenceDays: field(formData, "cadenceDays"),
        consequence: field(formData, "consequence"),
        justification: field(formData, "justification"),
      }),
    success: (result) => ({ message: `Saved: a review every ${result.cadenceDays} days; unreviewed grants are ${result.consequence === "revoke" ? "revoked" : "flagged"}.` }),
  });
}
