// Rename or delete a saved view: its owner only. Someone who may open it but
// does not own it is refused (403); someone who may not even open it hears
// the same 404 as for a view that does not exist. Audited (views.rename,
// views.delete) with the record before and after.
import "server-only";
import { canSeeView, renameViewInputSchema, viewIdInputSchema } from "@/lib/telemetry/saved-view";
import type { Prisma } from "@/server/db/generated/client";
import { audited } from "@/server/access/audited";
import type { Actor } from "@/server/access/resolve-actor";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { toViewDto, VIEW_NOT_FOUND, VIEW_SELECT, type SavedViewDto } from "./view-dto";

const wellFormedId = (input: { id?: unknown }) => (typeof input.id === "string" && /^[0-9a-f-]{36}$/i.test(input.id) ? input.id : undefined);

async function ownedView(tx: Prisma.TransactionClient, actor: Actor, id: string) {
  // FOR UPDATE: a rename and a delete of one view do not interleave.
  await tx.$queryRaw`SELECT id FROM saved_view WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.savedView.findUnique({ where: { id }, select: VIEW_SELECT });
  if (!row || !canSeeView(row, actor)) throw new AppError("not_found", VIEW_NOT_FOUND);
  if (row.ownerId !== actor.personId) throw new AppError("forbidden", `Only ${row.owner.name}, who saved this view, may rename or delete it.`);
  return row;
}

export async function renameView(input: { id?: unknown; name?: unknown }): Promise<SavedViewDto> {
  const targetId = wellFormedId(input);
  return audited(
    { action: "views.rename", permission: "telemetry.read", details: { targetType: "saved_view", ...(targetId ? { targetId } : {}) } },
    async ({ tx, actor }) => {
      const { id, name } = parseInput(renameViewInputSchema, input);
      const before = await ownedView(tx, actor, id);
      const row = await tx.savedView.update({ where: { id }, data: { name, updatedAt: new Date() }, select: VIEW_SELECT });
      return { value: toViewDto(row, actor.personId), audit: { before: { name: before.name }, after: { name: row.name } } };
    },
  );
}

export async function deleteView(input: { id?: unknown }): Promise<void> {
  const targetId = wellFormedId(input);
  return audited(
    { action: "views.delete", permission: "telemetry.read", details: { targetType: "saved_view", ...(targetId ? { targetId } : {}) } },
    async ({ tx, actor }) => {
      const { id } = parseInput(viewIdInputSchema, input);
      const before = await ownedView(tx, actor, id);
      await tx.savedView.delete({ where: { id } });
      return {
        value: undefined,
        audit: { before: { name: before.name, visibility: before.visibility, group: before.groupKey, query: toViewDto(before, actor.personId).query } },
      };
    },
  );
}
