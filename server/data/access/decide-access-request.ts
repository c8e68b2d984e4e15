// Approving and denying a request, only in the portal, only by an admin or a
// named approver of its group, never by its requester, and only with a recent
// sign-in (APPROVAL_FRESHNESS_MINUTES; older sessions are sent to sign in
// again). The request row is locked first, so two approvers deciding at once
// take turns: the grant is made at most once (and a unique index backs it).
// The seed's rules are checked again against the requester as they are now.
// When the last needed approval arrives the grant is made (or extended) in the
// same transaction. Audited (access.request_approve / access.request_deny).
import "server-only";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import type { Actor } from "@/server/access/resolve-actor";
import { grantInForce } from "@/server/access/access-now";
import { refuseStaleSignIn } from "@/server/access/fresh-sign-in";
import type { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { isoDate, takeAccessListLock, targetHint } from "@/server/data/admin/access-list";
import { notifyRequestDecided } from "./notify";
import { checkRequestEligibility, lockRequest, mayDecideGroup, refuseNonApprover, requestInclude, type RequestWithRelations } from "./rules";
import { approveInputSchema, denyInputSchema } from "./schemas";

const STATUS_WORDS = { approved: "approved", denied: "denied", cancelled: "cancelled by its requester", expired: "lapsed unanswered" } as const;

/** Locks and reads the request, and checks this actor may decide it now. */
async function openRequestFor(tx: Prisma.TransactionClient, actor: Actor, requestId: string, now: Date): Promise<RequestWithRelations> {
  const groups = await refuseNonApprover(tx, actor);
  refuseStaleSignIn(actor, now, "Deciding access");
  await lockRequest(tx, requestId);
  const request = await tx.accessRequest.findUnique({ where: { id: requestId }, include: requestInclude });
  if (!request) throw new AppError("not_found", "No such access request.");
  if (!mayDecideGroup(groups, request.groupKey)) {
    throw new AppError("forbidden", `You do not decide requests for ${GROUP_LABELS[request.groupKey]}: its approvers and the admins do.`);
  }
  if (request.requesterId === actor.personId) throw new AppError("forbidden", "You cannot decide your own request: another approver must (separation of duties).");
  if (request.status !== "pending") throw new AppError("conflict", `This request was already ${STATUS_WORDS[request.status]}.`);
  if (request.lapsesAt <= now) throw new AppError("conflict", `This request lapsed unanswered on ${isoDate(request.lapsesAt)}: the requester may ask again.`);
  return request;
}

function snapshot(request: { status: string; approvals: Array<{ approverId: string }>; approvalsRequired: number; grantId: string | null }) {
  return { status: request.status, approvals: request.approvals.map((approval) => approval.approverId), approvalsRequired: request.approvalsRequired, grantId: request.grantId };
}

/** Makes the grant (access) or moves its expiry (extension), under the access list's lock. */
async function fulfil(tx: Prisma.TransactionClient, request: RequestWithRelations, approverNames: string[], actor: Actor, now: Date): Promise<string> {
  await takeAccessListLock(tx);
  const requester = await tx.person.findUniqueOrThrow({ where: { id: request.requesterId } });
  if (requester.status !== "active") throw new AppError("conflict", `${requester.name} is disabled: deny the request instead.`);
  const expiresAt = checkRequestEligibility(requester, request.groupKey, request.durationDays, now);
  const note = `Request ${request.id} (${request.ticketRef ? `ticket ${request.ticketRef}, ` : ""}approved by ${approverNames.join(" and ")} on ${isoDate(now)})`;
  if (request.kind === "extension") {
    const grant = request.grantId ? await tx.grant.findUnique({ where: { id: request.grantId } }) : null;
    if (!grant || grant.revokedAt || grant.expiresAt <= now) throw new AppError("conflict", "The grant to extend is no longer in force: deny this request; the requester may ask for access again.");
    if (expiresAt <= grant.expiresAt) throw new AppError("conflict", `The grant already runs until ${isoDate(grant.expiresAt)}, beyond what this request asks.`);
    await tx.grant.update({ where: { id: grant.id }, data: { expiresAt, justification: `${grant.justification}\n\nExtended until ${isoDate(expiresAt)}: ${request.justification}\n${note}` } });
    return grant.id;
  }
  const held = await tx.grant.findFirst({ where: { personId: requester.id, groupKey: request.groupKey, role: "viewer", ...grantInForce(now) } });
  if (held) throw new AppError("conflict", `${requester.name} already holds telemetry access to ${GROUP_LABELS[request.groupKey]} until ${isoDate(held.expiresAt)}.`);
  const grant = await tx.grant.create({
    data: {
      personId: requester.id,
      groupKey: request.groupKey,
      role: "viewer",
      justification: `${request.justification}\n\n${note}`,
      grantedAt: now,
      grantedById: actor.personId,
      expiresAt,
    },
  });
  return grant.id;
}

export type ApproveResult = {
  requestId: string;
  status: "pending" | "approved";
  approvals: number;
  approvalsRequired: number;
  grantId: string | null;
  /** enough approvals were counted, but all from the requester's manager: another approver must approve too */
  waitsBeyondManager: boolean;
};

/**
 * "No one approves … a request for someone they manage by themselves": the
 * approvals so far come from the requester's manager alone.
 */
export function isManagerOnly(approverIds: readonly string[], managerId: string | null): boolean {
  return managerId !== null && approverIds.length > 0 && approverIds.every((id) => id === managerId);
}

export async function approveAccessRequest(input: unknown): Promise<ApproveResult> {
  return audited(
    { action: "access.request_approve", permission: null, details: { targetType: "access_request", targetId: targetHint(input, "requestId") } },
    async ({ tx, actor }) => {
      const now = new Date();
      // Who may approve at all is settled before the input is read: anyone else is refused (403), whatever they send.
      await refuseNonApprover(tx, actor);
      const { requestId, comment } = parseInput(approveInputSchema, input);
      const request = await openRequestFor(tx, actor, requestId, now);
      if (request.approvals.some((approval) => approval.approverId === actor.personId)) {
        throw new AppError("conflict", "You already approved this request: it needs another, distinct approver.");
      }
      // The rules hold at approval time too (the requester's facts may have changed since).
      const requester = await tx.person.findUniqueOrThrow({ where: { id: request.requesterId } });
      checkRequestEligibility(requester, request.groupKey, request.durationDays, now);

      await tx.accessRequestApproval.create({ data: { requestId, approverId: actor.personId, approvedAt: now, comment: comment ?? null } });
      const approvals = request.approvals.length + 1;
      // The manager rule: a manager's approval is never the only one for their report's request.
      const approverIds = [...request.approvals.map((approval) => approval.approverId), actor.personId];
      const waitsBeyondManager = isManagerOnly(approverIds, requester.managerId);
      let grantId: string | null = null;
      let status: "pending" | "approved" = "pending";
      if (approvals >= request.approvalsRequired && !waitsBeyondManager) {
        const names = [...request.approvals.map((approval) => approval.approver.name), actor.name];
        grantId = await fulfil(tx, request, names, actor, now);
        status = "approved";
        await tx.accessRequest.update({ where: { id: requestId }, data: { status, decidedAt: now, decidedById: actor.personId, grantId } });
        await notifyRequestDecided(tx, { ...request, requesterName: request.requester.name }, "approved");
      }
      const before = snapshot(request);
      return {
        value: { requestId, status, approvals, approvalsRequired: request.approvalsRequired, grantId, waitsBeyondManager },
        audit: {
          targetType: "access_request",
          targetId: requestId,
          reason: comment ?? null,
          before,
          after: {
            status,
            approvals: [...before.approvals, actor.personId],
            approvalsRequired: request.approvalsRequired,
            grantId: grantId ?? request.grantId,
            ...(requester.managerId === actor.personId ? { byRequesterManager: true } : {}),
          },
        },
      };
    },
  );
}

export async function denyAccessRequest(input: unknown): Promise<{ requestId: string }> {
  return audited(
    { action: "access.request_deny", permission: null, details: { targetType: "access_request", targetId: targetHint(input, "requestId") } },
    async ({ tx, actor }) => {
      const now = new Date();
      await refuseNonApprover(tx, actor);
      const { requestId, reason } = parseInput(denyInputSchema, input);
      const request = await openRequestFor(tx, actor, requestId, now);
      await tx.accessRequest.update({ where: { id: requestId }, data: { status: "denied", decidedAt: now, decidedById: actor.personId, decisionReason: reason } });
      await notifyRequestDecided(tx, { ...request, requesterName: request.requester.name }, "denied");
      return {
        value: { requestId },
        audit: { targetType: "access_request", targetId: requestId, reason, before: snapshot(request), after: { ...snapshot(request), status: "denied" } },
      };
    },
  );
}
