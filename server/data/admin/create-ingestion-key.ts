// Issues an ingestion key for a telemetry producer. The key is returned once,
// here, and never stored: the database and the audit row (admin.ingestion_key_create)
// hold only its prefix, and the database its SHA-256.
import "server-only";
import { audited } from "@/server/access/audited";
import { parseInput } from "@/server/http/parse-input";
import { lockAccessList } from "./access-list";
import { generateIngestionKey } from "./ingestion-key-secret";
import { createIngestionKeyInputSchema } from "./schemas";
import type { CreatedIngestionKeyDto } from "./types";

export async function createIngestionKey(input: unknown): Promise<CreatedIngestionKeyDto> {
  return audited({ action: "admin.ingestion_key_create", permission: "access.manage", details: { targetType: "ingestion_key" } }, async ({ tx, actor }) => {
    const { name } = parseInput(createIngestionKeyInputSchema, input);
    const now = new Date();
    await lockAccessList(tx, actor, now);
    const secret = generateIngestionKey();
    const created = await tx.ingestionKey.create({
      data: { name, keyPrefix: secret.prefix, keyHash: secret.hash, createdById: actor.personId, createdAt: now },
    });
    return {
      value: { id: created.id, name, prefix: secret.prefix, key: secret.key },
      audit: { targetType: "ingestion_key", targetId: created.id, before: null, after: { id: created.id, name, prefix: secret.prefix, createdAt: now } },
    };
  });
}
