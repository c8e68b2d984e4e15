// Re-enables a disabled person. Their grants are as they were (expired ones
// stay expired; revoked ones stay revoked). Audited (admin.person_enable, the counterpart of
// admin.person_disable) with before/after.
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { findPersonOrThrow, lockAccessList, personSnapshot, refuseSelf, targetHint } from "./access-list";
import { personReasonInputSchema } from "./schemas";
import type { PersonRefDto } from "./types";

export async function enablePerson(input: unknown): Promise<PersonRefDto> {
  return audited(
    { action: "admin.person_enable", permission: "access.manage", details: { targetType: "person", targetId: targetHint(input, "personId") } },
    async ({ tx, actor }) => {
      const { personId, reason } = parseInput(personReasonInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const person = await findPersonOrThrow(tx, personId);
      refuseSelf(actor, person.id, "re-enable");
      if (person.status === "active") throw new AppError("conflict", `${person.name} is not disabled.`);

      const updated = await tx.person.update({ where: { id: personId }, data: { status: "active", disabledAt: null, disabledReason: null } });
      return {
        value: { id: person.id, name: person.name, email: person.email },
        audit: { targetType: "person", targetId: personId, reason, before: personSnapshot(person), after: personSnapshot(updated) },
      };
    },
  );
}
