// "Who has access now": the one place that decides it. Sign-in
// (server/auth/check-sign-in.ts) and every request (./resolve-actor.ts) ask
// here, and every query that needs "a grant in force" uses `grantInForce`.
//
// A person is found by the identity the identity provider proved (issuer =
// the provider id, subject = its `sub`), never by an email on a session's user
// row. The verified email is used once: at a person's first sign-in, to find
// the access-list entry to bind that identity to.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it
// (through server/auth/end-session-row.ts).
import type { AccessGroup, BreakGlassAccess, Grant, Person, Prisma } from "@/server/db/generated/client";
import { breakGlassInForce, grantInForce } from "./grant-in-force";

export { breakGlassInForce, grantInForce, grantInForceSql } from "./grant-in-force";

/** What the identity provider proved: `issuer` is the provider id ("oidc", "github", "demo", …). */
export type ProvenIdentity = { issuer: string; subject: string };

export type NoAccessReason = "not-listed" | "disabled" | "no-active-grant" | "identity-mismatch";

export type PersonWithGrants = Person & {
  grants: Array<Grant & { group: AccessGroup | null }>;
  /** break-glass accesses in force now: each counts as telemetry access to its group (viewer role) until it expires */
  breakGlassAccesses: Array<BreakGlassAccess & { group: AccessGroup }>;
};

export type AccessNow =
  | { status: "no-access"; reason: NoAccessReason; person: PersonWithGrants | null }
  | { status: "active"; person: PersonWithGrants };

const withGrantsInForce = (now: Date) =>
  ({
    grants: { where: grantInForce(now), include: { group: true } },
    breakGlassAccesses: { where: breakGlassInForce(now), include: { group: true }, orderBy: { startedAt: "asc" } },
  }) satisfies Prisma.PersonInclude;

/** The access of the person bound to this identity, now. */
export async function accessOfIdentity(tx: Prisma.TransactionClient, identity: ProvenIdentity, now: Date): Promise<AccessNow> {
  const person = await tx.person.findUnique({
    where: { oidcIssuer_oidcSubject: { oidcIssuer: identity.issuer, oidcSubject: identity.subject } },
    include: withGrantsInForce(now),
  });
  return decide(person);
}

/**
 * At sign-in: the access-list entry for this verified email, provided it is
 * unbound or bound to this very identity. `isFirstSignIn` says the caller
 * should bind it.
 */
export async function accessAtSignIn(
  tx: Prisma.TransactionClient,
  identity: ProvenIdentity,
  verifiedEmail: string,
  now: Date,
): Promise<AccessNow & { isFirstSignIn: boolean }> {
  const person = await tx.person.findUnique({ where: { email: verifiedEmail.trim().toLowerCase() }, include: withGrantsInForce(now) });
  if (!person) return { status: "no-access", reason: "not-listed", person: null, isFirstSignIn: false };
  const isBoundHere = person.oidcIssuer === identity.issuer && person.oidcSubject === identity.subject;
  if (person.oidcSubject !== null && !isBoundHere) return { status: "no-access", reason: "identity-mismatch", person, isFirstSignIn: false };
  if (person.oidcSubject === null) {
    // The identity may already be bound to another entry (whose email changed): never two people per identity.
    const holder = await tx.person.findUnique({
      where: { oidcIssuer_oidcSubject: { oidcIssuer: identity.issuer, oidcSubject: identity.subject } },
      select: { id: true },
    });
    if (holder) return { status: "no-access", reason: "identity-mismatch", person, isFirstSignIn: false };
  }
  return { ...decide(person), isFirstSignIn: person.oidcSubject === null };
}

function decide(person: PersonWithGrants | null): AccessNow {
  const decision = decideAccess(person);
  return decision.status === "active" && person ? { status: "active", person } : { status: "no-access", reason: decision.reason ?? "not-listed", person };
}

/**
 * The rule itself, on any shape of person (the ORM's here, the one-statement
 * look-up's in ./resolve-actor.ts): listed, active, and a grant or a
 * break-glass access in force.
 */
export function decideAccess(
  person: { status: string; grants: readonly unknown[]; breakGlassAccesses?: readonly unknown[] } | null,
): { status: "active"; reason?: undefined } | { status: "no-access"; reason: NoAccessReason } {
  if (!person) return { status: "no-access", reason: "not-listed" };
  if (person.status !== "active") return { status: "no-access", reason: "disabled" };
  if (person.grants.length === 0 && (person.breakGlassAccesses ?? []).length === 0) return { status: "no-access", reason: "no-active-grant" };
  return { status: "active" };
}

/** Roles and groups of the grants (and break-glass accesses) in force, each once (for audit rows and the policy). */
export function rolesAndGroups(
  person: { grants: ReadonlyArray<Pick<Grant, "role" | "groupKey">>; breakGlassAccesses?: ReadonlyArray<{ groupKey: NonNullable<Grant["groupKey"]> }> } | null,
): { roles: NonNullable<Grant["role"]>[]; groups: NonNullable<Grant["groupKey"]>[] } {
  const grants = person?.grants ?? [];
  const breakGlass = person?.breakGlassAccesses ?? [];
  return {
    roles: [...new Set([...grants.flatMap((grant) => (grant.role ? [grant.role] : [])), ...(breakGlass.length > 0 ? (["viewer"] as const) : [])])],
    groups: [...new Set([...grants.flatMap((grant) => (grant.groupKey ? [grant.groupKey] : [])), ...breakGlass.map((access) => access.groupKey)])],
  };
}
