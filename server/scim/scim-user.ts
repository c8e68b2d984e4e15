// What the identity provider says about a person, as SCIM (RFC 7643 §4.1 and
// the enterprise extension §4.3), and how it maps onto the access list:
//   userName                                   → email (lower-cased; must be an email address)
//   name.formatted | givenName familyName | displayName → name
//   externalId                                 → scim_external_id
//   active                                     → status (false: disabled)
//   enterprise extension `organization`        → employer: "GitHub", "Microsoft" or "OpenAI" (required:
//                                                no default could be safe, since the employer decides the groups)
//   enterprise extension `manager.value`       → manager_id: the SCIM id (the portal's person id) of their
//                                                manager; a manager's approval alone never grants their reports access
//   userType                                   → employment type: "Employee" or "Contractor"; absent → contractor
//                                                (the narrower one: contractors can never hold admin/auditor roles
//                                                and OpenAI contractors cannot be listed at all)
// No grants are ever given here. No "server-only": pure functions, unit-tested.
import { z } from "zod";
import { EMPLOYERS, EMPLOYMENT_TYPES, type Employer, type EmploymentType } from "@/lib/telemetry/vocabulary";
import { invalidValue, ScimError } from "./scim-error";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const EMPLOYER_NAMES: Record<Employer, string> = { github: "GitHub", microsoft: "Microsoft", openai: "OpenAI" };
const TYPE_NAMES: Record<EmploymentType, string> = { employee: "Employee", contractor: "Contractor" };

/** The attributes the portal keeps, as the identity provider states them. */
export type ScimUserState = {
  userName: string;
  name: string;
  externalId: string | null;
  employer: Employer;
  employmentType: EmploymentType;
  active: boolean;
  /** the manager's SCIM id (a person id), or null */
  managerId: string | null;
};

export type PersonForScim = {
  id: string;
  name: string;
  email: string;
  employer: Employer;
  employmentType: EmploymentType;
  status: "active" | "disabled";
  scimExternalId: string | null;
  managerId?: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export function toScimUser(person: PersonForScim, baseUrl: string) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    id: person.id,
    ...(person.scimExternalId ? { externalId: person.scimExternalId } : {}),
    userName: person.email,
    name: { formatted: person.name },
    displayName: person.name,
    emails: [{ value: person.email, type: "work", primary: true }],
    userType: TYPE_NAMES[person.employmentType],
    active: person.status === "active",
    [ENTERPRISE_SCHEMA]: { organization: EMPLOYER_NAMES[person.employer], ...(person.managerId ? { manager: { value: person.managerId, $ref: `${baseUrl}/Users/${person.managerId}` } } : {}) },
    meta: {
      resourceType: "User",
      created: person.createdAt.toISOString(),
      lastModified: person.updatedAt.toISOString(),
      location: `${baseUrl}/Users/${person.id}`,
    },
  };
}

export function stateOf(person: PersonForScim): ScimUserState {
  return {
    userName: person.email,
    name: person.name,
    externalId: person.scimExternalId,
    employer: person.employer,
    employmentType: person.employmentType,
    active: person.status === "active",
    managerId: person.managerId ?? null,
  };
}

const email = z.string().trim().toLowerCase().max(320).pipe(z.email());

function text(attribute: string, value: unknown, max = 200): string {
  if (typeof value !== "string") throw invalidValue(attribute, "must be a string");
  const trimmed = value.trim();
  if (trimmed === "" || trimmed.length > max || /[\u0000-\u001f\u007f]/.test(trimmed)) throw invalidValue(attribute, `must be 1 to ${max} printable characters`);
  return trimmed;
}

export function readUserName(value: unknown): string {
  const parsed = email.safeParse(value);
  if (!parsed.success) throw invalidValue("userName", "must be the person's email address");
  return parsed.data;
}

export function readEmployer(value: unknown): Employer {
  const attribute = `${ENTERPRISE_SCHEMA}:organization`;
  if (typeof value !== "string") throw invalidValue(attribute, "is required: GitHub, Microsoft or OpenAI");
  const employer = EMPLOYERS.find((key) => key === value.trim().toLowerCase());
  if (!employer) throw invalidValue(attribute, "must be GitHub, Microsoft or OpenAI");
  return employer;
}

export function readEmploymentType(value: unknown): EmploymentType {
  if (value === undefined || value === null) return "contractor";
  if (typeof value !== "string") throw invalidValue("userType", "must be Employee or Contractor");
  const type = EMPLOYMENT_TYPES.find((key) => key === value.trim().toLowerCase());
  if (!type) throw invalidValue("userType", "must be Employee or Contractor");
  return type;
}

/** Booleans as identity providers send them (Entra ID sends "False"). */
export function readActive(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
  throw invalidValue("active", "must be true or false");
}

function readExternalId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return text("externalId", value, 256);
}

/** The enterprise `manager`: `{ "value": "<id>" }` (RFC 7643 §4.3), or the bare id as some providers PATCH it; null clears it. */
export function readManager(value: unknown): string | null {
  const attribute = `${ENTERPRISE_SCHEMA}:manager`;
  if (value === null) return null;
  const id = isObject(value) ? value.value : value;
  if (id === null || id === undefined || id === "") return null;
  const parsed = z.guid().safeParse(typeof id === "string" ? id.trim() : id);
  if (!parsed.success) throw invalidValue(attribute, "must be the manager's SCIM id (the id the portal returned for them)");
  return parsed.data.toLowerCase();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readName(body: Record<string, unknown>, userName: string): string {
  const name = body.name;
  if (name !== undefined && name !== null && !isObject(name)) throw invalidValue("name", "must be an object");
  if (isObject(name)) {
    if (name.formatted !== undefined && name.formatted !== null) return text("name.formatted", name.formatted);
    const parts = [name.givenName, name.familyName].filter((part) => part !== undefined && part !== null);
    if (parts.length > 0) return text("name", parts.map((part, index) => text(index === 0 ? "name.givenName" : "name.familyName", part)).join(" "));
  }
  if (body.displayName !== undefined && body.displayName !== null) return text("displayName", body.displayName);
  return userName;
}

/** A whole User resource (POST, PUT). `active` absent: true for a new person, unchanged on PUT. */
export function readUserResource(body: unknown, current: ScimUserState | null): ScimUserState {
  if (!isObject(body)) throw new ScimError(400, "The body must be a SCIM User object.", "invalidSyntax");
  const userName = readUserName(body.userName);
  const enterprise = body[ENTERPRISE_SCHEMA];
  if (enterprise !== undefined && !isObject(enterprise)) throw invalidValue(ENTERPRISE_SCHEMA, "must be an object");
  return {
    userName,
    name: readName(body, userName),
    externalId: readExternalId(body.externalId),
    employer: readEmployer(isObject(enterprise) ? enterprise.organization : undefined),
    employmentType: readEmploymentType(body.userType),
    active: body.active === undefined || body.active === null ? (current?.active ?? true) : readActive(body.active),
    // Absent: unchanged (many providers never send it); null or {"value": ""} clears it.
    managerId: isObject(enterprise) && "manager" in enterprise ? readManager(enterprise.manager) : (current?.managerId ?? null),
  };
}

/** One attribute set by a PATCH path (or a key of a no-path value), lower-cased. */
function applyAttribute(state: ScimUserState, path: string, value: unknown, op: "add" | "replace" | "remove"): ScimUserState {
  const key = path.trim().toLowerCase();
  const enterprisePrefix = `${ENTERPRISE_SCHEMA.toLowerCase()}:`;
  if (op === "remove") {
    if (key === "externalid") return { ...state, externalId: null };
    if (key === "usertype") return { ...state, employmentType: "contractor" };
    if (key === `${enterprisePrefix}manager` || key === `${enterprisePrefix}manager.value`) return { ...state, managerId: null };
    throw new ScimError(400, `${path}: cannot be removed`, "mutability");
  }
  switch (key) {
    case "active":
      return { ...state, active: readActive(value) };
    case "username":
      return { ...state, userName: readUserName(value) };
    case "displayname":
    case "name.formatted":
      return { ...state, name: text(path, value) };
    case "name":
      if (!isObject(value)) throw invalidValue("name", "must be an object");
      return { ...state, name: readName({ name: value }, state.name) };
    case "externalid":
      return { ...state, externalId: readExternalId(value) };
    case "usertype":
      return { ...state, employmentType: readEmploymentType(value) };
    case `${enterprisePrefix}organization`:
      return { ...state, employer: readEmployer(value) };
    case `${enterprisePrefix}manager`:
    case `${enterprisePrefix}manager.value`:
      return { ...state, managerId: readManager(value) };
    case ENTERPRISE_SCHEMA.toLowerCase(): {
      if (!isObject(value)) throw invalidValue(ENTERPRISE_SCHEMA, "must be an object");
      const withEmployer = value.organization === undefined ? state : { ...state, employer: readEmployer(value.organization) };
      return "manager" in value ? { ...withEmployer, managerId: readManager(value.manager) } : withEmployer;
    }
    case "name.givenname":
    case "name.familyname":
    case "emails":
    case 'emails[type eq "work"].value':
    case "emails[primary eq true].value":
      // The portal keeps one address, the userName; names in parts are folded into the formatted name by PUT.
      return key.startsWith("emails") && typeof value === "string" ? { ...state, userName: readUserName(value) } : state;
    default:
      throw new ScimError(400, `${path}: not an attribute the portal keeps (active, userName, displayName, name, externalId, userType, ${ENTERPRISE_SCHEMA}:organization, ${ENTERPRISE_SCHEMA}:manager)`, "invalidPath");
  }
}

/** Applies a PatchOp body (RFC 7644 §3.5.2) to the person's current state. */
export function applyPatch(current: ScimUserState, body: unknown): ScimUserState {
  if (!isObject(body)) throw new ScimError(400, "The body must be a SCIM PatchOp object.", "invalidSyntax");
  if (!Array.isArray(body.schemas) || !body.schemas.includes(PATCH_SCHEMA)) throw invalidValue("schemas", `must include ${PATCH_SCHEMA}`);
  const operations = body.Operations;
  if (!Array.isArray(operations) || operations.length === 0) throw invalidValue("Operations", "must be a non-empty array");
  if (operations.length > 100) throw new ScimError(400, "Operations: at most 100 operations", "tooMany");
  let state = current;
  operations.forEach((operation: unknown, index) => {
    const where = `Operations[${index}]`;
    if (!isObject(operation)) throw invalidValue(where, "must be an object");
    const op = typeof operation.op === "string" ? operation.op.toLowerCase() : "";
    if (op !== "add" && op !== "replace" && op !== "remove") throw invalidValue(`${where}.op`, "must be add, replace or remove");
    if (operation.path !== undefined && typeof operation.path !== "string") throw new ScimError(400, `${where}.path: must be a string`, "invalidPath");
    if (typeof operation.path === "string") {
      state = applyAttribute(state, operation.path, operation.value, op);
      return;
    }
    if (op === "remove") throw new ScimError(400, `${where}.path: is required for remove`, "noTarget");
    if (!isObject(operation.value)) throw invalidValue(`${where}.value`, "must be an object of attributes when there is no path");
    for (const [key, value] of Object.entries(operation.value)) {
      if (key === "schemas" || key === "id" || key === "meta") continue;
      state = applyAttribute(state, key, value, op);
    }
  });
  return state;
}
