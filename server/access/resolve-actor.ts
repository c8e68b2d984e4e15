// Turns the session cookie into the person bound to the identity behind it
// and the grants in force *now* (./access-now.ts decides). Runs inside the same transaction as the read it guards, on every
// request: a revoked or expired grant, a disabled person, an idle or too-old
// session is refused on the very next request, whatever the cookie says.
import "server-only";
import type { Prisma } from "@/server/db/generated/client";
import { telemetryScope, type Subject, type TelemetryScope } from "@/lib/access/policy";
import { canonicalFieldClasses, narrowScope } from "@/lib/access/purpose-scope";
import type { Employer, EmploymentType, FieldClass, GroupKey, Purpose, Role } from "@/lib/telemetry/vocabulary";
import { accessOfIdentity, rolesAndGroups, type NoAccessReason } from "./access-now";

export type { NoAccessReason } from "./access-now";

export type Actor = {
  personId: string;
  name: string;
  email: string;
  employer: Employer;
  employmentType: EmploymentType;
  roles: Role[];
  groups: GroupKey[];
  subject: Subject;
  /**
   * What this session may see: the groups' scope narrowed to the declared
   * purpose's field classes (table purpose_scope), derived afresh on every
   * request. Every read, filter, DTO, export and audit row uses this one.
   */
  scope: TelemetryScope;
  /** the declared purpose's field classes (null: no purpose declared yet) */
  purposeFieldClasses: FieldClass[] | null;
  sessionToken: string;
  purpose: Purpose | null;
  purposeDetail: string | null;
  /** the earliest expiry among the grants in force (a requester without any: the epoch) */
  grantExpiresAt: Date;
  /** when this session's sign-in happened (approvals need a fresh one) */
  sessionStartedAt: Date;
  /**
   * Break-glass accesses in force for this request (each adds its group, with
   * the viewer role, to `subject`). Every audit row written for this actor
   * carries `breakglass:<id>` for each in its actor_groups (./audited.ts).
   */
  breakGlass: ActiveBreakGlass[];
};

export type ActiveBreakGlass = { id: string; groupKey: GroupKey; expiresAt: Date };

/** The mark a break-glass access leaves in every audit row made under it (actor_groups; ARCHITECTURE.md "Break-glass"). */
export { breakGlassMark } from "@/lib/access/break-glass-mark";

export type ActorResolution =
  | { status: "anonymous"; reason: "no-session" | "session-expired" }
  | {
      status: "no-access";
      reason: NoAccessReason;
      email: string | null;
      personId: string | null;
      sessionToken: string;
      /**
       * A listed, active person with no grant in force: who they are, with no
       * role, group or scope. Only gates that take requesters (the request
       * area, GateSpec.allowWithoutGrant) let them through.
       */
      requester?: Actor;
    }
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

  // The person is the one bound to the identity behind this session (one
  // account per user: the adapter refuses to link a second), not whoever has
  // the email on the user row.
  const email = session.user.email?.toLowerCase() ?? null;
  const [account, ...others] = session.user.accounts;
  if (!account || others.length > 0) return { status: "no-access", reason: "identity-mismatch", email, personId: null, sessionToken };
  const access = await accessOfIdentity(tx, { issuer: account.provider, subject: account.providerAccountId }, now);
  const personId = access.person?.id ?? null;
  if (access.person && session.user.personId !== null && session.user.personId !== access.person.id) {
    return { status: "no-access", reason: "identity-mismatch", email, personId, sessionToken };
  }
  const rollIdleExpiry = async () => {
    const idleEnd = Math.min(now.getTime() + limits.idleMinutes * 60_000, absoluteEnd);
    if (idleEnd - session.expires.getTime() >= ROLL_GRANULARITY_MS) {
      await tx.session.update({ where: { sessionToken }, data: { expires: new Date(idleEnd) } });
    }
  };
  if (access.status !== "active") {
    const refused = { status: "no-access" as const, reason: access.reason, email: access.person?.email ?? email, personId, sessionToken };
    if (access.reason !== "no-active-grant" || !access.person) return refused;
    // Not rolled forward: a session without a grant lasts SESSION_IDLE_MINUTES from its sign-in at most.
    const person = access.person;
    const requester: Actor = {
      personId: person.id,
      name: person.name,
      email: person.email,
      employer: person.employer,
      employmentType: person.employmentType,
      roles: [],
      groups: [],
      subject: { roles: [], groups: [] },
      scope: telemetryScope({ roles: [], groups: [] }),
      // no telemetry scope to narrow: the request area shows none
      purposeFieldClasses: null,
      sessionToken,
      purpose: session.purpose,
      purposeDetail: session.purposeDetail,
      grantExpiresAt: new Date(0),
      sessionStartedAt: session.createdAt,
      breakGlass: [],
    };
    return { ...refused, requester };
  }
  const person = access.person;
  await rollIdleExpiry();

  const { roles } = rolesAndGroups(person);
  // A purpose without a row (never, short of a hand edit) sees no field: fail closed.
  const purposeFieldClasses = session.purpose
    ? canonicalFieldClasses((await tx.purposeScope.findUnique({ where: { purpose: session.purpose } }))?.fieldClasses ?? [])
    : null;
  // Break-glass counts as telemetry access to its group (with the viewer role, rolesAndGroups) until it expires.
  const groupGrants = [...person.grants.flatMap((grant) => (grant.group ? [grant.group] : [])), ...person.breakGlassAccesses.map((access) => access.group)];
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
      scope: narrowScope(telemetryScope(subject), purposeFieldClasses),
      purposeFieldClasses,
      sessionToken,
      purpose: session.purpose,
      purposeDetail: session.purposeDetail,
      grantExpiresAt: new Date(Math.min(...[...person.grants, ...person.breakGlassAccesses].map((grant) => grant.expiresAt.getTime()))),
      sessionStartedAt: session.createdAt,
      breakGlass: person.breakGlassAccesses.map((access) => ({ id: access.id, groupKey: access.groupKey, expiresAt: access.expiresAt })),
    },
  };
}
