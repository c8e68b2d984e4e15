// Words instead of codes for the audit console: actions, outcomes, purposes,
// employers, roles, groups, field classes, targets and a row's place in its
// chain. Safe on both sides. Every function falls back to the stored code when
// it does not know it (an old row may name something since renamed), so a
// label never hides what the row says.
import { ANONYMOUS_ACTOR, NONE_RECORDED } from "./audit-query";
import { AUDIT_ACTION_LABELS, type AuditAction } from "./actions";
import {
  EMPLOYER_LABELS,
  FIELD_CLASSES,
  GROUP_LABELS,
  PURPOSE_LABELS,
  ROLES,
  type AuditOutcome,
  type Employer,
  type FieldClass,
  type GroupKey,
  type Purpose,
  type Role,
} from "@/lib/telemetry/vocabulary";

const has = <K extends string>(record: Record<K, string>, key: string): key is K => Object.prototype.hasOwnProperty.call(record, key);

export function actionLabel(action: string): string {
  return has(AUDIT_ACTION_LABELS, action) ? AUDIT_ACTION_LABELS[action as AuditAction] : action;
}

export const OUTCOME_LABELS: Record<AuditOutcome, string> = { allowed: "Allowed", denied: "Denied", error: "Error" };

export function outcomeLabel(outcome: string): string {
  return has(OUTCOME_LABELS, outcome) ? OUTCOME_LABELS[outcome] : outcome;
}

export function purposeLabel(purpose: string | null): string {
  if (purpose === null || purpose === NONE_RECORDED) return "No purpose declared";
  return has(PURPOSE_LABELS, purpose) ? PURPOSE_LABELS[purpose as Purpose] : purpose;
}

/** Short enough for a table cell; the full label goes in its title. */
export const PURPOSE_SHORT_LABELS: Record<Purpose, string> = {
  improve_product: "Improve the product",
  evaluate_product: "Evaluate the product",
  improve_models: "Improve the models",
  guide_related_products: "Guide related products",
  investigate_abuse: "Investigate abuse",
  other: "Other (see the row)",
};

export function purposeShortLabel(purpose: string | null): string {
  if (purpose === null || purpose === NONE_RECORDED) return "—";
  return has(PURPOSE_SHORT_LABELS, purpose) ? PURPOSE_SHORT_LABELS[purpose as Purpose] : purpose;
}

export function employerLabel(employer: string | null): string {
  if (employer === null || employer === NONE_RECORDED) return "No employer recorded";
  return has(EMPLOYER_LABELS, employer) ? EMPLOYER_LABELS[employer as Employer] : employer;
}

export const ROLE_LABELS: Record<Role, string> = { viewer: "Viewer", admin: "Admin", auditor: "Auditor" };

export function roleLabel(role: string): string {
  return (ROLES as readonly string[]).includes(role) ? ROLE_LABELS[role as Role] : role;
}

/** A group's display name: the access list's own (`access_group.name`, which admins see), else the built-in one, else the key. */
export function groupLabel(key: string, names: Readonly<Record<string, string>> = {}): string {
  if (Object.prototype.hasOwnProperty.call(names, key) && names[key]) return names[key];
  return has(GROUP_LABELS, key) ? GROUP_LABELS[key as GroupKey] : key;
}

export const FIELD_CLASS_SHORT_LABELS: Record<FieldClass, string> = {
  identifiers: "Identifiers",
  environment: "Environment",
  location: "Location",
  measurements: "Measurements",
  content: "Content",
};

export function fieldClassLabel(fieldClass: string): string {
  return (FIELD_CLASSES as readonly string[]).includes(fieldClass) ? FIELD_CLASS_SHORT_LABELS[fieldClass as FieldClass] : fieldClass;
}

/** What the stored target types name. */
export const TARGET_TYPE_LABELS: Record<string, string> = {
  telemetry_event: "Event",
  audit_event: "Audit row",
  audit_trail: "Audit trail",
  audit_proof: "Proof bundle of audit row",
  export: "Export",
  person: "Person",
  grant: "Grant",
  group: "Group",
  access_list: "Access list",
  ingestion_key: "Ingestion key",
  session: "Session",
  identity: "Identity",
};

/** The same, for a row that names no single one ("Searched the audit trail" → "Audit rows"). */
export const TARGET_TYPE_PLURAL_LABELS: Record<string, string> = {
  telemetry_event: "Events",
  audit_event: "Audit rows",
  person: "People",
  grant: "Grants",
  group: "Groups",
  ingestion_key: "Ingestion keys",
};

export function targetTypeLabel(type: string): string {
  const label = Object.prototype.hasOwnProperty.call(TARGET_TYPE_LABELS, type) ? TARGET_TYPE_LABELS[type] : undefined;
  return label ?? type.replaceAll("_", " ");
}

/** A row's target in words: "3 events", "Event 0b1c…", "Person 6f2e…", "Access list", or null. */
export function targetText(row: { eventIds: readonly string[]; targetType: string | null; targetId: string | null }): string | null {
  if (row.eventIds.length > 1) return `${row.eventIds.length.toLocaleString("en-US")} events`;
  if (row.eventIds.length === 1) return `Event ${row.eventIds[0]}`;
  if (!row.targetType) return null;
  if (row.targetId) return `${targetTypeLabel(row.targetType)} ${row.targetId}`;
  const plural = Object.prototype.hasOwnProperty.call(TARGET_TYPE_PLURAL_LABELS, row.targetType) ? TARGET_TYPE_PLURAL_LABELS[row.targetType] : undefined;
  return plural ?? targetTypeLabel(row.targetType);
}

/** Where a row sits: "Chain 3 · row #8" — the chain's number and the row's sequence number in it, never "3 / 8". */
export function chainPosition(chainId: number, seq: string | number | bigint): string {
  return `Chain ${chainId} · row #${BigInt(seq).toLocaleString("en-US")}`;
}

/** An actor as a facet or a chart names them: the email, or who they were when there was none. */
export function actorLabel(actor: { key: string; email: string | null }): string {
  if (actor.email) return actor.email;
  return actor.key === ANONYMOUS_ACTOR ? "Anonymous (not signed in)" : actor.key;
}

/** "1,204 routine rows hidden" */
export function hiddenRoutineText(count: number): string {
  return `${count.toLocaleString("en-US")} routine ${count === 1 ? "row" : "rows"} hidden`;
}
