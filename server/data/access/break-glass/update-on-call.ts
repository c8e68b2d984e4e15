// Sets a group's named on-call people: the only ones who may take
// break-glass access to it. People on the access list, active, and allowed
// the group by the seed's rules (an OpenAI contractor never, a Microsoft
// person only the Microsoft group): 422 naming the field otherwise. With a
// justification; audited (admin.break_glass_on_call_update) with before/after.
import "server-only";
import { groupViolation, roleViolation } from "@/lib/access/eligibility";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { lockAccessList } from "@/server/data/admin/access-list";
import { updateOnCallInputSchema } from "./schemas";

export async function updateOnCall(input: unknown): Promise<{ groupKey: string; onCall: number }> {
  return audited({ action: "admin.break_glass_on_call_update", permission: "access.manage", details: { targetType: "group" } }, async ({ tx, actor }) => {
    const { groupKey, onCallEmails, justification } = parseInput(updateOnCallInputSchema, input);
    const now = new Date();
    await lockAccessList(tx, actor, now);
    const emails = [...new Set(onCallEmails)].sort();
    const people = await tx.person.findMany({ where: { email: { in: emails } } });
    const refuse = (message: string): never => {
      throw new AppError("unprocessable", message, [{ path: "onCallEmails", message }]);
    };
    const missing = emails.filter((email) => !people.some((person) => person.email === email));
    if (missing.length > 0) refuse(`Not on the access list: ${missing.join(", ")}. Add them first.`);
    const disabled = people.filter((person) => person.status !== "active");
    if (disabled.length > 0) refuse(`Disabled: ${disabled.map((person) => person.email).join(", ")}.`);
    for (const person of people) {
      const rule = groupViolation(person, groupKey) ?? roleViolation(person, "viewer");
      if (rule) refuse(`${person.email} cannot be on call for ${GROUP_LABELS[groupKey]}: ${rule.message}`);
    }
    const before = await tx.breakGlassOnCall.findMany({ where: { groupKey }, include: { person: { select: { email: true } } } });
    await tx.breakGlassOnCall.deleteMany({ where: { groupKey, personId: { notIn: people.map((person) => person.id) } } });
    await tx.breakGlassOnCall.createMany({ data: people.map((person) => ({ groupKey, personId: person.id, addedById: actor.personId, addedAt: now })), skipDuplicates: true });
    return {
      value: { groupKey, onCall: people.length },
      audit: {
        targetType: "group",
        targetId: groupKey,
        reason: justification,
        before: { onCall: before.map((row) => row.person.email).sort() },
        after: { group: GROUP_LABELS[groupKey], onCall: emails },
      },
    };
  });
}

