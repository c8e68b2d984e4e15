// The four groups with their scopes (event kinds, field classes), how many
// people hold each now, and who approves their access requests. Audited (admin.view).
import "server-only";
import { EVENT_KINDS, FIELD_CLASSES, GROUP_KEYS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { activeGrantWhere } from "./access-list";
import type { GroupDto } from "./types";

export async function listGroups(): Promise<GroupDto[]> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "group" } }, async ({ tx }) => {
    const now = new Date();
    const groups = await tx.accessGroup.findMany({ include: { approvers: { include: { person: { select: { email: true } } } } } });
    const members = await tx.grant.groupBy({
      by: ["groupKey"],
      where: { groupKey: { not: null }, ...activeGrantWhere(now), person: { status: "active" } },
      _count: { personId: true },
    });
    const items = groups
      .sort((a, b) => GROUP_KEYS.indexOf(a.key) - GROUP_KEYS.indexOf(b.key))
      .map((group) => ({
        key: group.key,
        name: group.name,
        description: group.description,
        eventKinds: EVENT_KINDS.filter((kind) => group.eventKinds.includes(kind)),
        fieldClasses: FIELD_CLASSES.filter((fieldClass) => group.fieldClasses.includes(fieldClass)),
        updatedAt: group.updatedAt.toISOString(),
        activeMembers: members.find((row) => row.groupKey === group.key)?._count.personId ?? 0,
        approverEmails: group.approvers.map((approver) => approver.person.email).sort(),
        approvalsRequired: group.approvalsRequired,
        sensitiveApprovalsRequired: group.sensitiveApprovalsRequired,
      }));
    return { value: items, audit: { filters: { view: "groups" }, rowCount: items.length } };
  });
}
