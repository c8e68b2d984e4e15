// Decides whether an identity proven by the identity provider may start a
// portal session, and binds it to a named person. A listed, active person with
// no grant in force may sign in too, into the request area only (every other
// gate still refuses them: server/access/audited.ts, allowWithoutGrant), so
// they can ask for access; someone not on the list is refused (an admin adds
// them first: nobody outside the list can file requests). Runs in Auth.js's signIn
// callback. Every decision is audited; if the audit row cannot be written the
// sign-in fails (Auth.js turns the thrown error into its error page).
//
// A sign-in always ends the session this browser already holds (audited as a
// sign-out), whoever it belonged to: Auth.js would otherwise link the new
// identity to the signed-in user (see ./adapter.ts, which also refuses that).
import "server-only";
import { getPrisma } from "@/server/db/client";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { accessAtSignIn, rolesAndGroups, type NoAccessReason } from "@/server/access/access-now";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { endSessionInTransaction } from "@/server/auth/end-session-row";
import { readSessionToken } from "@/server/auth/session-cookie";
import { getRequestContext } from "@/server/http/request-context";
import { rememberAllowedSignIn } from "./unfinished-sign-in";

export type SignInRefusal = NoAccessReason | "unverified-email";

export type SignInIdentity = {
  providerId: string;
  subject: string;
  email: string | null | undefined;
  emailVerified: boolean;
};

export async function checkSignIn(identity: SignInIdentity, now = new Date()): Promise<{ ok: true } | { ok: false; reason: SignInRefusal }> {
  const request = await getRequestContext();
  const previousSession = await readSessionToken();
  const prisma = await getPrisma();
  const email = identity.email?.trim().toLowerCase() || null;
  const proven = { issuer: identity.providerId, subject: identity.subject };

  return prisma.$transaction(async (tx) => {
    if (previousSession) await endSessionInTransaction(tx, previousSession, request, "replaced by a new sign-in in the same browser");

    const access = email && identity.emailVerified ? await accessAtSignIn(tx, proven, email, now) : null;
    const requestOnly = access?.status === "no-access" && access.reason === "no-active-grant";
    const refusal: SignInRefusal | null = !access ? "unverified-email" : access.status === "active" || requestOnly ? null : access.reason;
    const person = access?.person ?? null;

    if (!refusal && person && access?.isFirstSignIn) {
      await tx.person.update({
        where: { id: person.id },
        data: { oidcIssuer: proven.issuer, oidcSubject: proven.subject, boundAt: now },
      });
    }

    const { roles, groups } = rolesAndGroups(person);
    const actor = email ? { personId: person?.id ?? null, email, employer: person?.employer ?? null, groups, roles } : null;
    const targetId = `${identity.providerId}:${identity.subject}`;
    await writeAuditEvent(tx, {
      requestId: request.requestId,
      actor,
      actorIp: request.ip,
      actorUserAgent: request.userAgent,
      action: refusal ? "auth.sign_in_refused" : "auth.sign_in",
      outcome: refusal ? "denied" : "allowed",
      reason: refusal ?? `signed in with ${identity.providerId}${requestOnly ? "; no grant in force: the request area only" : ""}`,
      targetType: "identity",
      targetId,
    });
    if (!refusal) rememberAllowedSignIn(request.requestId, { actor, targetId, ip: request.ip, userAgent: request.userAgent });
    return refusal ? { ok: false as const, reason: refusal } : { ok: true as const };
  }, AUDITED_TRANSACTION);
}
