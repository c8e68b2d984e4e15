// Turns the session cookie into the person bound to the identity behind it
// and the grants in force *now* (./access-now.ts decides). Runs inside the same transaction as the read it guards, on every
// request: a revoked or expired grant, a disabled person, an idle or too-old
// session is refused on the very next request, whatever the cookie says.
import "server-only";
import { Prisma } from "@/server/db/generated/client";
import { telemetryScope, type Subject, type TelemetryScope } from "@/lib/access/policy";
import { canonicalFieldClasses, narrowScope } from "@/lib/access/purpose-scope";
import type { Employer, EmploymentType, EventKind, FieldClass, GroupKey, Purpose, Role } from "@/lib/telemetry/vocabulary";
import type { RawSqlClient } from "@/server/db/raw-sql";
import { decideAccess, grantInForceSql, rolesAndGroups, type NoAccessReason } from "./access-now";

export type { NoAccessReason } from "./access-now";
export { breakGlassMark } from "@/lib/access/break-glass-mark";

/** An emergency access in force (server/data/access/break-glass/): its group counts as a viewer grant until it expires. */
export type ActiveBreakGlass = { id: string; groupKey: GroupKey; expiresAt: Date };

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
  /** break-glass accesses in force: every audit row written under them is marked (lib/access/break-glass-mark.ts) */
  breakGlass: ActiveBreakGlass[];
};

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

/** The one row the resolving statement returns (null columns: no such account, person or purpose scope). */
type ResolvedRow = {
  expires: Date;
  created_at: Date;
  purpose: Purpose | null;
  purpose_detail: string | null;
  user_person_id: string | null;
  user_email: string | null;
  account_count: number;
  person_id: string | null;
  person_name: string | null;
  person_email: string | null;
  person_employer: Employer | null;
  person_employment_type: EmploymentType | null;
  person_status: string | null;
  /** the declared purpose's field classes; null when no purpose is declared or its row is missing */
  purpose_field_classes: FieldClass[] | null;
  /** the grants in force now, each with its group's current scope */
  grants: Array<{ role: Role | null; groupKey: GroupKey | null; expiresAtMs: number; eventKinds: EventKind[] | null; fieldClasses: FieldClass[] | null }>;
  /** the break-glass accesses in force now (started, not expired, not ended), each with its group's current scope */
  break_glass: Array<{ id: string; groupKey: GroupKey; expiresAtMs: number; eventKinds: EventKind[]; fieldClasses: FieldClass[] }>;
};

/**
 * Session, its user's one identity, the person bound to that identity, the
 * person's grants in force (grantInForceSql, the one definition) with their
 * groups' scopes, and the declared purpose's field classes: ONE statement,
 * one round trip, instead of six ORM queries. What it means is decided below
 * and in ./access-now.ts (decideAccess), exactly as before.
 */
function resolvingStatement(sessionToken: string, now: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT s.expires, s.created_at, s.purpose::text AS purpose, s.purpose_detail,
           u.person_id::text AS user_person_id, u.email AS user_email,
           a.account_count,
           p.id::text AS person_id, p.name AS person_name, p.email AS person_email,
           p.employer::text AS person_employer, p.employment_type::text AS person_employment_type, p.status::text AS person_status,
           ps.field_classes::text[] AS purpose_field_classes,
           COALESCE(g.grants, '[]'::json) AS grants,
           COALESCE(bg.accesses, '[]'::json) AS break_glass
    FROM auth_session s
    JOIN auth_user u ON u.id = s.user_id
    CROSS JOIN LATERAL (
      SELECT count(*)::integer AS account_count, min(provider) AS provider, min(provider_account_id) AS subject
      FROM auth_account WHERE user_id = u.id
    ) a
    LEFT JOIN person p ON a.account_count = 1 AND p.oidc_issuer = a.provider AND p.oidc_subject = a.subject
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object(
               'role', gr.role, 'groupKey', ag.key, 'expiresAtMs', (extract(epoch FROM gr.expires_at) * 1000)::float8,
               'eventKinds', ag.event_kinds, 'fieldClasses', ag.field_classes)) AS grants
      FROM "grant" gr LEFT JOIN access_group ag ON ag.key = gr.group_key
      WHERE gr.person_id = p.id AND ${grantInForceSql("gr", now)}
    ) g ON true
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object(
               'id', bga.id, 'groupKey', ag.key, 'expiresAtMs', (extract(epoch FROM bga.expires_at) * 1000)::float8,
               'eventKinds', ag.event_kinds, 'fieldClasses', ag.field_classes) ORDER BY bga.started_at) AS accesses
      FROM break_glass_access bga JOIN access_group ag ON ag.key = bga.group_key
      WHERE bga.person_id = p.id AND bga.started_at <= ${now} AND bga.expires_at > ${now} AND bga.ended_at IS NULL
    ) bg ON true
    LEFT JOIN purpose_scope ps ON ps.purpose = s.purpose
    WHERE s.session_token = ${sessionToken}`;
}

/**
 * `db`: a transaction client, or the client itself for a look-up outside any
 * transaction (one statement); Prisma's, or a raw pg one (server/db/raw-sql.ts):
 * only raw SQL is used.
 */
export type ResolveDb = Pick<RawSqlClient, "$queryRaw" | "$executeRaw">;

export async function resolveActor(
  db: ResolveDb,
  sessionToken: string | null,
  limits: SessionLimits,
  now = new Date(),
): Promise<ActorResolution> {
  if (!sessionToken) return { status: "anonymous", reason: "no-session" };
  const [session] = await db.$queryRaw<ResolvedRow[]>(resolvingStatement(sessionToken, now));
  if (!session) return { status: "anonymous", reason: "no-session" };
  const createdAt = new Date(session.created_at);
  const expires = new Date(session.expires);

  const absoluteEnd = createdAt.getTime() + limits.maxHours * 3_600_000;
  if (expires <= now || absoluteEnd <= now.getTime()) {
    await db.$executeRaw`DELETE FROM auth_session WHERE session_token = ${sessionToken}`;
    return { status: "anonymous", reason: "session-expired" };
  }

  // The person is the one bound to the identity behind this session (one
  // account per user: the adapter refuses to link a second), not whoever has
  // the email on the user row.
  const email = session.user_email?.toLowerCase() ?? null;
  if (session.account_count !== 1) return { status: "no-access", reason: "identity-mismatch", email, personId: null, sessionToken };
  const person =
    session.person_id && session.person_name && session.person_email && session.person_employer && session.person_employment_type && session.person_status
      ? {
          id: session.person_id,
          name: session.person_name,
          email: session.person_email,
          employer: session.person_employer,
          employmentType: session.person_employment_type,
          status: session.person_status,
          grants: session.grants,
          breakGlassAccesses: session.break_glass,
        }
      : null;
  const access = decideAccess(person);
  const personId = person?.id ?? null;
  if (person && session.user_person_id !== null && session.user_person_id !== person.id) {
    return { status: "no-access", reason: "identity-mismatch", email, personId, sessionToken };
  }
  const rollIdleExpiry = async () => {
    const idleEnd = Math.min(now.getTime() + limits.idleMinutes * 60_000, absoluteEnd);
    if (idleEnd - expires.getTime() >= ROLL_GRANULARITY_MS) {
      await db.$executeRaw`UPDATE auth_session SET expires = ${new Date(idleEnd)} WHERE session_token = ${sessionToken}`;
    }
  };
  if (access.status !== "active" || !person) {
    const refused = { status: "no-access" as const, reason: access.reason ?? "not-listed", email: person?.email ?? email, personId, sessionToken };
    if (access.reason !== "no-active-grant" || !person) return refused;
    // Not rolled forward: a session without a grant lasts SESSION_IDLE_MINUTES from its sign-in at most.
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
      purposeDetail: session.purpose_detail,
      grantExpiresAt: new Date(0),
      sessionStartedAt: createdAt,
      breakGlass: [],
    };
    return { ...refused, requester };
  }
  await rollIdleExpiry();

  const { roles } = rolesAndGroups(person);
  // A purpose without a row (never, short of a hand edit) sees no field: fail closed.
  const purposeFieldClasses = session.purpose ? canonicalFieldClasses(session.purpose_field_classes ?? []) : null;
  // Break-glass counts as telemetry access to its group (with the viewer role, rolesAndGroups) until it expires.
  const groupGrants = [
    ...person.grants.flatMap((grant) =>
      grant.groupKey && grant.eventKinds && grant.fieldClasses ? [{ key: grant.groupKey, eventKinds: grant.eventKinds, fieldClasses: grant.fieldClasses }] : [],
    ),
    ...person.breakGlassAccesses.map((access) => ({ key: access.groupKey, eventKinds: access.eventKinds, fieldClasses: access.fieldClasses })),
  ];
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
      purposeDetail: session.purpose_detail,
      grantExpiresAt: new Date(Math.min(...[...person.grants, ...person.breakGlassAccesses].map((grant) => grant.expiresAtMs))),
      sessionStartedAt: createdAt,
      breakGlass: person.breakGlassAccesses.map((access) => ({ id: access.id, groupKey: access.groupKey, expiresAt: new Date(access.expiresAtMs) })),
    },
  };
}
