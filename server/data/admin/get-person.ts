// One person on the access list with their grants' history (granted by whom,
// why, until when; revoked by whom and why) and what the forms may offer them.
// Audited (admin.view) with the person as target.
import "server-only";
import { GROUPS_BY_EMPLOYER, roleViolation } from "@/lib/access/eligibility";
import { capabilityOf } from "@/lib/access/capability";
import type { Role } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { parseInput } from "@/server/http/parse-input";
import { accessOf, activeAdminIds, DAY_MS, findPersonOrThrow, grantStateOf, isoDate, maxExpiry, parseAccessCode, targetHint } from "./access-list";
import { DURATION_PRESETS, getPersonInputSchema } from "./schemas";

const STAFF_ROLES: readonly Role[] = ["admin", "auditor"];
import type { GrantDto, PersonDetailDto, PersonRefDto } from "./types";

const personRef = { select: { id: true, name: true, email: true } } as const;

function ref(person: PersonRefDto | null): PersonRefDto | null {
  return person ? { id: person.id, name: person.name, email: person.email } : null;
}

export async function getPerson(input: unknown): Promise<PersonDetailDto> {
  return audited(
    { action: "admin.view", permission: "access.manage", details: { targetType: "person", targetId: targetHint(input, "personId") } },
    async ({ tx, actor }) => {
      const { personId } = parseInput(getPersonInputSchema, input);
      const now = new Date();
      const person = await findPersonOrThrow(tx, personId);
      const grants = await tx.grant.findMany({
        where: { personId },
        include: { grantedBy: personRef, revokedBy: personRef },
        orderBy: [{ grantedAt: "desc" }, { id: "desc" }],
      });
      const activeSessions = await tx.session.count({
        where: { expires: { gt: now }, user: { OR: [{ personId }, { email: { equals: person.email, mode: "insensitive" } }] } },
      });
      const admins = await activeAdminIds(tx, now);

      const grantDtos: GrantDto[] = grants.map((grant) => ({
        id: grant.id,
        access: accessOf(grant),
        state: grantStateOf(grant, now),
        justification: grant.justification,
        grantedAt: grant.grantedAt.toISOString(),
        grantedBy: ref(grant.grantedBy),
        expiresAt: grant.expiresAt.toISOString(),
        revokedAt: grant.revokedAt?.toISOString() ?? null,
        revokedBy: ref(grant.revokedBy),
        revokeReason: grant.revokeReason,
      }));
      const hasActiveGrant = grantDtos.some((grant) => grant.state === "active");
      // Telemetry access is offered as one thing (group + viewer role); admin and auditor stay separate roles.
      const allowedAccess = [
        ...GROUPS_BY_EMPLOYER[person.employer].map((key) => parseAccessCode(`telemetry:${key}`)),
        ...STAFF_ROLES.filter((role) => roleViolation(person, role) === null).map((role) => parseAccessCode(`role:${role}`)),
      ];
      const max = maxExpiry(person, now);
      const inForce = grants.filter((grant) => grantStateOf(grant, now) === "active");
      const expired = grants.filter((grant) => grantStateOf(grant, now) === "expired");
      const capability = capabilityOf(
        {
          personStatus: person.status,
          groups: inForce.flatMap((grant) => (grant.groupKey ? [grant.groupKey] : [])),
          roles: inForce.flatMap((grant) => (grant.role ? [grant.role] : [])),
          nextExpiry: inForce.length > 0 ? new Date(Math.min(...inForce.map((grant) => grant.expiresAt.getTime()))) : null,
          lastExpiredAt: expired.length > 0 ? new Date(Math.max(...expired.map((grant) => grant.expiresAt.getTime()))) : null,
        },
        now,
      );

      return {
        value: {
          id: person.id,
          name: person.name,
          email: person.email,
          employer: person.employer,
          employmentType: person.employmentType,
          personStatus: person.status,
          status: person.status === "disabled" ? "disabled" : hasActiveGrant ? "active" : "no_access",
          capability,
          disabledAt: person.disabledAt?.toISOString() ?? null,
          disabledReason: person.disabledReason,
          boundAt: person.boundAt?.toISOString() ?? null,
          createdAt: person.createdAt.toISOString(),
          updatedAt: person.updatedAt.toISOString(),
          activeSessions,
          manager: person.managerId ? await tx.person.findUnique({ where: { id: person.managerId }, select: { id: true, name: true, email: true } }) : null,
          grants: grantDtos,
          options: {
            isSelf: actor.personId === person.id,
            isLastActiveAdmin: admins.length === 1 && admins[0] === person.id,
            // An OpenAI contractor may hold nothing at all (the seed's first rule).
            allowedAccess: person.employer === "openai" && person.employmentType !== "employee" ? [] : allowedAccess.map(({ code, label }) => ({ code, label })),
            maxGrantDays: max.days,
            durationPresets: DURATION_PRESETS.filter((days) => days <= max.days),
            latestExpiryDate: max.latestDate,
            earliestExpiryDate: isoDate(new Date(now.getTime() + DAY_MS)),
          },
        },
        audit: { targetType: "person", targetId: person.id, filters: { view: "person" } },
      };
    },
  );
}
