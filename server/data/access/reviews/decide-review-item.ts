// A reviewer keeps or revokes one grant under review, with a reason. Only the
// group's reviewers (its named approvers and the admins), never for their own
// grant, only while the campaign is open and the grant in force, and only with
// a recent sign-in (APPROVAL_FRESHNESS_MINUTES, as for approvals). Revoking
// ends the holder's access at once exactly as an admin's revoke does (the
// grant is marked revoked, their sessions end; server/access/access-list-
// changes.ts). Two reviewers deciding one item at once take turns on its row
// lock: the second is told it was decided (409). The campaign is share-locked
// first, so the close waits for decisions in flight and never passes over
// one. Audited (access.review_decide) in the same transaction.
import "server-only";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { revokeGrantRow, takeAccessListLock } from "@/server/access/access-list-changes";
import { refuseStaleSignIn } from "@/server/access/fresh-sign-in";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { grantStateOf, targetHint } from "@/server/data/admin/access-list";
import { reviewGrantSnapshot } from "./campaigns";
import { lockItem, mayDecideGroup, reviewerGroupsOf, shareLockCampaign } from "./rules";
import { decideReviewItemInputSchema } from "./schemas";

export type DecideReviewResult = { itemId: string; campaignId: string; decision: "keep" | "revoke"; sessionsEnded: number };

export async function decideReviewItem(input: unknown): Promise<DecideReviewResult> {
  return audited(
    { action: "access.review_decide", permission: null, allowWithoutGrant: true, details: { targetType: "access_review_item", targetId: targetHint(input, "itemId") } },
    async ({ tx, actor }) => {
      // Who may review at all is settled before the input is read: anyone else is refused (403), whatever they send.
      const groups = await reviewerGroupsOf(tx, actor);
      if (groups !== "all" && groups.length === 0) throw new AppError("forbidden", "Only a group's reviewers (its approvers and the admins) decide its access reviews.");
      // As for approvals: a decision on someone's access needs a recent sign-in (APPROVAL_FRESHNESS_MINUTES).
      const now = new Date();
      refuseStaleSignIn(actor, now, "Deciding an access review");
      const { itemId, decision, reason } = parseInput(decideReviewItemInputSchema, input, "unprocessable");
      const found = await tx.accessReviewItem.findUnique({ where: { id: itemId }, select: { campaignId: true } });
      if (!found) throw new AppError("not_found", "No such grant under review.");
      await shareLockCampaign(tx, found.campaignId);
      await lockItem(tx, itemId);
      const item = await tx.accessReviewItem.findUniqueOrThrow({ where: { id: itemId }, include: { campaign: true, grant: true, person: true } });
      const { campaign, grant, person } = item;
      const label = GROUP_LABELS[campaign.groupKey];
      if (!mayDecideGroup(groups, campaign.groupKey)) throw new AppError("forbidden", `You do not review ${label}: its approvers and the admins do.`);
      if (item.personId === actor.personId) throw new AppError("forbidden", "You cannot review your own grant: another reviewer must (separation of duties).");
      if (campaign.status !== "open") throw new AppError("conflict", "This access review is closed: its decisions are final.");
      if (item.decision !== null) {
        throw new AppError("conflict", `This grant was already reviewed (${item.decision === "keep" ? "kept" : "revoked"}): a decision is made once.`);
      }
      const state = grantStateOf(grant, now);
      if (state !== "active") throw new AppError("conflict", `This grant is ${state}: there is nothing left to decide.`);

      let sessionsEnded = 0;
      let after = reviewGrantSnapshot(grant, person);
      if (decision === "revoke") {
        await takeAccessListLock(tx);
        const revokeReason = `Revoked in the access review of ${label} (campaign ${campaign.id}): ${reason}`;
        const revoked = await revokeGrantRow(tx, grant, person, { revokedById: actor.personId, reason: revokeReason, now });
        sessionsEnded = revoked.sessionsEnded;
        after = reviewGrantSnapshot(revoked.updated, person);
      }
      await tx.accessReviewItem.update({
        where: { id: itemId },
        data: { decision, reason, decidedById: actor.personId, decidedAt: now, outcome: decision === "keep" ? "kept" : "revoked" },
      });
      return {
        value: { itemId, campaignId: campaign.id, decision, sessionsEnded },
        audit: {
          targetType: "access_review_item",
          targetId: itemId,
          reason,
          before: { campaignId: campaign.id, decision: null, grant: reviewGrantSnapshot(grant, person) },
          after: { campaignId: campaign.id, decision, grant: after, sessionsEnded },
        },
      };
    },
  );
}
