// Disables a person: they keep their history but lose all access at once
// (their sessions are deleted in the same transaction; the gate also refuses
// a disabled person on every request). Refused for oneself (403) and for the
// last active admin (409). Audited (admin.person_disable) with before/after.
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { endSessionsOf, findPersonOrThrow, lockAccessList, personSnapshot, refuseLastAdmin, refuseSelf, targetHint } from "./access-list";
import { personReasonInputSchema } from "./schemas";
import type { PersonRefDto } from "./types";

export async function disablePerson(input: unknown): Promise<PersonRefDto & { sessionsEnded: number }> {
  return audited(
    { action: "admin.person_disable", permission: "access.manage", details: { targetType: "person", targetId: targetHint(input, "personId") } },
    async ({ tx, actor }) => {
      const { personId, reason } = parseInput(personReasonInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const person = await findPersonOrThrow(tx, personId);
      if (person.status === "disabled") throw new AppError("conflict", `${person.name} is already disabled.`);
      await refuseLastAdmin(tx, person, now, "disabling them");
      refuseSelf(actor, person.id, "disable");

      const updated = await tx.person.update({ where: { id: personId }, data: { status: "disabled", disabledAt: now, disabledReason: reason } });
      const sessionsEnded = await endSessionsOf(tx, person);
      return {
        value: { id: person.id, name: person.name, email: person.email, sessionsEnded },
        audit: { targetType: "person", targetId: personId, reason, before: personSnapshot(person), after: { ...personSnapshot(updated), sessionsEnded } },
      };
    },
  );
}
