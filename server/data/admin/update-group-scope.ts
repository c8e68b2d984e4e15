// Changes which event kinds and field classes a group grants, with a
// justification. Takes effect on the members' next request (the gate reads
// the scope every time). Audited (admin.group_scope_update) with before/after.
import "server-only";
import { EVENT_KINDS, FIELD_CLASSES } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { lockAccessList } from "./access-list";
import { updateGroupScopeInputSchema } from "./schemas";
import type { GroupDto } from "./types";

const groupKeyHint = (input: unknown) => {
  const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>).groupKey : undefined;
  return typeof value === "string" && /^[a-z_]{1,32}$/.test(value) ? value : undefined;
};

export async function updateGroupScope(input: unknown): Promise<Pick<GroupDto, "key" | "eventKinds" | "fieldClasses">> {
  return audited(
    { action: "admin.group_scope_update", permission: "access.manage", details: { targetType: "group", targetId: groupKeyHint(input) } },
    async ({ tx, actor }) => {
      const parsed = parseInput(updateGroupScopeInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const group = await tx.accessGroup.findUnique({ where: { key: parsed.groupKey } });
      if (!group) throw new AppError("not_found", "No such group.");
      // Canonical order, no duplicates: the audit row compares like with like.
      const eventKinds = EVENT_KINDS.filter((kind) => parsed.eventKinds.includes(kind));
      const fieldClasses = FIELD_CLASSES.filter((fieldClass) => parsed.fieldClasses.includes(fieldClass));
      const before = {
        eventKinds: EVENT_KINDS.filter((kind) => group.eventKinds.includes(kind)),
        fieldClasses: FIELD_CLASSES.filter((fieldClass) => group.fieldClasses.includes(fieldClass)),
      };
      if (before.eventKinds.join() === eventKinds.join() && before.fieldClasses.join() === fieldClasses.join()) {
        throw new AppError("unprocessable", `Nothing to change: ${group.name} already grants exactly this.`);
      }
      await tx.accessGroup.update({ where: { key: group.key }, data: { eventKinds, fieldClasses } });
      return {
        value: { key: group.key, eventKinds, fieldClasses },
        audit: { targetType: "group", targetId: group.key, reason: parsed.justification, before, after: { eventKinds, fieldClasses } },
      };
    },
  );
}
