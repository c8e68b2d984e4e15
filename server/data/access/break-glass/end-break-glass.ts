// Ends a break-glass access before its time: its holder (done early) or an
// admin (stopping it). The access stops at once; its post-review is still
// owed. Audited (access.break_glass_end).
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { targetHint } from "@/server/data/admin/access-list";
import { breakGlassStateOf } from "./rules";
import { breakGlassIdInputSchema } from "./schemas";

export async function endBreakGlass(input: unknown): Promise<{ breakGlassId: string }> {
  return audited(
    { action: "access.break_glass_end", permission: null, allowWithoutGrant: true, details: { targetType: "break_glass", targetId: targetHint(input, "breakGlassId") } },
    async ({ tx, actor }) => {
      const { breakGlassId } = parseInput(breakGlassIdInputSchema, input);
      const now = new Date();
      await tx.$queryRaw`SELECT id FROM break_glass_access WHERE id = ${breakGlassId}::uuid FOR UPDATE`;
      const access = await tx.breakGlassAccess.findUnique({ where: { id: breakGlassId } });
      const isHolder = access?.personId === actor.personId;
      if (!access || (!isHolder && !actor.roles.includes("admin") && !actor.roles.includes("auditor"))) throw new AppError("not_found", "No such break-glass access.");
      if (!isHolder && !actor.roles.includes("admin")) throw new AppError("forbidden", "Only its holder or an admin ends a break-glass access early.");
      if (breakGlassStateOf(access, now) !== "active") throw new AppError("conflict", "This break-glass access has already ended.");
      await tx.breakGlassAccess.update({ where: { id: access.id }, data: { endedAt: now, endedById: actor.personId } });
      return {
        value: { breakGlassId: access.id },
        audit: { targetType: "break_glass", targetId: access.id, before: { expiresAt: access.expiresAt, endedAt: null }, after: { expiresAt: access.expiresAt, endedAt: now } },
      };
    },
  );
}
