// Whom to ask for access: the names and addresses of active admins. Shown on
// the no-access page to people who by definition have no grant, so it skips
// authorization on purpose (hence "unsafe") and discloses nothing else.
import "server-only";
import { getPrisma } from "@/server/db/client";
import { grantInForce } from "@/server/access/access-now";

export type AccessContact = { name: string; email: string };

export async function unsafeListAccessContacts(now = new Date()): Promise<AccessContact[]> {
  const prisma = await getPrisma();
  return prisma.person.findMany({
    where: { status: "active", grants: { some: { role: "admin", ...grantInForce(now) } } },
    select: { name: true, email: true },
    orderBy: { name: "asc" },
    take: 5,
  });
}
