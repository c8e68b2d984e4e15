// The requester withdraws a request still open. Only their own (404 for
// anyone else's: its existence is not disclosed); only while pending (409).
// Audited (access.request_cancel).
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { targetHint } from "@/server/data/admin/access-list";
import { notifyRequestDecided } from "./notify";
import { lockRequest } from "./rules";
import { requestIdInputSchema } from "./schemas";

export async function cancelAccessRequest(input: unknown): Promise<{ requestId: string }> {
  return audited(
    {
      action: "access.request_cancel",
      permission: null,
      allowWithoutGrant: true,
      details: { targetType: "access_request", targetId: targetHint(input, "requestId") },
    },
    async ({ tx, actor }) => {
      const { requestId } = parseInput(requestIdInputSchema, input);
      const now = new Date();
      await lockRequest(tx, requestId);
      const request = await tx.accessRequest.findUnique({ where: { id: requestId }, include: { requester: true } });
      if (!request || request.requesterId !== actor.personId) throw new AppError("not_found", "You have no such request.");
      if (request.status !== "pending") throw new AppError("conflict", `This request is already ${request.status}.`);
      await tx.accessRequest.update({ where: { id: requestId }, data: { status: "cancelled", decidedAt: now, decidedById: actor.personId, decisionReason: "Cancelled by the requester." } });
      await notifyRequestDecided(tx, { ...request, requesterName: request.requester.name }, "cancelled");
      return { value: { requestId }, audit: { targetType: "access_request", targetId: requestId, before: { status: "pending" }, after: { status: "cancelled" } } };
    },
  );
}
