// The post-review of a finished break-glass access, by an auditor or admin
// other than its holder: an outcome (appropriate / inappropriate) and notes.
// Until it is reviewed its holder cannot take break-glass again. Once only
// (the row is locked; a second review is a 409). Audited
// (access.break_glass_review).
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { targetHint } from "@/server/data/admin/access-list";
import { breakGlassStateOf, formatUtc, isBreakGlassReviewer } from "./rules";
import { reviewBreakGlassInputSchema } from "./schemas";

export async function reviewBreakGlass(input: unknown): Promise<{ breakGlassId: string }> {
  return audited(
    { action: "access.break_glass_review", permission: null, details: { targetType: "break_glass", targetId: targetHint(input, "breakGlassId") } },
    async ({ tx, actor }) => {
      // Who may review at all is settled before the input is read.
      if (!isBreakGlassReviewer(actor)) throw new AppError("forbidden", "Only auditors and admins post-review break-glass access.");
      const { breakGlassId, outcome, notes } = parseInput(reviewBreakGlassInputSchema, input);
      const now = new Date();
      await tx.$queryRaw`SELECT id FROM break_glass_access WHERE id = ${breakGlassId}::uuid FOR UPDATE`;
      const access = await tx.breakGlassAccess.findUnique({ where: { id: breakGlassId } });
      if (!access) throw new AppError("not_found", "No such break-glass access.");
      if (access.personId === actor.personId) {
        throw new AppError("forbidden", "You cannot review your own break-glass access: another auditor or admin must (separation of duties).");
      }
      if (access.reviewedAt) throw new AppError("conflict", "This break-glass access has already been reviewed.");
      if (breakGlassStateOf(access, now) === "active") {
        throw new AppError("conflict", `This break-glass access is still in force until ${formatUtc(access.expiresAt)}: review it once it has ended.`);
      }
      await tx.breakGlassAccess.update({ where: { id: access.id }, data: { reviewedAt: now, reviewedById: actor.personId, reviewOutcome: outcome, reviewNotes: notes } });
      return {
        value: { breakGlassId: access.id },
        audit: { targetType: "break_glass", targetId: access.id, reason: notes, before: { reviewed: false }, after: { reviewed: true, outcome, holderId: access.personId } },
      };
    },
  );
}
