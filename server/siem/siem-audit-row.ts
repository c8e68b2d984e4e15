// One audit row as the SIEM delivery reads it (server/siem/): every column of
// audit_event, with ids and sequence numbers as decimal strings (bigints) and
// the time as ISO 8601 UTC with milliseconds, exactly as hashed
// (server/audit/canonical.ts), so a SIEM holding the row can recompute its hash.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import type { AuditOutcome } from "@/lib/telemetry/vocabulary";
import type { JsonValue } from "@/server/audit/canonical";

export type SiemAuditRow = {
  id: string;
  chainId: number;
  seq: string;
  occurredAt: string;
  requestId: string;
  actorPersonId: string | null;
  actorEmail: string | null;
  actorEmployer: string | null;
  actorGroups: string[];
  actorRoles: string[];
  actorIp: string | null;
  actorUserAgent: string | null;
  action: string;
  outcome: AuditOutcome;
  reason: string | null;
  purpose: string | null;
  purposeDetail: string | null;
  targetType: string | null;
  targetId: string | null;
  eventIds: string[];
  machineIds: string[];
  fieldClasses: string[];
  filters: JsonValue | null;
  rowCount: number | null;
  fileSha256: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  prevHash: string;
  hash: string;
};

/** What `SELECT json_build_object('columns', row_to_json(e), 'id', …, 'seq', …, 'occurred_at', …)` returns. */
export type RawSiemRow = { columns: Record<string, unknown>; id: string; seq: string; occurred_at: string };

const text = (value: unknown): string | null => (typeof value === "string" ? value : value === null || value === undefined ? null : String(value));
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.map((item) => String(item)) : []);
const json = (value: unknown): JsonValue | null => (value === undefined ? null : (value as JsonValue | null));

export function toSiemAuditRow(raw: RawSiemRow): SiemAuditRow {
  const c = raw.columns;
  // "…:03.456000Z" → "…:03.456Z", the form the row was hashed in.
  const exactToMs = /^(.*\.\d{3})\d{3}Z$/.exec(raw.occurred_at);
  return {
    id: raw.id,
    chainId: Number(c.chain_id),
    seq: raw.seq,
    occurredAt: exactToMs ? `${exactToMs[1]}Z` : raw.occurred_at,
    requestId: String(c.request_id),
    actorPersonId: text(c.actor_person_id),
    actorEmail: text(c.actor_email),
    actorEmployer: text(c.actor_employer),
    actorGroups: texts(c.actor_groups),
    actorRoles: texts(c.actor_roles),
    actorIp: text(c.actor_ip),
    actorUserAgent: text(c.actor_user_agent),
    action: String(c.action),
    outcome: String(c.outcome) as AuditOutcome,
    reason: text(c.reason),
    purpose: text(c.purpose),
    purposeDetail: text(c.purpose_detail),
    targetType: text(c.target_type),
    targetId: text(c.target_id),
    eventIds: texts(c.event_ids),
    machineIds: texts(c.machine_ids),
    fieldClasses: texts(c.field_classes),
    filters: json(c.filters),
    rowCount: typeof c.row_count === "number" ? c.row_count : null,
    fileSha256: text(c.file_sha256),
    before: json(c.before),
    after: json(c.after),
    prevHash: String(c.prev_hash),
    hash: String(c.hash),
  };
}
