// The admin data layer's DTOs: what pages, forms and the JSON API receive.
// Types only (no runtime code), so client components may `import type` them.
// Dates travel as ISO strings; no session tokens, key hashes or OIDC subjects.
import type { Capability } from "@/lib/access/capability";
import type { Employer, EmploymentType, EventKind, FieldClass, GroupKey, Role } from "@/lib/telemetry/vocabulary";

/**
 * A grant's target as one string (forms, CSV, audit rows): "telemetry:copilot_team"
 * (the group and the viewer role together, one grant), "role:admin", or the
 * older halves "group:copilot_team" and "role:viewer".
 */
export type AccessCode = `telemetry:${GroupKey}` | `group:${GroupKey}` | `role:${Role}`;

export type AccessDto = ({ kind: "telemetry"; groupKey: GroupKey } | { kind: "group"; groupKey: GroupKey } | { kind: "role"; role: Role }) & {
  code: AccessCode;
  label: string;
};

/** What a person can actually do with the grants in force (lib/access/capability.ts). */
export type CapabilityDto = Capability;

export type GrantState = "active" | "expired" | "revoked";

/** active: on the list with a grant in force; no_access: on the list, nothing in force; disabled. */
export type PersonAccessStatus = "active" | "no_access" | "disabled";

export type PersonRefDto = { id: string; name: string; email: string };

export type PersonSummaryDto = {
  id: string;
  name: string;
  email: string;
  employer: Employer;
  employmentType: EmploymentType;
  status: PersonAccessStatus;
  capability: CapabilityDto;
  groups: GroupKey[];
  roles: Role[];
  /** the nearest expiry among the grants in force */
  nextExpiry: string | null;
  createdAt: string;
};

export type PeopleListDto = {
  items: PersonSummaryDto[];
  total: number;
  nextCursor: string | null;
};

export type GrantDto = {
  id: string;
  access: AccessDto;
  state: GrantState;
  justification: string;
  grantedAt: string;
  /** null: granted by the bootstrap command or the seed */
  grantedBy: PersonRefDto | null;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: PersonRefDto | null;
  revokeReason: string | null;
};

export type PersonDetailDto = {
  id: string;
  name: string;
  email: string;
  employer: Employer;
  employmentType: EmploymentType;
  personStatus: "active" | "disabled";
  status: PersonAccessStatus;
  capability: CapabilityDto;
  disabledAt: string | null;
  disabledReason: string | null;
  /** when the person first signed in and was bound to an identity */
  boundAt: string | null;
  createdAt: string;
  updatedAt: string;
  activeSessions: number;
  /** who manages this person (their approval alone never grants this person access) */
  manager: { id: string; name: string; email: string } | null;
  /** newest first */
  grants: GrantDto[];
  /** what the forms may offer (the server still decides every change) */
  options: {
    isSelf: boolean;
    isLastActiveAdmin: boolean;
    /** groups and roles the seed's rules allow for this person */
    allowedAccess: Array<{ code: AccessCode; label: string }>;
    maxGrantDays: number;
    /** the duration presets (days) this person may be given: 30/60/90 within their maximum */
    durationPresets: number[];
    /** the latest expiry date allowed today (YYYY-MM-DD) */
    latestExpiryDate: string;
    /** the earliest (tomorrow, YYYY-MM-DD) */
    earliestExpiryDate: string;
  };
};

export type GroupDto = {
  key: GroupKey;
  name: string;
  description: string;
  eventKinds: EventKind[];
  fieldClasses: FieldClass[];
  updatedAt: string;
  activeMembers: number;
  /** named approvers of the group's access requests (admins approve every group) */
  approverEmails: string[];
  approvalsRequired: number;
  /** for requests from Microsoft or OpenAI personnel, or for a scope with content */
  sensitiveApprovalsRequired: number;
};

export type ExpiringGrantDto = {
  id: string;
  access: AccessDto;
  expiresAt: string;
  grantedAt: string;
  justification: string;
  person: PersonRefDto & { employer: Employer; employmentType: EmploymentType };
  isSelf: boolean;
  /** the latest date an extension may reach today (YYYY-MM-DD) */
  latestExpiryDate: string;
};

export type ExpiringGrantsDto = { windowDays: number; /** when the list was read */ asOf: string; items: ExpiringGrantDto[] };

export type ImportSummaryDto = {
  rows: number;
  peopleCreated: number;
  peopleUpdated: number;
  grantsCreated: number;
  grantsExtended: number;
  rowsUnchanged: number;
};

export type IngestionKeyDto = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  createdBy: PersonRefDto | null;
  revokedAt: string | null;
  revokedBy: PersonRefDto | null;
  lastUsedAt: string | null;
};

/** Returned once, at creation: the key itself is never stored or shown again. */
export type CreatedIngestionKeyDto = { id: string; name: string; prefix: string; key: string };

/** A SCIM token as listed and as issued: the same shapes as an ingestion key's. */
export type ScimTokenDto = IngestionKeyDto;
export type CreatedScimTokenDto = CreatedIngestionKeyDto;
