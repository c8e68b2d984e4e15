// Adds a named person to the access list (without any grant yet). Refuses an
// OpenAI contractor with the seed's rule (422) and a duplicate email (409).
// Audited (admin.person_create) with the person as created.
import "server-only";
import { personViolation } from "@/lib/access/eligibility";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { lockAccessList, personSnapshot, refuseRule } from "./access-list";
import { createPersonInputSchema } from "./schemas";
import type { PersonRefDto } from "./types";

export async function createPerson(input: unknown): Promise<PersonRefDto> {
  return audited({ action: "admin.person_create", permission: "access.manage", details: { targetType: "person" } }, async ({ tx, actor }) => {
    const facts = parseInput(createPersonInputSchema, input);
    const now = new Date();
    await lockAccessList(tx, actor, now);
    const rule = personViolation(facts);
    if (rule) refuseRule(rule, "employmentType");
    const existing = await tx.person.findUnique({ where: { email: facts.email }, select: { id: true } });
    if (existing) {
      throw new AppError("conflict", `${facts.email} is already on the access list.`, [{ path: "email", message: "is already on the access list" }]);
    }
    const person = await tx.person.create({ data: facts });
    return {
      value: { id: person.id, name: person.name, email: person.email },
      audit: { targetType: "person", targetId: person.id, before: null, after: personSnapshot(person) },
    };
  });
}
