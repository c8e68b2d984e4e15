// "My access": what the signed-in person can do now, every grant they ever
// held (expired and revoked ones stay visible, with their history), every
// request they made with its status and decision, and what they may ask for.
// Open to anyone listed and active, grant or not (the request area).
// Audited (access.my_access_view).
import "server-only";
import { capabilityOf } from "@/lib/access/capability";
import { GROUPS_BY_EMPLOYER, groupViolation, maxGrantDays } from "@/lib/access/eligibility";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { accessOf, findPersonOrThrow, grantLimits, grantStateOf } from "@/server/data/admin/access-list";
import { DURATION_PRESETS } from "@/server/data/admin/schemas";
import type { GrantDto } from "@/server/data/admin/types";
import { approvalsNeeded, approverGroupsOf, requestDto, requestInclude } from "./rules";
import type { MyAccessDto } from "./types";

const personRef = { select: { id: true, name: true, email: true } } as const;

export async function getMyAccess(): Promise<MyAccessDto> {
  return audited({ action: "access.my_access_view", permission: null, allowWithoutGrant: true, details: { targetType: "person" } }, async ({ tx, actor }) => {
    const now = new Date();
    const person = await findPersonOrThrow(tx, actor.personId);
    const grants = await tx.grant.findMany({
      where: { personId: person.id },
      include: { grantedBy: personRef, revokedBy: personRef },
      orderBy: [{ grantedAt: "desc" }, { id: "desc" }],
    });
    const requests = await tx.accessRequest.findMany({ where: { requesterId: person.id }, include: requestInclude, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    const groups = await tx.accessGroup.findMany({ orderBy: { key: "asc" } });
    const approverOf = await approverGroupsOf(tx, actor);
    const pendingForMe =
      approverOf === "all" || approverOf.length > 0
        ? await tx.accessRequest.count({
            where: {
              status: "pending",
              lapsesAt: { gt: now },
              requesterId: { not: person.id },
              approvals: { none: { approverId: person.id } },
              ...(approverOf === "all" ? {} : { groupKey: { in: approverOf } }),
            },
          })
        : 0;

    const inForce = grants.filter((grant) => grantStateOf(grant, now) === "active");
    const expired = grants.filter((grant) => grantStateOf(grant, now) === "expired");
    const grantDtos: GrantDto[] = grants.map((grant) => ({
      id: grant.id,
      access: accessOf(grant),
      state: grantStateOf(grant, now),
      justification: grant.justification,
      grantedAt: grant.grantedAt.toISOString(),
      grantedBy: grant.grantedBy,
      expiresAt: grant.expiresAt.toISOString(),
      revokedAt: grant.revokedAt?.toISOString() ?? null,
      revokedBy: grant.revokedBy,
      revokeReason: grant.revokeReason,
    }));
    const maxDays = maxGrantDays(person, grantLimits());
    return {
      value: {
        name: person.name,
        email: person.email,
        employer: person.employer,
        employmentType: person.employmentType,
        capability: capabilityOf(
          {
            personStatus: person.status,
            groups: inForce.flatMap((grant) => (grant.groupKey ? [grant.groupKey] : [])),
            roles: inForce.flatMap((grant) => (grant.role ? [grant.role] : [])),
            nextExpiry: inForce.length > 0 ? new Date(Math.min(...inForce.map((grant) => grant.expiresAt.getTime()))) : null,
            lastExpiredAt: expired.length > 0 ? new Date(Math.max(...expired.map((grant) => grant.expiresAt.getTime()))) : null,
          },
          now,
        ),
        grants: grantDtos,
        requests: requests.map((request) => requestDto(request, now)),
        eligibleGroups: groups
          .filter((group) => GROUPS_BY_EMPLOYER[person.employer].includes(group.key) && groupViolation(person, group.key) === null)
          .map((group) => ({ key: group.key, label: GROUP_LABELS[group.key], ...(({ required, reason }) => ({ approvalsRequired: required, approvalsReason: reason }))(approvalsNeeded(person, group)) })),
        durationPresets: DURATION_PRESETS.filter((days) => days <= maxDays),
        maxGrantDays: maxDays,
        isApprover: approverOf === "all" || approverOf.length > 0,
        pendingForMe,
      },
      audit: { targetType: "person", targetId: person.id, filters: { view: "my_access" } },
    };
  });
}
