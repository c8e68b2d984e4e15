// The SCIM Users resource (RFC 7644) over the access list, through the SCIM
// gate (server/scim/scim-gate.ts): one transaction, audit row last.
// - Creating a person gives no grant; the seed's eligibility rules
//   (lib/access/eligibility.ts) refuse an OpenAI contractor here and apply to
//   any grant given later through the portal.
// - active=false disables the person and ends every session of theirs in the
//   same transaction; their grants are kept but not in force while disabled
//   (the gate refuses a disabled person on every request). active=true
//   restores them, but only when the identity provider disabled them: a
//   person an admin disabled stays disabled (the answer says active=false).
// - DELETE deactivates and marks the person removed; the row stays (the audit
//   trail refers to it) and SCIM no longer finds it (404).
import "server-only";
import { personViolation } from "@/lib/access/eligibility";
import type { Person, Prisma } from "@/server/db/generated/client";
import { ACCESS_LIST_LOCK, endSessionsOf, personSnapshot } from "@/server/data/admin/access-list";
import { ScimError, invalidValue } from "@/server/scim/scim-error";
import { parsePaging, parseScimFilter } from "@/server/scim/scim-filter";
import { scimAudited, type ScimCall, type ScimToken } from "@/server/scim/scim-gate";
import { LIST_SCHEMA, applyPatch, readUserResource, stateOf, toScimUser, type ScimUserState } from "@/server/scim/scim-user";

export const MAX_PAGE = 200;
const SCIM_DISABLED_PREFIX = "Deactivated by the identity provider";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type ScimUser = ReturnType<typeof toScimUser>;

const snapshot = (person: Person) => ({ ...personSnapshot(person), scimExternalId: person.scimExternalId, managerId: person.managerId, removedAt: person.removedAt });

async function lockAccessList(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(${ACCESS_LIST_LOCK}::bigint)) AS lock`;
}

async function findScimPerson(tx: Prisma.TransactionClient, id: string): Promise<Person> {
  const person = UUID.test(id) ? await tx.person.findUnique({ where: { id: id.toLowerCase() } }) : null;
  if (!person || person.removedAt) throw new ScimError(404, `Users/${id}: no such user.`);
  return person;
}

async function refuseTakenEmail(tx: Prisma.TransactionClient, email: string, exceptId: string | null): Promise<void> {
  const other = await tx.person.findUnique({ where: { email }, select: { id: true } });
  if (other && other.id !== exceptId) throw new ScimError(409, `userName: ${email} is already on the access list.`, "uniqueness");
}

/** The manager must be another person on the access list (not removed). */
async function refuseUnknownManager(tx: Prisma.TransactionClient, managerId: string | null, personId: string | null): Promise<void> {
  if (managerId === null) return;
  const attribute = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
  if (managerId === personId) throw invalidValue(attribute, "a person cannot be their own manager");
  const manager = await tx.person.findUnique({ where: { id: managerId }, select: { removedAt: true } });
  if (!manager || manager.removedAt) throw invalidValue(attribute, "no such User: provision the manager first");
}

function refuseIneligible(state: ScimUserState): void {
  const rule = personViolation(state);
  if (rule) throw invalidValue("userType", rule.message);
}

export async function listScimUsers(call: ScimCall, params: URLSearchParams, baseUrl: string) {
  return scimAudited(call, "scim.read", async ({ tx }) => {
    const filter = parseScimFilter(params.get("filter"), ["userName", "externalId", "id"]);
    const { startIndex, count } = parsePaging(params, MAX_PAGE);
    const where: Prisma.PersonWhereInput = { removedAt: null };
    if (filter?.attribute === "userName") where.email = { equals: filter.value.trim().toLowerCase() };
    if (filter?.attribute === "externalId") where.scimExternalId = filter.value;
    if (filter?.attribute === "id") where.id = UUID.test(filter.value) ? filter.value.toLowerCase() : "00000000-0000-0000-0000-000000000000";
    const [total, people] = await Promise.all([
      tx.person.count({ where }),
      count === 0 ? Promise.resolve([]) : tx.person.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip: startIndex - 1, take: count }),
    ]);
    const resources = people.map((person) => toScimUser(person, baseUrl));
    return {
      value: { schemas: [LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources },
      audit: { targetType: "scim", filters: { resource: "Users", filter: params.get("filter"), startIndex, count }, rowCount: resources.length },
    };
  });
}

export async function getScimUser(call: ScimCall, id: string, baseUrl: string): Promise<ScimUser> {
  return scimAudited(
    call,
    "scim.read",
    async ({ tx }) => {
      const person = await findScimPerson(tx, id);
      return { value: toScimUser(person, baseUrl), audit: { targetType: "person", targetId: person.id, rowCount: 1 } };
    },
    id,
  );
}

export async function createScimUser(call: ScimCall, body: unknown, baseUrl: string): Promise<ScimUser> {
  return scimAudited(call, "scim.user_create", async ({ tx, token, now }) => {
    if (body instanceof ScimError) throw body;
    const state = readUserResource(body, null);
    refuseIneligible(state);
    await lockAccessList(tx);
    await refuseTakenEmail(tx, state.userName, null);
    await refuseUnknownManager(tx, state.managerId, null);
    const person = await tx.person.create({
      data: {
        managerId: state.managerId,
        name: state.name,
        email: state.userName,
        employer: state.employer,
        employmentType: state.employmentType,
        scimExternalId: state.externalId,
        ...(state.active ? {} : { status: "disabled", disabledAt: now, disabledReason: disabledReason(token) }),
      },
    });
    return {
      value: toScimUser(person, baseUrl),
      audit: { targetType: "person", targetId: person.id, before: null, after: snapshot(person), note: "created without grants" },
    };
  });
}

function disabledReason(token: ScimToken): string {
  return `${SCIM_DISABLED_PREFIX} (SCIM token ${token.name}).`;
}

/** Moves a person to the state the identity provider asks for; the audited action says what happened. */
async function applyState(tx: Prisma.TransactionClient, person: Person, wanted: ScimUserState, token: ScimToken, now: Date) {
  refuseIneligible(wanted);
  if (wanted.userName !== person.email) await refuseTakenEmail(tx, wanted.userName, person.id);
  if (wanted.managerId !== person.managerId) await refuseUnknownManager(tx, wanted.managerId, person.id);
  if (wanted.employer !== person.employer || wanted.employmentType !== person.employmentType) {
    const grants = await tx.grant.count({ where: { personId: person.id, revokedAt: null, expiresAt: { gt: now } } });
    if (grants > 0) {
      throw new ScimError(
        409,
        `${"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization"} / userType: ${person.email} holds grants decided for their current employer and employment type; an admin must revoke them in the portal before the identity provider can change either.`,
        "mutability",
      );
    }
  }
  const wasActive = person.status === "active";
  const disabledByAdmin = !wasActive && !(person.disabledReason ?? "").startsWith(SCIM_DISABLED_PREFIX);
  const deactivate = wasActive && !wanted.active;
  const reactivate = !wasActive && wanted.active && !disabledByAdmin;
  const updated = await tx.person.update({
    where: { id: person.id },
    data: {
      name: wanted.name,
      email: wanted.userName,
      employer: wanted.employer,
      employmentType: wanted.employmentType,
      scimExternalId: wanted.externalId,
      managerId: wanted.managerId,
      ...(deactivate ? { status: "disabled", disabledAt: now, disabledReason: disabledReason(token) } : {}),
      ...(reactivate ? { status: "active", disabledAt: null, disabledReason: null } : {}),
    },
  });
  const sessionsEnded = deactivate ? await endSessionsOf(tx, person) : 0;
  const action = deactivate ? "scim.user_deactivate" : reactivate ? "scim.user_reactivate" : "scim.user_update";
  const note = deactivate
    ? `deactivated: ${sessionsEnded} session(s) ended, grants suspended while disabled`
    : reactivate
      ? "reactivated: grants in force again"
      : disabledByAdmin && wanted.active
        ? "active=true ignored: an admin disabled this person in the portal"
        : undefined;
  return { updated, audit: { action, note, targetType: "person", targetId: person.id, before: snapshot(person), after: { ...snapshot(updated), sessionsEnded } } as const };
}

export async function replaceScimUser(call: ScimCall, id: string, body: unknown, baseUrl: string): Promise<ScimUser> {
  return scimAudited(
    call,
    "scim.user_update",
    async ({ tx, token, now }) => {
      if (body instanceof ScimError) throw body;
      await lockAccessList(tx);
      const person = await findScimPerson(tx, id);
      const wanted = readUserResource(body, stateOf(person));
      const { updated, audit } = await applyState(tx, person, wanted, token, now);
      return { value: toScimUser(updated, baseUrl), audit };
    },
    id,
  );
}

export async function patchScimUser(call: ScimCall, id: string, body: unknown, baseUrl: string): Promise<ScimUser> {
  return scimAudited(
    call,
    "scim.user_update",
    async ({ tx, token, now }) => {
      if (body instanceof ScimError) throw body;
      await lockAccessList(tx);
      const person = await findScimPerson(tx, id);
      const wanted = applyPatch(stateOf(person), body);
      const { updated, audit } = await applyState(tx, person, wanted, token, now);
      return { value: toScimUser(updated, baseUrl), audit };
    },
    id,
  );
}

export async function deleteScimUser(call: ScimCall, id: string): Promise<void> {
  return scimAudited(
    call,
    "scim.user_delete",
    async ({ tx, token, now }) => {
      await lockAccessList(tx);
      const person = await findScimPerson(tx, id);
      const updated = await tx.person.update({
        where: { id: person.id },
        data: {
          removedAt: now,
          ...(person.status === "active" ? { status: "disabled", disabledAt: now, disabledReason: disabledReason(token) } : {}),
        },
      });
      const sessionsEnded = await endSessionsOf(tx, person);
      return {
        value: undefined,
        audit: {
          targetType: "person",
          targetId: person.id,
          before: snapshot(person),
          after: { ...snapshot(updated), sessionsEnded },
          note: `removed and deactivated: ${sessionsEnded} session(s) ended; the person's record and history are kept`,
        },
      };
    },
    id,
  );
}
