// What every admin use case shares: the serializing lock, the separation-of-
// duties and last-admin checks, the expiry limits, ending a person's sessions,
// and the snapshots that go into audit rows as before/after.
import "server-only";
import { groupViolation, maxGrantDays, personViolation, roleViolation, type EligibilityRule, type PersonFacts } from "@/lib/access/eligibility";
import { GROUP_LABELS, type GroupKey, type Role } from "@/lib/telemetry/vocabulary";
import type { Actor } from "@/server/access/resolve-actor";
import { getEnv } from "@/server/config/env";
import { type Prisma, type Grant, type Person } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import type { AccessCode, AccessDto, GrantState } from "./types";
import { grantInForce } from "@/server/access/access-now";

export const DAY_MS = 86_400_000;

/** One advisory lock for every change to the access list, so two admins never race past a check (server/access/access-list-changes.ts). */
export { ACCESS_LIST_LOCK, takeAccessListLock } from "@/server/access/access-list-changes";
import { takeAccessListLock } from "@/server/access/access-list-changes";

/** What an access code ("group:copilot_team", "role:viewer") stands for. */
export function parseAccessCode(code: AccessCode): AccessDto {
  const [kind, value] = code.split(":") as [string, string];
  if (kind === "role") return { kind, role: value as Role, code, label: `Role: ${value}` };
  const groupKey = value as GroupKey;
  return kind === "telemetry"
    ? { kind, groupKey, code, label: `Telemetry: ${GROUP_LABELS[groupKey]}` }
    : { kind: "group", groupKey, code, label: `Group: ${GROUP_LABELS[groupKey]}` };
}

export function accessOf(grant: Pick<Grant, "groupKey" | "role">): AccessDto {
  if (grant.groupKey && grant.role === "viewer") return parseAccessCode(`telemetry:${grant.groupKey}`);
  if (grant.groupKey) return parseAccessCode(`group:${grant.groupKey}`);
  if (grant.role) return parseAccessCode(`role:${grant.role}`);
  throw new Error("a grant names a group, a role, or both (telemetry)");
}

/** Where a grant's access goes in a Prisma where/data clause. */
export function accessColumns(access: AccessDto): { groupKey: GroupKey | null; role: Role | null } {
  if (access.kind === "telemetry") return { groupKey: access.groupKey, role: "viewer" };
  return access.kind === "group" ? { groupKey: access.groupKey, role: null } : { groupKey: null, role: access.role };
}

export function grantStateOf(grant: Pick<Grant, "revokedAt" | "expiresAt">, now: Date): GrantState {
  if (grant.revokedAt) return "revoked";
  return grant.expiresAt <= now ? "expired" : "active";
}

/** Prisma filter for grants in force at `now`. */
export const activeGrantWhere = grantInForce;

export function grantLimits(): { grantMaxDays: number; contractorGrantMaxDays: number } {
  const env = getEnv();
  return { grantMaxDays: env.GRANT_MAX_DAYS, contractorGrantMaxDays: env.CONTRACTOR_GRANT_MAX_DAYS };
}

/** YYYY-MM-DD (UTC) */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The latest expiry a new grant or an extension may have for this person, and the latest whole date (00:00 UTC) within it. */
export function maxExpiry(person: PersonFacts, now: Date): { days: number; at: Date; latestDate: string } {
  const days = maxGrantDays(person, grantLimits());
  const at = new Date(now.getTime() + days * DAY_MS);
  return { days, at, latestDate: isoDate(at) };
}

/** Refuses (422) an expiry that is not in the future or lies beyond the person's maximum. */
export function checkExpiry(person: PersonFacts, expiresAt: Date, now: Date, field = "expiresAt"): void {
  if (expiresAt.getTime() <= now.getTime()) {
    throw new AppError("unprocessable", "The expiry must be in the future.", [{ path: field, message: "must be in the future" }]);
  }
  const max = maxExpiry(person, now);
  if (expiresAt.getTime() > max.at.getTime()) {
    const who = person.employmentType === "contractor" ? "Grants to contractors" : "Grants";
    const message = `${who} may last at most ${max.days} days: choose ${max.latestDate} or earlier.`;
    throw new AppError("unprocessable", message, [{ path: field, message }]);
  }
}

/** Refuses (422) with the seed's rule, naming it. */
export function refuseRule(rule: EligibilityRule, field: string, suffix = ""): never {
  const message = suffix ? `${rule.message} ${suffix}` : rule.message;
  throw new AppError("unprocessable", message, [{ path: field, message }], rule.id);
}

export function accessViolation(person: PersonFacts, access: AccessDto): EligibilityRule | null {
  if (access.kind === "telemetry") return groupViolation(person, access.groupKey) ?? roleViolation(person, "viewer");
  return access.kind === "group" ? groupViolation(person, access.groupKey) : roleViolation(person, access.role);
}

/**
 * The rule a person would break with these facts, given the grants they hold
 * now (an employer or employment-type change must not strand a grant the
 * rules no longer allow), or the expiry a contractor change would exceed.
 */
export function checkFactsAgainstGrants(person: PersonFacts & { name: string }, grants: Array<Pick<Grant, "groupKey" | "role" | "expiresAt">>, now: Date, field: string): void {
  const rule = personViolation(person);
  if (rule) refuseRule(rule, field);
  for (const grant of grants) {
    const access = accessOf(grant);
    const violation = accessViolation(person, access);
    if (violation) refuseRule(violation, field, `${person.name} holds an active grant (${access.label}) that this would break: revoke it first.`);
  }
  const max = maxExpiry(person, now);
  const tooLong = grants.find((grant) => grant.expiresAt.getTime() > max.at.getTime());
  if (tooLong) {
    const message = `Grants to contractors may last at most ${max.days} days, and ${person.name}'s grant (${accessOf(tooLong).label}) runs until ${isoDate(tooLong.expiresAt)}: revoke it and grant again first.`;
    throw new AppError("unprocessable", message, [{ path: field, message }]);
  }
}

/**
 * Serializes changes to the access list and re-checks, under the lock, that
 * the actor is still an active admin: a concurrent change (another admin
 * revoking this one) cannot slip between the gate's check and this change.
 */
export async function lockAccessList(tx: Prisma.TransactionClient, actor: Actor, now: Date): Promise<void> {
  await takeAccessListLock(tx);
  const stillAdmin = await tx.grant.count({
    where: { personId: actor.personId, role: "admin", ...activeGrantWhere(now), person: { status: "active" } },
  });
  if (stillAdmin === 0) throw new AppError("forbidden", "Your admin access ended while this change was being made; nothing was changed.");
}


/** Separation of duties: nobody changes their own access. */
export function refuseSelf(actor: Actor, personId: string, what: string): void {
  if (actor.personId === personId) {
    throw new AppError("forbidden", `You cannot ${what} yourself: another admin must make this change (separation of duties).`);
  }
}

/** Ids of the people who can manage access right now. */
export async function activeAdminIds(tx: Prisma.TransactionClient, now: Date): Promise<string[]> {
  const grants = await tx.grant.findMany({
    where: { role: "admin", ...activeGrantWhere(now), person: { status: "active" } },
    select: { personId: true },
    distinct: ["personId"],
  });
  return grants.map((grant) => grant.personId);
}

/** Refuses (409) a change that would leave nobody able to manage access. */
export async function refuseLastAdmin(tx: Prisma.TransactionClient, person: Pick<Person, "id" | "name">, now: Date, what: string): Promise<void> {
  const admins = await activeAdminIds(tx, now);
  if (admins.length === 1 && admins[0] === person.id) {
    throw new AppError(
      "conflict",
      `${person.name} is the last active admin: ${what} would leave nobody able to manage access. Grant the admin role to someone else first.`,
    );
  }
}

/** Ends every portal session of this person, now (server/access/access-list-changes.ts). */
export { endSessionsOf } from "@/server/access/access-list-changes";

export async function findPersonOrThrow(tx: Prisma.TransactionClient, id: string): Promise<Person> {
  const person = await tx.person.findUnique({ where: { id } });
  if (!person) throw new AppError("not_found", "No such person on the access list.");
  return person;
}

/** What an audit row records of a person (before/after). */
export function personSnapshot(person: Person) {
  return {
    id: person.id,
    name: person.name,
    email: person.email,
    employer: person.employer,
    employmentType: person.employmentType,
    status: person.status,
    disabledAt: person.disabledAt,
    disabledReason: person.disabledReason,
  };
}

/** What an audit row records of a grant (before/after). */
export function grantSnapshot(grant: Grant, holder: Pick<Person, "email">) {
  return {
    id: grant.id,
    personId: grant.personId,
    personEmail: holder.email,
    access: accessOf(grant).code,
    justification: grant.justification,
    grantedAt: grant.grantedAt,
    grantedById: grant.grantedById,
    expiresAt: grant.expiresAt,
    revokedAt: grant.revokedAt,
    revokedById: grant.revokedById,
    revokeReason: grant.revokeReason,
  };
}

/** A uuid from raw input, for the target of a refusal's audit row (anything else is left out). */
export function targetHint(input: unknown, key: string): string | undefined {
  const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) ? value.toLowerCase() : undefined;
}
