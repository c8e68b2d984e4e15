// Decides whether an identity proven by the identity provider may start a
// portal session, and binds it to a named person. Runs in Auth.js's signIn
// callback. Every decision is audited; if the audit row cannot be written the
// sign-in fails (Auth.js turns the thrown error into its error page).
import "server-only";
import { getPrisma } from "@/server/db/client";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { getRequestContext } from "@/server/http/request-context";

export type SignInRefusal = "not-listed" | "disabled" | "no-active-grant" | "identity-mismatch" | "unverified-email";

export type SignInIdentity = {
  providerId: string;
  subject: string;
  email: string | null | undefined;
  emailVerified: boolean;
};

export async function checkSignIn(identity: SignInIdentity, now = new Date()): Promise<{ ok: true } | { ok: false; reason: SignInRefusal }> {
  const request = await getRequestContext();
  const prisma = await getPrisma();
  const email = identity.email?.trim().toLowerCase() ?? null;

  return prisma.$transaction(async (tx) => {
    const person = email
      ? await tx.person.findUnique({ where: { email }, include: { grants: { where: { revokedAt: null, expiresAt: { gt: now } } } } })
      : null;

    let refusal: SignInRefusal | null = null;
    if (!email || !identity.emailVerified) refusal = "unverified-email";
    else if (!person) refusal = "not-listed";
    else if (person.status !== "active") refusal = "disabled";
    else if (person.oidcSubject && (person.oidcSubject !== identity.subject || person.oidcIssuer !== identity.providerId)) refusal = "identity-mismatch";
    else if (person.grants.length === 0) refusal = "no-active-grant";

    if (!refusal && person && !person.oidcSubject) {
      await tx.person.update({
        where: { id: person.id },
        data: { oidcIssuer: identity.providerId, oidcSubject: identity.subject, boundAt: now },
      });
    }

    const roles = [...new Set(person?.grants.flatMap((grant) => (grant.role ? [grant.role] : [])) ?? [])];
    const groups = [...new Set(person?.grants.flatMap((grant) => (grant.groupKey ? [grant.groupKey] : [])) ?? [])];
    await writeAuditEvent(tx, {
      requestId: request.requestId,
      actor: email ? { personId: person?.id ?? null, email, employer: person?.employer ?? null, groups, roles } : null,
      actorIp: request.ip,
      actorUserAgent: request.userAgent,
      action: refusal ? "auth.sign_in_refused" : "auth.sign_in",
      outcome: refusal ? "denied" : "allowed",
      reason: refusal ?? `signed in with ${identity.providerId}`,
      targetType: "identity",
      targetId: `${identity.providerId}:${identity.subject}`,
    });
    return refusal ? { ok: false as const, reason: refusal } : { ok: true as const };
  });
}
