// Grants telemetry access to a group (the group and the viewer role in one
// grant), or a role, with one justification and one expiry: a date, or 30/60/90
// days from now.
// Enforced here, whatever the form offered: not to oneself (403); not to a
// disabled person (409); the seed's eligibility rules (422, the rule named);
// an expiry in the future and within the maximum (contractors shorter; 422);
// no second active grant of the same access (409: extend it instead).
// Audited (admin.grant_create) with the grant as created.
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import {
  accessColumns,
  accessViolation,
  DAY_MS,
  activeGrantWhere,
  checkExpiry,
  findPersonOrThrow,
  grantSnapshot,
  isoDate,
  lockAccessList,
  parseAccessCode,
  refuseRule,
  refuseSelf,
  targetHint,
} from "./access-list";
import { grantAccessInputSchema } from "./schemas";
import type { AccessDto } from "./types";

export async function grantAccess(input: unknown): Promise<{ grantId: string; personId: string; access: AccessDto; expiresAt: string }> {
  return audited(
    { action: "admin.grant_create", permission: "access.manage", details: { targetType: "person", targetId: targetHint(input, "personId") } },
    async ({ tx, actor }) => {
      const { personId, access: code, expiresAt: givenExpiry, durationDays, justification } = parseInput(grantAccessInputSchema, input);
      const access = parseAccessCode(code);
      const now = new Date();
      const expiresAt = givenExpiry ?? new Date(now.getTime() + (durationDays ?? 0) * DAY_MS);
      await lockAccessList(tx, actor, now);
      const person = await findPersonOrThrow(tx, personId);
      refuseSelf(actor, person.id, "grant access to");
      if (person.status === "disabled") throw new AppError("conflict", `${person.name} is disabled: re-enable them before granting access.`);
      const rule = accessViolation(person, access);
      if (rule) refuseRule(rule, "access");
      const duplicate = await tx.grant.findFirst({ where: { personId, ...accessColumns(access), ...activeGrantWhere(now) } });
      if (duplicate) {
        throw new AppError("conflict", `${person.name} already holds ${access.label} until ${isoDate(duplicate.expiresAt)}: extend that grant instead.`, [
          { path: "access", message: `already in force until ${isoDate(duplicate.expiresAt)}: extend it instead` },
        ]);
      }
      checkExpiry(person, expiresAt, now);

      const grant = await tx.grant.create({
        data: { personId, ...accessColumns(access), justification, expiresAt, grantedAt: now, grantedById: actor.personId },
      });
      return {
        value: { grantId: grant.id, personId, access, expiresAt: grant.expiresAt.toISOString() },
        audit: { targetType: "grant", targetId: grant.id, reason: justification, before: null, after: grantSnapshot(grant, person) },
      };
    },
  );
}
