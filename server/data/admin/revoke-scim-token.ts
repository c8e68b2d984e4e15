// Revokes a SCIM token with a reason: the identity provider's next SCIM
// request is refused (401). Audited (admin.scim_token_revoke) with before/after.
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { lockAccessList, targetHint } from "./access-list";
import { revokeIngestionKeyInputSchema } from "./schemas";

const snapshot = (key: { id: string; name: string; tokenPrefix: string; revokedAt: Date | null; revokedById: string | null }) => ({
  id: key.id,
  name: key.name,
  prefix: key.tokenPrefix,
  revokedAt: key.revokedAt,
  revokedById: key.revokedById,
});

export async function revokeScimToken(input: unknown): Promise<{ keyId: string; name: string }> {
  return audited(
    { action: "admin.scim_token_revoke", permission: "access.manage", details: { targetType: "scim_token", targetId: targetHint(input, "keyId") } },
    async ({ tx, actor }) => {
      const { keyId, reason } = parseInput(revokeIngestionKeyInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const key = await tx.scimToken.findUnique({ where: { id: keyId } });
      if (!key) throw new AppError("not_found", "No such SCIM token.");
      if (key.revokedAt) throw new AppError("conflict", `The key “${key.name}” is already revoked.`);
      const updated = await tx.scimToken.update({ where: { id: keyId }, data: { revokedAt: now, revokedById: actor.personId } });
      return {
        value: { keyId, name: key.name },
        audit: { targetType: "scim_token", targetId: keyId, reason, before: snapshot(key), after: snapshot(updated) },
      };
    },
  );
}
