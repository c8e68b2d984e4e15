// Ending a session: the row is deleted and the ending audited in the caller's
// transaction. Every way a session ends goes through here — the portal's
// sign-out, Auth.js's own POST /api/auth/signout (./adapter.ts), a new
// sign-in in the same browser (./check-sign-in.ts), and expiry
// (server/jobs/purge-expired-sessions.ts).
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import type { AuditAction } from "@/lib/audit/actions";
import type { Prisma } from "@/server/db/generated/client";
import { accessOfIdentity, rolesAndGroups } from "@/server/access/access-now";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import type { RequestContext } from "@/server/http/request-context";

/** Deletes the session and writes its audit row; false when there was no such session. */
export async function endSessionInTransaction(
  tx: Prisma.TransactionClient,
  sessionToken: string,
  request: RequestContext,
  reason: string,
  action: Extract<AuditAction, "auth.sign_out" | "auth.session_expired"> = "auth.sign_out",
): Promise<boolean> {
  const session = await tx.session.findUnique({
    where: { sessionToken },
    include: { user: { include: { accounts: { select: { provider: true, providerAccountId: true } } } } },
  });
  if (!session) return false;
  const [account] = session.user.accounts;
  const access = account ? await accessOfIdentity(tx, { issuer: account.provider, subject: account.providerAccountId }, new Date()) : null;
  const person = access?.person ?? null;
  const { roles, groups } = rolesAndGroups(person);
  const email = person?.email ?? session.user.email?.toLowerCase() ?? null;
  await tx.session.deleteMany({ where: { sessionToken } });
  await writeAuditEvent(tx, {
    requestId: request.requestId,
    actor: email ? { personId: person?.id ?? null, email, employer: person?.employer ?? null, groups, roles } : null,
    actorIp: request.ip,
    actorUserAgent: request.userAgent,
    action,
    outcome: "allowed",
    reason,
    purpose: session.purpose,
    purposeDetail: session.purposeDetail,
  });
  return true;
}
