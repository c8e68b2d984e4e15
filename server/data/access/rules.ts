// What every request use case shares: how many approvers a request needs and
// why, who may approve a group's requests, the eligibility check (the seed's
// rules, the person's maximum), the one lock, and the DTO.
import "server-only";
import { groupViolation, roleViolation, type PersonFacts } from "@/lib/access/eligibility";
import { GROUP_LABELS, type FieldClass, type GroupKey } from "@/lib/telemetry/vocabulary";
import type { Actor } from "@/server/access/resolve-actor";
import { grantInForce } from "@/server/access/access-now";
import type { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { checkExpiry, DAY_MS, grantStateOf, refuseRule } from "@/server/data/admin/access-list";
import type { AccessRequestActionsDto, AccessRequestDto } from "./types";

export type GroupApprovalConfig = { key: GroupKey; fieldClasses: readonly FieldClass[]; approvalsRequired: number; sensitiveApprovalsRequired: number };

/**
 * How many distinct approvers a request needs: the group's count, or its
 * (at least two) count for sensitive requests — from Microsoft or OpenAI
 * personnel, or for a scope that includes `content`.
 */
export function approvalsNeeded(person: PersonFacts, group: GroupApprovalConfig): { required: number; reason: string | null } {
  const reasons: string[] = [];
  if (person.employer === "microsoft") reasons.push("the requester is Microsoft personnel");
  if (person.employer === "openai") reasons.push("the requester is OpenAI personnel");
  if (group.fieldClasses.includes("content")) reasons.push("the group's scope includes content");
  const required = reasons.length > 0 ? Math.max(group.sensitiveApprovalsRequired, group.approvalsRequired) : group.approvalsRequired;
  if (required <= 1) return { required, reason: null };
  const because = reasons.length > 0 ? reasons.join(" and ") : "the group asks for it";
  return { required, reason: `${required} distinct approvers: ${because}.` };
}

/** The seed's rules for telemetry access to this group, and the person's longest grant; 422 naming the rule. */
export function checkRequestEligibility(person: PersonFacts, groupKey: GroupKey, durationDays: number, now: Date, field = "groupKey"): Date {
  const rule = groupViolation(person, groupKey) ?? roleViolation(person, "viewer");
  if (rule) refuseRule(rule, field);
  const expiresAt = new Date(now.getTime() + durationDays * DAY_MS);
  checkExpiry(person, expiresAt, now, "durationDays");
  return expiresAt;
}

/** The groups whose requests this actor may decide: every group for an admin, else the groups naming them. */
export async function approverGroupsOf(tx: Prisma.TransactionClient, actor: Pick<Actor, "personId" | "roles">): Promise<"all" | GroupKey[]> {
  if (actor.roles.includes("admin")) return "all";
  const rows = await tx.groupApprover.findMany({ where: { personId: actor.personId }, select: { groupKey: true } });
  return rows.map((row) => row.groupKey);
}

export function mayDecideGroup(groups: "all" | GroupKey[], groupKey: GroupKey): boolean {
  return groups === "all" || groups.includes(groupKey);
}

/** Refuses (403) anyone who decides no group's requests, before their input is read. */
export async function refuseNonApprover(tx: Prisma.TransactionClient, actor: Actor): Promise<"all" | GroupKey[]> {
  const groups = await approverGroupsOf(tx, actor);
  if (groups !== "all" && groups.length === 0) {
    throw new AppError("forbidden", "Only admins and a group's named approvers decide access requests.");
  }
  return groups;
}

/** Ids of the people who may decide this group's requests now (admins in force and the named approvers). */
export async function approverIdsFor(tx: Prisma.TransactionClient, groupKey: GroupKey, now: Date): Promise<string[]> {
  const admins = await tx.grant.findMany({ where: { role: "admin", ...grantInForce(now), person: { status: "active" } }, select: { personId: true } });
  const named = await tx.groupApprover.findMany({ where: { groupKey, person: { status: "active" } }, select: { personId: true } });
  return [...new Set([...admins.map((row) => row.personId), ...named.map((row) => row.personId)])];
}

/** Locks one request for a decision: two approvers deciding it at once take turns, so it is granted at most once. */
export async function lockRequest(tx: Prisma.TransactionClient, requestId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM access_request WHERE id = ${requestId}::uuid FOR UPDATE`;
}

const personRef = { select: { id: true, name: true, email: true, employer: true, employmentType: true, managerId: true } } as const;

export const requestInclude = {
  requester: personRef,
  decidedBy: { select: { id: true, name: true, email: true } },
  approvals: { include: { approver: { select: { id: true, name: true, email: true } } }, orderBy: { approvedAt: "asc" } },
  grant: { select: { id: true, expiresAt: true, revokedAt: true } },
} satisfies Prisma.AccessRequestInclude;

export type RequestWithRelations = Prisma.AccessRequestGetPayload<{ include: typeof requestInclude }>;

export function requestDto(request: RequestWithRelations, now: Date): AccessRequestDto {
  return {
    id: request.id,
    kind: request.kind,
    status: request.status,
    requester: { id: request.requester.id, name: request.requester.name, email: request.requester.email, employer: request.requester.employer, employmentType: request.requester.employmentType },
    groupKey: request.groupKey,
    groupLabel: GROUP_LABELS[request.groupKey],
    durationDays: request.durationDays,
    justification: request.justification,
    ticketRef: request.ticketRef,
    createdAt: request.createdAt.toISOString(),
    lapsesAt: request.lapsesAt.toISOString(),
    decidedAt: request.decidedAt?.toISOString() ?? null,
    decidedBy: request.decidedBy,
    decisionReason: request.decisionReason,
    approvalsRequired: request.approvalsRequired,
    approvalsReason: request.approvalsReason,
    approvals: request.approvals.map((approval) => ({ approver: approval.approver, approvedAt: approval.approvedAt.toISOString(), comment: approval.comment })),
    grant: request.grant ? { id: request.grant.id, expiresAt: request.grant.expiresAt.toISOString(), state: grantStateOf(request.grant, now) } : null,
  };
}

/** What this actor may do with the request now (the decision functions check all of it again). */
export function actionsFor(request: RequestWithRelations, actor: Actor, groups: "all" | GroupKey[], now: Date): AccessRequestActionsDto {
  const open = request.status === "pending" && request.lapsesAt > now;
  const isOwn = request.requesterId === actor.personId;
  const decides = mayDecideGroup(groups, request.groupKey);
  const approvedAlready = request.approvals.some((approval) => approval.approverId === actor.personId);
  const isManager = request.requester.managerId === actor.personId;
  let note: string | null = null;
  if (open && decides && isOwn) note = "This is your own request: someone else must decide it.";
  else if (open && decides && approvedAlready) note = "You approved this request: it waits for another approver.";
  else if (open && decides && isManager) note = `You manage ${request.requester.name}: your approval counts, but it cannot be the only one — another approver must approve too.`;
  return {
    canApprove: open && decides && !isOwn && !approvedAlready,
    canDeny: open && decides && !isOwn,
    canCancel: open && isOwn,
    note,
  };
}

/** Who may read a request: its requester, the approvers of its group, admins and auditors. */
export function mayRead(request: Pick<RequestWithRelations, "requesterId" | "groupKey">, actor: Actor, groups: "all" | GroupKey[]): boolean {
  return request.requesterId === actor.personId || actor.roles.includes("auditor") || mayDecideGroup(groups, request.groupKey);
}
