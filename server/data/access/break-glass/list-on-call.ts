// Every group's on-call people, for the admin page. Admins only; audited (admin.view).
import "server-only";
import { GROUP_KEYS, GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";

export type OnCallListDto = Array<{ key: GroupKey; label: string; people: Array<{ id: string; name: string; email: string }> }>;

export async function listOnCall(): Promise<OnCallListDto> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "break_glass_on_call" } }, async ({ tx }) => {
    const rows = await tx.breakGlassOnCall.findMany({ include: { person: { select: { id: true, name: true, email: true } } }, orderBy: [{ groupKey: "asc" }] });
    const value = GROUP_KEYS.map((key) => ({
      key,
      label: GROUP_LABELS[key],
      people: rows.filter((row) => row.groupKey === key).map((row) => row.person).sort((a, b) => a.email.localeCompare(b.email)),
    }));
    return { value, audit: { rowCount: rows.length } };
  });
}
