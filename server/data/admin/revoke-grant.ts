// Revokes a grant with a reason. The row stays (revocation is recorded, never
// deleted) and the holder's sessions are deleted in the same transaction, so
// their next request is refused. Not one's own grant (403), not the last
// active admin's admin role (409). Audited (admin.grant_revoke).
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { revokeGrantRow } from "@/server/access/access-list-changes";
import { accessOf, grantSnapshot, lockAccessList, refuseLastAdmin, refuseSelf, targetHint } from "./access-list";
import { revokeGrantInputSchema } from "./schemas";

export async function revokeGrant(input: unknown): Promise<{ grantId: string; personId: string; sessionsEnded: number }> {
  return audited(
    { action: "admin.grant_revoke", permission: "access.manage", details: { targetType: "grant", targetId: targetHint(input, "grantId") } },
    async ({ tx, actor }) => {
      const { grantId, reason } = parseInput(revokeGrantInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const grant = await tx.grant.findUnique({ where: { id: grantId }, include: { person: true } });
      if (!grant) throw new AppError("not_found", "No such grant.");
      const { person } = grant;
      if (grant.revokedAt) throw new AppError("conflict", `This grant (${accessOf(grant).label}) is already revoked.`);
      if (grant.role === "admin" && grant.expiresAt > now) await refuseLastAdmin(tx, person, now, "revoking their admin role");
      refuseSelf(actor, person.id, "revoke the access of");

      const { updated, sessionsEnded } = await revokeGrantRow(tx, grant, person, { revokedById: actor.personId, reason, now });
      return {
        value: { grantId, personId: person.id, sessionsEnded },
        audit: {
          targetType: "grant",
          targetId: grantId,
          reason,
          before: grantSnapshot(grant, person),
          after: { ...grantSnapshot(updated, person), sessionsEnded },
        },
      };
    },
  );
}
