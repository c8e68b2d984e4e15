// The access list's changes that the data layer and the jobs share: its one
// lock, and revoking a grant the one way: the row is marked revoked (kept, never
// deleted) and every portal session of its holder ends in the same
// transaction, so their next request is refused and a new sign-in sees the
// access as it now is. The admin's revoke (server/data/admin/revoke-grant.ts)
// and the access reviews (a reviewer's revoke, the close's consequence) both
// call it; the caller holds the access list's lock and writes the audit row.
//
// No "server-only": the access-review jobs, started by scripts/start.ts, use it.
import type { Grant, Person, Prisma } from "@/server/db/generated/client";

/** One advisory lock for every change to the access list, so two changes never race past a check. */
export const ACCESS_LIST_LOCK = 0x7e1e_0a11;

/** Takes the access list's lock until the transaction ends. */
export async function takeAccessListLock(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(${ACCESS_LIST_LOCK}::bigint)) AS lock`;
}

/** Ends every portal session of this person, now: their next request is refused. Returns how many ended. */
export async function endSessionsOf(tx: Prisma.TransactionClient, person: Pick<Person, "id" | "email">): Promise<number> {
  const result = await tx.session.deleteMany({
    where: { user: { OR: [{ personId: person.id }, { email: { equals: person.email, mode: "insensitive" } }] } },
  });
  return result.count;
}

/** Marks the grant revoked (by `revokedById`, null for the portal itself) and ends its holder's sessions. */
export async function revokeGrantRow(
  tx: Prisma.TransactionClient,
  grant: Pick<Grant, "id">,
  holder: Pick<Person, "id" | "email">,
  change: { revokedById: string | null; reason: string; now: Date },
): Promise<{ updated: Grant; sessionsEnded: number }> {
  const updated = await tx.grant.update({ where: { id: grant.id }, data: { revokedAt: change.now, revokedById: change.revokedById, revokeReason: change.reason } });
  const sessionsEnded = await endSessionsOf(tx, holder);
  return { updated, sessionsEnded };
}
