// Sets who approves a group's access requests besides the admins (people on
// the access list, active, by email) and how many distinct approvers its
// requests need (1–3; 2–3 for requests from Microsoft or OpenAI personnel or
// for a scope with content — never fewer than two). Applies to requests made
// from now on. With a justification; audited (admin.group_approvers_update)
// with before/after.
import "server-only";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { updateGroupApproversInputSchema } from "@/server/data/access/schemas";
import { lockAccessList } from "./access-list";

export async function updateGroupApprovers(input: unknown): Promise<{ groupKey: string; approvers: number }> {
  return audited({ action: "admin.group_approvers_update", permission: "access.manage", details: { targetType: "group" } }, async ({ tx, actor }) => {
    const { groupKey, approverEmails, approvalsRequired, sensitiveApprovalsRequired, justification } = parseInput(updateGroupApproversInputSchema, input);
    const now = new Date();
    await lockAccessList(tx, actor, now);
    const emails = [...new Set(approverEmails)];
    const people = await tx.person.findMany({ where: { email: { in: emails } } });
    const missing = emails.filter((email) => !people.some((person) => person.email === email));
    if (missing.length > 0) {
      const message = `Not on the access list: ${missing.join(", ")}. Add them first.`;
      throw new AppError("unprocessable", message, [{ path: "approverEmails", message }]);
    }
    const disabled = people.filter((person) => person.status !== "active");
    if (disabled.length > 0) {
      const message = `Disabled: ${disabled.map((person) => person.email).join(", ")}.`;
      throw new AppError("unprocessable", message, [{ path: "approverEmails", message }]);
    }
    const group = await tx.accessGroup.findUniqueOrThrow({ where: { key: groupKey }, include: { approvers: { include: { person: { select: { email: true } } } } } });
    const before = {
      approvers: group.approvers.map((approver) => approver.person.email).sort(),
      approvalsRequired: group.approvalsRequired,
      sensitiveApprovalsRequired: group.sensitiveApprovalsRequired,
    };
    await tx.groupApprover.deleteMany({ where: { groupKey, personId: { notIn: people.map((person) => person.id) } } });
    await tx.groupApprover.createMany({ data: people.map((person) => ({ groupKey, personId: person.id, addedById: actor.personId, addedAt: now })), skipDuplicates: true });
    await tx.accessGroup.update({ where: { key: groupKey }, data: { approvalsRequired, sensitiveApprovalsRequired } });
    return {
      value: { groupKey, approvers: people.length },
      audit: {
        targetType: "group",
        targetId: groupKey,
        reason: justification,
        before,
        after: { group: GROUP_LABELS[groupKey], approvers: emails.sort(), approvalsRequired, sensitiveApprovalsRequired },
      },
    };
  });
}
