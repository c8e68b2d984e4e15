// Turns the session cookie into the person behind it and the grants in force
// *now*. Runs inside the same transaction as the read it guards, on every
// request: a revoked or expired grant, a disabled person, an idle or too-old
// session is refused on the very next request, whatever the cookie says.
import "server-only";
import type { Prisma } from "@/server/db/generated/client";
import { telemetryScope, type Subject, type TelemetryScope } from "@/lib/access/policy";
import type { Employer, EmploymentType, GroupKey, Purpose, Role } from "@/lib/telemetry/vocabulary";

export type Actor = {
  personId: string;
  name: string;
  email: string;
  employer: Employer;
  employmentType: EmploymentType;
  roles: Role[];
  groups: GroupKey[];
  subject: Subject;
  scope: TelemetryScope;
  sessionToken: string;
  purpose: Purpose | null;
  purposeDetail: string | null;
  /** the earliest expiry among the grants in force */
  grantExpiresAt: Date;
};

export type NoAccessReason = "not-listed" | "disabled" | "no-active-grant" | "identity-mismatch";

export type ActorResolution =
  | { status: "anonymous"; reason: "no-session" | "session-expired" }
  | { status: "no-access"; reason: NoAccessReason; email: string | null; personId: string | null; sessionToken: string }
  | { status: "active"; actor: Actor };

export type SessionLimits = { idleMinutes: number; maxHours: number };

/** Push the idle expiry forward at most once a minute. */
const ROLL_GRANULARITY_MS = 60_000;

export async function resolveActor(
  tx: Prisma.TransactionClient,
  sessionToken: string | null,
  limits: SessionLimits,
  now = new Date(),
): Promise<ActorResolution> {
  if (!sessionToken) return { status: "anonymous", reason: "no-session" };
  const session = await tx.session.findUnique({
    where: { sessionToken },
    include: { user: { include: { accounts: { select: { provider: true, providerAccountId: true } } } } },
  });
  if (!session) return { status: "anonymous", reason: "no-session" };

  const absoluteEnd = session.createdAt.getTime() + limits.maxHours * 3_600_000;
  if (session.expires <= now || absoluteEnd <= now.getTime()) {
    await tx.session.deleteMany({ where: { sessionToken } });
    return { status: "anonymous", reason: "session-expired" };
  }

  const email = session.user.email?.toLowerCase() ?? null;
  const person = email
    ? await tx.person.findUnique({
        where: { email },
        include: { grants: { where: { revokedAt: null, expiresAt: { gt: now } }, include: { group: true } } },
      })
    : null;
  if (!person) return { status: "no-access", reason: "not-listed", email, personId: null, sessionToken };
  if (person.status !== "active") return { status: "no-access", reason: "disabled", email, personId: person.id, sessionToken };
  // The email found the person; the identity bound at first sign-in must be the one behind this session too.
  const isBoundIdentity = session.user.accounts.some(
    (account) => account.provider === person.oidcIssuer && account.providerAccountId === person.oidcSubject,
  );
  if (person.oidcSubject && !isBoundIdentity) {
    return { status: "no-access", reason: "identity-mismatch", email, personId: person.id, sessionToken };
  }
  if (person.grants.length === 0) return { status: "no-access", reason: "no-active-grant", email, personId: person.id, sessionToken };

  const idleEnd = Math.min(now.getTime() + limits.idleMinutes * 60_000, absoluteEnd);
  if (idleEnd - session.expires.getTime() >= ROLL_GRANULARITY_MS) {
    await tx.session.update({ where: { sessionToken }, data: { expires: new Date(idleEnd) } });
  }

  const roles = [...new Set(person.grants.flatMap((grant) => (grant.role ? [grant.role] : [])))];
  const groupGrants = person.grants.flatMap((grant) => (grant.group ? [grant.group] : []));
  const subject: Subject = {
    roles,
    groups: groupGrants.map((group) => ({ key: group.key, scope: { eventKinds: group.eventKinds, fieldClasses: group.fieldClasses } })),
  };
  return {
    status: "active",
    actor: {
      personId: person.id,
      name: person.name,
      email: person.email,
      employer: person.employer,
      employmentType: person.employmentType,
      roles,
      groups: [...new Set(groupGrants.map((group) => group.key))],
      subject,
      scope: telemetryScope(subject),
      sessionToken,
      purpose: session.purpose,
      purposeDetail: session.purposeDetail,
      grantExpiresAt: new Date(Math.min(...person.grants.map((grant) => grant.expiresAt.getTime()))),
    },
  };
}
