// The ingestion keys issued to telemetry producers: name, prefix, who issued
// and revoked them, last use. Never the key or its hash. Audited (admin.view).
import "server-only";
import { audited } from "@/server/access/audited";
import type { IngestionKeyDto } from "./types";

const personRef = { select: { id: true, name: true, email: true } } as const;

export async function listIngestionKeys(): Promise<IngestionKeyDto[]> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "ingestion_key" } }, async ({ tx }) => {
    const keys = await tx.ingestionKey.findMany({
      select: { id: true, name: true, keyPrefix: true, createdAt: true, revokedAt: true, lastUsedAt: true, createdBy: personRef, revokedBy: personRef },
      orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
      take: 500,
    });
    const items = keys.map((key) => ({
      id: key.id,
      name: key.name,
      prefix: key.keyPrefix,
      createdAt: key.createdAt.toISOString(),
      createdBy: key.createdBy,
      revokedAt: key.revokedAt?.toISOString() ?? null,
      revokedBy: key.revokedBy,
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    }));
    return { value: items, audit: { filters: { view: "ingestion_keys" }, rowCount: items.length } };
  });
}
