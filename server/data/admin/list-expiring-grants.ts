// Grants in force that expire within the next 14 days, soonest first, so
// admins extend them or let them lapse on purpose. Audited (admin.view).
import "server-only";
import { audited } from "@/server/access/audited";
import { accessOf, DAY_MS, maxExpiry } from "./access-list";
import type { ExpiringGrantsDto } from "./types";
import { grantInForce } from "@/server/access/access-now";

export const EXPIRING_WINDOW_DAYS = 14;

export async function listExpiringGrants(): Promise<ExpiringGrantsDto> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "grant" } }, async ({ tx, actor }) => {
    const now = new Date();
    const until = new Date(now.getTime() + EXPIRING_WINDOW_DAYS * DAY_MS);
    const grants = await tx.grant.findMany({
      where: { ...grantInForce(now), expiresAt: { gt: now, lte: until }, person: { status: "active" } },
      include: { person: true },
      orderBy: [{ expiresAt: "asc" }, { id: "asc" }],
      take: 1000,
    });
    const items = grants.map((grant) => ({
      id: grant.id,
      access: accessOf(grant),
      expiresAt: grant.expiresAt.toISOString(),
      grantedAt: grant.grantedAt.toISOString(),
      justification: grant.justification,
      person: {
        id: grant.person.id,
        name: grant.person.name,
        email: grant.person.email,
        employer: grant.person.employer,
        employmentType: grant.person.employmentType,
      },
      isSelf: grant.personId === actor.personId,
      latestExpiryDate: maxExpiry(grant.person, now).latestDate,
    }));
    return {
      value: { windowDays: EXPIRING_WINDOW_DAYS, asOf: now.toISOString(), items },
      audit: { filters: { view: "expiring", windowDays: EXPIRING_WINDOW_DAYS }, rowCount: items.length },
    };
  });
}
