// One request with its approvals and decision, and what the reader may do
// with it. Readable by its requester, its group's approvers, admins and
// auditors; to anyone else it does not exist (404). Audited (access.request_view).
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { targetHint } from "@/server/data/admin/access-list";
import { getEnv } from "@/server/config/env";
import { actionsFor, approverGroupsOf, mayRead, requestDto, requestInclude } from "./rules";
import { requestIdInputSchema } from "./schemas";
import type { AccessRequestActionsDto, AccessRequestDto } from "./types";

export type AccessRequestPageDto = {
  request: AccessRequestDto;
  actions: AccessRequestActionsDto;
  /** the reader's sign-in is too old to decide: deciding will ask them to sign in again */
  needsFreshSignIn: boolean;
  freshnessMinutes: number;
};

export async function getAccessRequest(input: unknown): Promise<AccessRequestPageDto> {
  return audited(
    { action: "access.request_view", permission: null, allowWithoutGrant: true, details: { targetType: "access_request", targetId: targetHint(input, "requestId") } },
    async ({ tx, actor }) => {
      const { requestId } = parseInput(requestIdInputSchema, input);
      const now = new Date();
      const request = await tx.accessRequest.findUnique({ where: { id: requestId }, include: requestInclude });
      const groups = await approverGroupsOf(tx, actor);
      if (!request || !mayRead(request, actor, groups)) throw new AppError("not_found", "No such access request.");
      const minutes = getEnv().APPROVAL_FRESHNESS_MINUTES;
      return {
        value: {
          request: requestDto(request, now),
          actions: actionsFor(request, actor, groups, now),
          needsFreshSignIn: now.getTime() - actor.sessionStartedAt.getTime() > minutes * 60_000,
          freshnessMinutes: minutes,
        },
        audit: { targetType: "access_request", targetId: request.id },
      };
    },
  );
}
