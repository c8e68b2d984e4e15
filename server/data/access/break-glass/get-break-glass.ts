// One break-glass access: for its holder, auditors and admins (anyone else
// hears 404), with what this actor may do with it now and how many audit rows
// carry its mark. Audited (access.break_glass_view).
import "server-only";
import { audited } from "@/server/access/audited";
import { breakGlassMark } from "@/server/access/resolve-actor";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { targetHint } from "@/server/data/admin/access-list";
import { breakGlassDto, breakGlassInclude, isBreakGlassReviewer, type BreakGlassDto } from "./rules";
import { breakGlassIdInputSchema } from "./schemas";

export type BreakGlassDetailDto = {
  access: BreakGlassDto;
  markedRows: number;
  canEnd: boolean;
  canReview: boolean;
  /** why the actor may not review it (null: they may, or it is reviewed) */
  reviewNote: string | null;
};

export async function getBreakGlass(input: unknown): Promise<BreakGlassDetailDto> {
  return audited(
    { action: "access.break_glass_view", permission: null, allowWithoutGrant: true, details: { targetType: "break_glass", targetId: targetHint(input, "breakGlassId") } },
    async ({ tx, actor }) => {
      const { breakGlassId } = parseInput(breakGlassIdInputSchema, input);
      const now = new Date();
      const row = await tx.breakGlassAccess.findUnique({ where: { id: breakGlassId }, include: breakGlassInclude });
      const isHolder = row?.personId === actor.personId;
      const reviewer = isBreakGlassReviewer(actor);
      if (!row || (!isHolder && !reviewer)) throw new AppError("not_found", "No such break-glass access.");
      const access = breakGlassDto(row, now);
      const [marked] = await tx.$queryRaw<Array<{ count: bigint }>>`
        SELECT count(*) AS count FROM audit_event WHERE actor_groups @> ARRAY[${breakGlassMark(row.id)}]::text[]`;
      let reviewNote: string | null = null;
      if (!access.review) {
        if (isHolder) reviewNote = "An auditor or admin other than you reviews this access once it has ended.";
        else if (!reviewer) reviewNote = null;
        else if (access.state === "active") reviewNote = "It is still in force: review it once it has ended.";
      }
      return {
        value: {
          access,
          markedRows: Number(marked?.count ?? 0),
          canEnd: access.state === "active" && (isHolder || actor.roles.includes("admin")),
          canReview: reviewer && !isHolder && !access.review && access.state !== "active",
          reviewNote,
        },
        audit: { targetType: "break_glass", targetId: row.id },
      };
    },
  );
}
