// The SCIM tokens issued to identity providers: name, prefix, who issued
// and revoked them, last use. Never the key or its hash. Audited (admin.view).
import "server-only";
import { audited } from "@/server/access/audited";
import type { ScimTokenDto } from "./types";

const personRef = { select: { id: true, name: true, email: true } } as const;

export async function listScimTokens(): Promise<ScimTokenDto[]> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "scim_token" } }, async ({ tx }) => {
    const keys = await tx.scimToken.findMany({
      select: { id: true, name: true, tokenPrefix: true, createdAt: true, revokedAt: true, lastUsedAt: true, createdBy: personRef, revokedBy: personRef },
      orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
      take: 500,
    });
    const items = keys.map((key) => ({
      id: key.id,
      name: key.name,
      prefix: key.tokenPrefix,
      createdAt: key.createdAt.toISOString(),
      createdBy: key.createdBy,
      revokedAt: key.revokedAt?.toISOString() ?? null,
      revokedBy: key.revokedBy,
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    }));
    return { value: items, audit: { filters: { view: "scim_tokens" }, rowCount: items.length } };
  });
}
