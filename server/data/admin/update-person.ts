// Changes a person's name, email, employer or employment type. Refused for
// one's own entry (separation of duties), for facts that would break a seed
// rule given the grants the person holds (422, the rule named), and for an
// email already on the list (409). A new email ends the person's sessions.
// Audited (admin.person_update) with before and after.
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { activeGrantWhere, checkFactsAgainstGrants, endSessionsOf, findPersonOrThrow, lockAccessList, personSnapshot, refuseSelf, targetHint } from "./access-list";
import { updatePersonInputSchema } from "./schemas";
import type { PersonRefDto } from "./types";

export async function updatePerson(input: unknown): Promise<PersonRefDto> {
  return audited(
    { action: "admin.person_update", permission: "access.manage", details: { targetType: "person", targetId: targetHint(input, "personId") } },
    async ({ tx, actor }) => {
      const { personId, ...facts } = parseInput(updatePersonInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const person = await findPersonOrThrow(tx, personId);
      refuseSelf(actor, person.id, "change the access-list entry of");

      const changed = (Object.keys(facts) as Array<keyof typeof facts>).filter((key) => facts[key] !== person[key]);
      if (changed.length === 0) throw new AppError("unprocessable", "Nothing to change: the details are as they were.");
      if (facts.email !== person.email) {
        const taken = await tx.person.findUnique({ where: { email: facts.email }, select: { id: true } });
        if (taken) throw new AppError("conflict", `${facts.email} is already on the access list.`, [{ path: "email", message: "is already on the access list" }]);
      }
      const grants = await tx.grant.findMany({ where: { personId, ...activeGrantWhere(now) } });
      const field = changed.includes("employer") ? "employer" : changed.includes("employmentType") ? "employmentType" : changed[0]!;
      checkFactsAgainstGrants({ ...facts }, grants, now, field);

      const updated = await tx.person.update({ where: { id: personId }, data: facts });
      // Sessions belong to an email; the old address must not keep one open.
      const sessionsEnded = facts.email !== person.email ? (await endSessionsOf(tx, person)) : 0;
      return {
        value: { id: updated.id, name: updated.name, email: updated.email },
        audit: {
          targetType: "person",
          targetId: personId,
          before: personSnapshot(person),
          after: { ...personSnapshot(updated), changed, sessionsEnded },
        },
      };
    },
  );
}
