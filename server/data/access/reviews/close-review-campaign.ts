// An admin ends an open campaign now, with a reason: exactly what the close
// job does when its end comes (the consequence applies to every grant nobody
// reviewed), under the same lock, so the two cannot both close it. The
// consequence's audit rows (access.review_consequence) and this request's row
// (access.review_close) are written in the one transaction.
import "server-only";
import { audited } from "@/server/access/audited";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { targetHint } from "@/server/data/admin/access-list";
import { closeCampaign, type CloseSummary } from "./campaigns";
import { closeReviewCampaignInputSchema } from "./schemas";

export async function closeReviewCampaignNow(input: unknown): Promise<CloseSummary> {
  return audited(
    { action: "access.review_close", permission: "access.manage", details: { targetType: "access_review", targetId: targetHint(input, "campaignId") } },
    async ({ tx, actor, request }) => {
      const { campaignId, reason } = parseInput(closeReviewCampaignInputSchema, input, "unprocessable");
      const exists = await tx.accessReviewCampaign.findUnique({ where: { id: campaignId }, select: { status: true } });
      if (!exists) throw new AppError("not_found", "No such access review.");
      const summary = await closeCampaign(tx, {
        campaignId,
        now: new Date(),
        closedById: actor.personId,
        onlyIfDue: false,
        skipLocked: false,
        writeAudit: (entry) =>
          writeAuditEvent(tx, {
            requestId: request.requestId,
            actor: { personId: actor.personId, email: actor.email, employer: actor.employer, groups: actor.groups, roles: actor.roles },
            actorIp: request.ip,
            actorUserAgent: request.userAgent,
            ...entry,
          }).then(() => undefined),
      });
      if (!summary) throw new AppError("conflict", "This access review is already closed.");
      return { value: summary, audit: { targetType: "access_review", targetId: campaignId, reason, after: { ...summary } } };
    },
  );
}
