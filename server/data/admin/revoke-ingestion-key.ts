// Revokes an ingestion key with a reason: the producer's next batch is
// refused. Audited (admin.ingestion_key_revoke) with before/after.
import "server-only";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { lockAccessList, targetHint } from "./access-list";
import { revokeIngestionKeyInputSchema } from "./schemas";

const snapshot = (key: { id: string; name: string; keyPrefix: string; revokedAt: Date | null; revokedById: string | null }) => ({
  id: key.id,
  name: key.name,
  prefix: key.keyPrefix,
  revokedAt: key.revokedAt,
  revokedById: key.revokedById,
});

export async function revokeIngestionKey(input: unknown): Promise<{ keyId: string; name: string }> {
  return audited(
    { action: "admin.ingestion_key_revoke", permission: "access.manage", details: { targetType: "ingestion_key", targetId: targetHint(input, "keyId") } },
    async ({ tx, actor }) => {
      const { keyId, reason } = parseInput(revokeIngestionKeyInputSchema, input);
      const now = new Date();
      await lockAccessList(tx, actor, now);
      const key = await tx.ingestionKey.findUnique({ where: { id: keyId } });
      if (!key) throw new AppError("not_found", "No such ingestion key.");
      if (key.revokedAt) throw new AppError("conflict", `The key “${key.name}” is already revoked.`);
      const updated = await tx.ingestionKey.update({ where: { id: keyId }, data: { revokedAt: now, revokedById: actor.personId } });
      return {
        value: { keyId, name: key.name },
        audit: { targetType: "ingestion_key", targetId: keyId, reason, before: snapshot(key), after: snapshot(updated) },
      };
    },
  );
}
