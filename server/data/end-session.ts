// Sign-out: the session row is deleted and the sign-out audited in one
// transaction. Works for people whose access was revoked meanwhile too.
import "server-only";
import { getPrisma } from "@/server/db/client";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { readSessionToken } from "@/server/auth/session-cookie";
import { getRequestContext } from "@/server/http/request-context";

export async function endSession(): Promise<void> {
  const sessionToken = await readSessionToken();
  if (!sessionToken) return;
  const request = await getRequestContext();
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const session = await tx.session.findUnique({ where: { sessionToken }, include: { user: true } });
    if (!session) return;
    const person = session.user.email ? await tx.person.findUnique({ where: { email: session.user.email.toLowerCase() } }) : null;
    await tx.session.deleteMany({ where: { sessionToken } });
    await writeAuditEvent(tx, {
      requestId: request.requestId,
      actor: session.user.email
        ? { personId: person?.id ?? null, email: session.user.email, employer: person?.employer ?? null, groups: [], roles: [] }
        : null,
      actorIp: request.ip,
      actorUserAgent: request.userAgent,
      action: "auth.sign_out",
      outcome: "allowed",
      purpose: session.purpose,
      purposeDetail: session.purposeDetail,
    });
  });
}
