// An audit row as an OCSF API Activity event (class 6003, OCSF 1.3.0): the
// body both sinks send (docs/SIEM.md has the mapping as a table). Pure: no
// clock, no configuration, so the unit test pins it.
//
// Every attribute comes from the row; what OCSF has no attribute for goes
// under `unmapped`, by its column name. Absent values (SQL NULL, empty lists)
// are left out rather than sent as null.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import { AUDIT_ACTION_LABELS, type AuditAction } from "@/lib/audit/actions";
import type { JsonValue } from "@/server/audit/canonical";
import type { SiemAuditRow } from "./siem-audit-row";

export const OCSF_VERSION = "1.3.0";
export const OCSF_API_ACTIVITY = { classUid: 6003, className: "API Activity", categoryUid: 6, categoryName: "Application Activity" } as const;

/** OCSF API Activity's activity_id values. */
const ACTIVITIES = { 0: "Unknown", 1: "Create", 2: "Read", 3: "Update", 4: "Delete", 99: "Other" } as const;
export type OcsfActivityId = keyof typeof ACTIVITIES;

/**
 * The CRUD verb of each action. Sign-in, sign-out and refused requests are
 * not API calls on a resource: "Other". An action added later and not listed
 * here maps to "Other" too, until someone decides.
 */
const ACTIVITY_OF_ACTION: Partial<Record<AuditAction, OcsfActivityId>> = {
  "auth.sign_in": 99,
  "auth.sign_out": 99,
  "auth.session_expired": 99,
  "auth.sign_in_refused": 99,
  "auth.sign_in_failed": 99,
  "request.refused": 99,
  "session.purpose_set": 3,
  "session.view": 2,
  "events.list": 2,
  "events.view": 2,
  "events.reveal": 2,
  "events.export": 2,
  "events.chart": 2,
  "admin.person_create": 1,
  "admin.person_update": 3,
  "admin.person_disable": 3,
  "admin.grant_create": 1,
  "admin.grant_extend": 3,
  "admin.grant_revoke": 4,
  "admin.group_scope_update": 3,
  "admin.purpose_scope_update": 3,
  "admin.ingestion_key_create": 1,
  "admin.ingestion_key_revoke": 4,
  "admin.access_import": 3,
  "admin.access_export": 2,
  "admin.view": 2,
  "admin.bootstrap": 1,
  "audit.search": 2,
  "audit.view": 2,
  "audit.export": 2,
  "audit.verify": 2,
  "audit.delivery_view": 2,
  "audit.alert_raised": 1,
  "audit.alerts_list": 2,
  "audit.alert_view": 2,
  "telemetry.partition_purged": 4,
  "telemetry.erasure_preview": 2,
  "telemetry.machine_erased": 4,
};

export function activityOf(action: string): OcsfActivityId {
  return ACTIVITY_OF_ACTION[action as AuditAction] ?? 99;
}

/** OCSF severity_id: an allowed access is informational; a denial is worth a look; an error (bad input, outage) less so. */
const SEVERITY = {
  allowed: { id: 1, name: "Informational" },
  error: { id: 2, name: "Low" },
  denied: { id: 3, name: "Medium" },
} as const;

/** OCSF status_id: 1 Success, 2 Failure. */
const STATUS = {
  allowed: { id: 1, name: "Success" },
  denied: { id: 2, name: "Failure" },
  error: { id: 2, name: "Failure" },
} as const;

/** OCSF user type_id: 1 User, 2 Admin, 0 Unknown (nobody signed in). */
function userType(roles: readonly string[], signedIn: boolean): { type_id: number; type: string } {
  if (!signedIn) return { type_id: 0, type: "Unknown" };
  return roles.includes("admin") ? { type_id: 2, type: "Admin" } : { type_id: 1, type: "User" };
}

export type OcsfApiActivity = Record<string, JsonValue>;

/** Leaves out null, undefined, empty strings and empty lists, so the event carries only what the row says. */
function compact(object: Record<string, JsonValue | undefined>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

/** The reason's code ("forbidden: Your role does not allow this." → "forbidden"), when it has one. */
function statusCode(reason: string | null): string | undefined {
  return reason ? /^([a-z][a-z_]{1,40}):\s/.exec(reason)?.[1] : undefined;
}

export function toOcsfApiActivity(row: SiemAuditRow): OcsfApiActivity {
  const activityId = activityOf(row.action);
  const time = Date.parse(row.occurredAt);
  const signedIn = row.actorEmail !== null;
  const severity = SEVERITY[row.outcome];
  const status = STATUS[row.outcome];
  const label = AUDIT_ACTION_LABELS[row.action as AuditAction] as string | undefined;
  const isJob = row.requestId.startsWith("job:");

  const user = compact({
    uid: row.actorPersonId,
    email_addr: row.actorEmail,
    name: row.actorEmail ?? "anonymous",
    ...userType(row.actorRoles, signedIn),
    org: row.actorEmployer ? { name: row.actorEmployer } : undefined,
    groups: row.actorGroups.map((name) => ({ name })),
  });

  return compact({
    class_uid: OCSF_API_ACTIVITY.classUid,
    class_name: OCSF_API_ACTIVITY.className,
    category_uid: OCSF_API_ACTIVITY.categoryUid,
    category_name: OCSF_API_ACTIVITY.categoryName,
    activity_id: activityId,
    activity_name: ACTIVITIES[activityId],
    type_uid: OCSF_API_ACTIVITY.classUid * 100 + activityId,
    type_name: `${OCSF_API_ACTIVITY.className}: ${ACTIVITIES[activityId]}`,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    status_code: statusCode(row.reason),
    status_detail: row.reason,
    time,
    message: label ?? row.action,
    metadata: compact({
      version: OCSF_VERSION,
      product: { name: "Telemetry Portal", vendor_name: "GitHub", feature: { name: "Audit trail" } },
      uid: row.id,
      correlation_uid: row.requestId,
      sequence: Number(row.seq),
      log_name: `audit_event chain ${row.chainId}`,
      event_code: row.action,
      original_time: row.occurredAt,
    }),
    actor: { user },
    src_endpoint: row.actorIp ? { ip: row.actorIp } : { name: isJob ? "telemetry-portal job runner" : "unknown" },
    http_request: row.actorUserAgent ? { user_agent: row.actorUserAgent } : undefined,
    api: {
      operation: row.action,
      service: { name: "telemetry-portal" },
      request: { uid: row.requestId },
    },
    resources: row.targetType || row.targetId ? [compact({ type: row.targetType, uid: row.targetId })] : undefined,
    unmapped: compact({
      audit: { id: row.id, chain_id: row.chainId, seq: row.seq, hash: row.hash, prev_hash: row.prevHash },
      outcome: row.outcome,
      actor_roles: row.actorRoles,
      purpose: row.purpose,
      purpose_detail: row.purposeDetail,
      field_classes: row.fieldClasses,
      event_ids: row.eventIds,
      machine_ids: row.machineIds,
      filters: row.filters,
      row_count: row.rowCount,
      file_sha256: row.fileSha256,
      before: row.before,
      after: row.after,
    }),
  });
}
