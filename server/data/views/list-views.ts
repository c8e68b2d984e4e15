// The saved views a person may open: their own, and those shared with a group
// they are in now (grants in force, resolved on this request). Audited
// (views.list) with how many were listed.
import "server-only";
import { audited } from "@/server/access/audited";
import { toViewDto, VIEW_SELECT, type SavedViewDto } from "./view-dto";

export async function listViews(): Promise<SavedViewDto[]> {
  return audited({ action: "views.list", permission: "telemetry.read", details: { targetType: "saved_view" } }, async ({ tx, actor }) => {
    const rows = await tx.savedView.findMany({
      where: { OR: [{ ownerId: actor.personId }, { visibility: "group", groupKey: { in: actor.groups } }] },
      select: VIEW_SELECT,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      take: 500,
    });
    return { value: rows.map((row) => toViewDto(row, actor.personId)), audit: { rowCount: rows.length } };
  });
}
