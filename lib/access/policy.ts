// The access policy, as data plus one function that decides. Safe on both
// sides (the UI uses it to hide controls), but only the server's decision
// counts: the data layer calls `decide` on every request.
import {
  EVENT_KINDS,
  FIELD_CLASSES,
  type EventKind,
  type FieldClass,
  type GroupKey,
  type Role,
} from "@/lib/telemetry/vocabulary";

export const PERMISSIONS = ["telemetry.read", "access.manage", "audit.read"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do. Telemetry additionally needs a group scope. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ["telemetry.read"],
  admin: ["access.manage"],
  auditor: ["audit.read"],
};

/** A group's scope: the event kinds it covers and the field classes it shows for them. */
export type GroupScope = { eventKinds: readonly EventKind[]; fieldClasses: readonly FieldClass[] };

/** Defaults written by the seed; admins can edit them (table access_group). */
export const DEFAULT_GROUP_SCOPES: Record<GroupKey, GroupScope> = {
  copilot_team: { eventKinds: EVENT_KINDS, fieldClasses: FIELD_CLASSES },
  // Errors and measurements: no code, no pseudonymous ids, no location.
  platform_health: {
    eventKinds: EVENT_KINDS.filter((kind) => kind !== "other"),
    fieldClasses: ["environment", "measurements"],
  },
  microsoft_copilot: {
    eventKinds: EVENT_KINDS.filter((kind) => kind.startsWith("completion_")),
    fieldClasses: ["environment", "location", "measurements", "content"],
  },
  openai_copilot: {
    eventKinds: EVENT_KINDS.filter((kind) => kind.startsWith("completion_")),
    fieldClasses: ["environment", "location", "measurements", "content"],
  },
};

/** The grants in force for one person right now (already filtered for expiry and revocation). */
export type Subject = {
  roles: readonly Role[];
  /** each active group membership with that group's current scope */
  groups: ReadonlyArray<{ key: GroupKey; scope: GroupScope }>;
};

export type AccessRequest =
  | { permission: Exclude<Permission, "telemetry.read"> }
  | { permission: "telemetry.read"; eventKind: EventKind; fieldClass?: FieldClass };

/**
 * The one decision. Telemetry needs the viewer role AND a group whose scope
 * covers the event kind (and the field class, when one is asked for) — the
 * pair must come from the same group, so two groups never combine into more
 * than either grants.
 */
export function decide(subject: Subject, request: AccessRequest): boolean {
  const hasPermission = subject.roles.some((role) => ROLE_PERMISSIONS[role].includes(request.permission));
  if (!hasPermission) return false;
  if (request.permission !== "telemetry.read") return true;
  return subject.groups.some(
    ({ scope }) =>
      scope.eventKinds.includes(request.eventKind) &&
      (request.fieldClass === undefined || scope.fieldClasses.includes(request.fieldClass)),
  );
}

/** For each event kind the subject may read, the field classes visible on it. */
export type TelemetryScope = Partial<Record<EventKind, FieldClass[]>>;

export function telemetryScope(subject: Subject): TelemetryScope {
  const scope: TelemetryScope = {};
  for (const eventKind of EVENT_KINDS) {
    if (!decide(subject, { permission: "telemetry.read", eventKind })) continue;
    scope[eventKind] = FIELD_CLASSES.filter((fieldClass) => decide(subject, { permission: "telemetry.read", eventKind, fieldClass }));
  }
  return scope;
}

export function permittedKinds(scope: TelemetryScope): EventKind[] {
  return EVENT_KINDS.filter((kind) => scope[kind] !== undefined);
}

/** Field classes visible on at least one permitted kind (the table's possible columns). */
export function visibleFieldClasses(scope: TelemetryScope): FieldClass[] {
  return FIELD_CLASSES.filter((fieldClass) => Object.values(scope).some((classes) => classes?.includes(fieldClass)));
}
