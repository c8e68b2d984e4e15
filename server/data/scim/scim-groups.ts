// The SCIM Groups resource: the portal's access groups and who holds a grant
// in force for each, read-only. Membership IS access to telemetry, and access
// needs a justification, an expiry and the seed's eligibility rules, decided in
// the portal by an admin (or its approval workflow); an identity provider
// pushing group membership would bypass that, so writes are refused (501).
import "server-only";
import { GROUP_KEYS, type GroupKey } from "@/lib/telemetry/vocabulary";
import { grantInForce } from "@/server/access/access-now";
import type { Prisma } from "@/server/db/generated/client";
import { ScimError } from "@/server/scim/scim-error";
import { parsePaging, parseScimFilter } from "@/server/scim/scim-filter";
import { scimAudited, type ScimCall } from "@/server/scim/scim-gate";
import { GROUP_SCHEMA, LIST_SCHEMA } from "@/server/scim/scim-user";

export const GROUP_WRITES_REFUSED =
  "Group membership is access to telemetry and stays governed in the portal (justification, expiry, eligibility, approval); the identity provider cannot change it. Deactivate the user instead to remove all access.";

async function loadGroups(tx: Prisma.TransactionClient, keys: readonly GroupKey[], now: Date, baseUrl: string) {
  const groups = await tx.accessGroup.findMany({
    where: { key: { in: [...keys] } },
    orderBy: { key: "asc" },
    include: { grants: { where: { ...grantInForce(now), person: { status: "active", removedAt: null } }, select: { person: { select: { id: true, email: true } } } } },
  });
  return groups.map((group) => {
    const members = [...new Map(group.grants.map((grant) => [grant.person.id, grant.person])).values()];
    return {
      schemas: [GROUP_SCHEMA],
      id: group.key,
      displayName: group.name,
      members: members.map((member) => ({ value: member.id, display: member.email, $ref: `${baseUrl}/Users/${member.id}` })),
      meta: { resourceType: "Group", lastModified: group.updatedAt.toISOString(), location: `${baseUrl}/Groups/${group.key}` },
    };
  });
}

export async function listScimGroups(call: ScimCall, params: URLSearchParams, baseUrl: string) {
  return scimAudited(call, "scim.read", async ({ tx, now }) => {
    const filter = parseScimFilter(params.get("filter"), ["displayName", "id"]);
    const { startIndex, count } = parsePaging(params, GROUP_KEYS.length);
    const all = await loadGroups(tx, GROUP_KEYS, now, baseUrl);
    const matching = filter ? all.filter((group) => (filter.attribute === "id" ? group.id === filter.value : group.displayName.toLowerCase() === filter.value.toLowerCase())) : all;
    const page = matching.slice(startIndex - 1, startIndex - 1 + count);
    return {
      value: { schemas: [LIST_SCHEMA], totalResults: matching.length, startIndex, itemsPerPage: page.length, Resources: page },
      audit: { filters: { resource: "Groups", filter: params.get("filter") }, rowCount: page.length },
    };
  });
}

export async function getScimGroup(call: ScimCall, id: string, baseUrl: string) {
  return scimAudited(call, "scim.read", async ({ tx, now }) => {
    const key = GROUP_KEYS.find((group) => group === id);
    if (!key) throw new ScimError(404, `Groups/${id}: no such group.`);
    const [group] = await loadGroups(tx, [key], now, baseUrl);
    if (!group) throw new ScimError(404, `Groups/${id}: no such group.`);
    return { value: group, audit: { targetType: "access_group", targetId: key, rowCount: 1 } };
  });
}

/** Any write to Groups: authenticated and audited, then refused. */
export async function refuseScimGroupWrite(call: ScimCall): Promise<never> {
  return scimAudited(call, "scim.read", async () => {
    throw new ScimError(501, GROUP_WRITES_REFUSED);
  });
}
