// Issues a SCIM bearer token for the company's identity provider. The token
// is returned once, here, and never stored: the database and the audit row
// (admin.scim_token_create) hold only its prefix, the database its SHA-256.
import "server-only";
import { audited } from "@/server/access/audited";
import { parseInput } from "@/server/http/parse-input";
import { generateScimToken } from "@/server/scim/scim-token-secret";
import { lockAccessList } from "./access-list";
import { createIngestionKeyInputSchema } from "./schemas";
import type { CreatedScimTokenDto } from "./types";

export async function createScimToken(input: unknown): Promise<CreatedScimTokenDto> {
  return audited({ action: "admin.scim_token_create", permission: "access.manage", details: { targetType: "scim_token" } }, async ({ tx, actor }) => {
    // The same rule as an ingestion key's name: 3 to 100 storable characters.
    const { name } = parseInput(createIngestionKeyInputSchema, input);
    const now = new Date();
    await lockAccessList(tx, actor, now);
    const secret = generateScimToken();
    const created = await tx.scimToken.create({ data: { name, tokenPrefix: secret.prefix, tokenHash: secret.hash, createdById: actor.personId, createdAt: now } });
    return {
      value: { id: created.id, name, prefix: secret.prefix, key: secret.token },
      audit: { targetType: "scim_token", targetId: created.id, before: null, after: { id: created.id, name, prefix: secret.prefix, createdAt: now } },
    };
  });
}
