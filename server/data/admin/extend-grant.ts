// Moves a grant's expiry later, with a justification, within the same limits
// as a new grant (counted from today). Not one's own grant (403), not a
// revoked or already expired one (409: grant again instead), not beyond the
// maximum (422). The justification is appended to the grant's own, so its
// history reads on the person's page. Audited (admin.grant_extend).
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { accessOf, accessViolation, checkExpiry, grantSnapshot, isoDate, lockAccessList, refuseRule, refuseSelf, targetHint } from "./access-list";
import { extendGrantInputSchema } from "./schemas";

export async function extendGrant(input: unknown): Promise<{ grantId: string; personId: string; expiresAt: string }> {
  return audited(
    { action: "admin.grant_extend", permission: "access.manage", details: { targetType: "grant", targetId: targetHint(input, "grantId") } },
    async ({ tx, actor }) => {
      const { grantId, expiresAt, justification } = parseInput(extendGrantInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const grant = await tx.grant.findUnique({ where: { id: grantId }, include: { person: true } });
      if (!grant) throw new AppError("not_found", "No such grant.");
      const { person } = grant;
      refuseSelf(actor, person.id, "extend the access of");
      const access = accessOf(grant);
      if (grant.revokedAt) throw new AppError("conflict", `This grant (${access.label}) was revoked; grant access again instead.`);
      if (grant.expiresAt <= now) throw new AppError("conflict", `This grant (${access.label}) has already expired; grant access again, with a new justification.`);
      if (person.status === "disabled") throw new AppError("conflict", `${person.name} is disabled: re-enable them before extending a grant.`);
      const rule = accessViolation(person, access);
      if (rule) refuseRule(rule, "expiresAt");
      if (expiresAt.getTime() <= grant.expiresAt.getTime()) {
        const message = `The new expiry must be later than the current one (${isoDate(grant.expiresAt)}).`;
        throw new AppError("unprocessable", message, [{ path: "expiresAt", message }]);
      }
      checkExpiry(person, expiresAt, now);

      const note = `Extended on ${isoDate(now)} by ${actor.name} <${actor.email}> until ${isoDate(expiresAt)}: ${justification}`;
      const updated = await tx.grant.update({ where: { id: grantId }, data: { expiresAt, justification: `${grant.justification}\n\n${note}` } });
      return {
        value: { grantId, personId: person.id, expiresAt: updated.expiresAt.toISOString() },
        audit: { targetType: "grant", targetId: grantId, reason: justification, before: grantSnapshot(grant, person), after: grantSnapshot(updated, person) },
      };
    },
  );
}
