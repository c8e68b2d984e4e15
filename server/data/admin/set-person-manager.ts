// Sets (or clears) who manages a person: a manager's approval alone never
// grants their report access (server/data/access/decide-access-request.ts).
// The identity provider can set it too (SCIM enterprise `manager`). Refused
// for one's own entry and for one's own report (the rule would be theirs to
// lift): another admin does it. The manager must be another person on the
// list. With a justification; audited (admin.person_update) with before/after.
import "server-only";
import { z } from "zod";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { findPersonOrThrow, lockAccessList, refuseSelf, targetHint } from "./access-list";
import { idSchema, justificationSchema } from "./schemas";

export const setPersonManagerInputSchema = z.strictObject({
  personId: idSchema,
  /** blank: no manager */
  managerEmail: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? null : value === undefined ? null : value),
    z.string("must be text").trim().toLowerCase().pipe(z.email("Enter the manager's email address (as on the access list), or leave it blank.")).nullable(),
  ),
  justification: justificationSchema,
});

export async function setPersonManager(input: unknown): Promise<{ id: string; managerId: string | null }> {
  return audited(
    { action: "admin.person_update", permission: "access.manage", details: { targetType: "person", targetId: targetHint(input, "personId") } },
    async ({ tx, actor }) => {
      const { personId, managerEmail, justification } = parseInput(setPersonManagerInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const person = await findPersonOrThrow(tx, personId);
      refuseSelf(actor, person.id, "change the manager of");
      if (person.managerId === actor.personId) {
        throw new AppError("forbidden", `You manage ${person.name}: another admin must change their manager (separation of duties).`);
      }
      const manager = managerEmail ? await tx.person.findUnique({ where: { email: managerEmail } }) : null;
      if (managerEmail && !manager) throw new AppError("unprocessable", `${managerEmail} is not on the access list.`, [{ path: "managerEmail", message: "is not on the access list" }]);
      if (manager?.id === person.id) throw new AppError("unprocessable", "A person cannot be their own manager.", [{ path: "managerEmail", message: "is this person" }]);
      const managerId = manager?.id ?? null;
      if (managerId === person.managerId) throw new AppError("unprocessable", "Nothing to change: the manager is as it was.", [{ path: "managerEmail", message: "unchanged" }]);
      await tx.person.update({ where: { id: person.id }, data: { managerId } });
      return {
        value: { id: person.id, managerId },
        audit: { targetType: "person", targetId: person.id, reason: justification, before: { managerId: person.managerId }, after: { managerId, managerEmail: manager?.email ?? null, changed: ["managerId"] } },
      };
    },
  );
}
