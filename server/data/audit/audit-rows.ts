// Reading audit rows for the console: the SQL (filters, keyset) and the DTO.
// Timestamps are formatted in SQL as UTC ISO strings with milliseconds, so the
// cursor and the display never depend on the session time zone.
import "server-only";
import { Prisma } from "@/server/db/generated/client";
import type { AuditCursor, AuditFilters, AuditSort } from "@/lib/audit/audit-query";
import type { AuditOutcome, Employer, Purpose } from "@/lib/telemetry/vocabulary";

export type AuditRowDto = {
  id: string;
  chainId: number;
  seq: string;
  occurredAt: string;
  requestId: string;
  actor: { personId: string | null; email: string | null; employer: Employer | null; groups: string[]; roles: string[] };
  actorIp: string | null;
  actorUserAgent: string | null;
  action: string;
  outcome: AuditOutcome;
  reason: string | null;
  purpose: Purpose | null;
  purposeDetail: string | null;
  targetType: string | null;
  targetId: string | null;
  eventIds: string[];
  machineIds: string[];
  fieldClasses: string[];
  filters: unknown;
  rowCount: number | null;
  fileSha256: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
};

type AuditSqlRow = {
  id: bigint;
  chain_id: number;
  seq: bigint;
  occurred_at: string;
  request_id: string;
  actor_person_id: string | null;
  actor_email: string | null;
  actor_employer: Employer | null;
  actor_groups: string[];
  actor_roles: string[];
  actor_ip: string | null;
  actor_user_agent: string | null;
  action: string;
  outcome: AuditOutcome;
  reason: string | null;
  purpose: Purpose | null;
  purpose_detail: string | null;
  target_type: string | null;
  target_id: string | null;
  event_ids: string[];
  machine_ids: string[];
  field_classes: string[];
  filters: unknown;
  row_count: number | null;
  file_sha256: string | null;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
};

const SELECT_COLUMNS = Prisma.sql`
  id, chain_id, seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
  request_id, actor_person_id::text AS actor_person_id, actor_email, actor_employer::text AS actor_employer,
  actor_groups, actor_roles, actor_ip, actor_user_agent, action, outcome::text AS outcome, reason,
  purpose::text AS purpose, purpose_detail, target_type, target_id, event_ids, machine_ids, field_classes,
  filters, row_count, file_sha256, before, after, prev_hash, hash`;

export function toAuditRowDto(row: AuditSqlRow): AuditRowDto {
  return {
    id: row.id.toString(),
    chainId: Number(row.chain_id),
    seq: row.seq.toString(),
    occurredAt: row.occurred_at,
    requestId: row.request_id,
    actor: {
      personId: row.actor_person_id,
      email: row.actor_email,
      employer: row.actor_employer,
      groups: row.actor_groups ?? [],
      roles: row.actor_roles ?? [],
    },
    actorIp: row.actor_ip,
    actorUserAgent: row.actor_user_agent,
    action: row.action,
    outcome: row.outcome,
    reason: row.reason,
    purpose: row.purpose,
    purposeDetail: row.purpose_detail,
    targetType: row.target_type,
    targetId: row.target_id,
    eventIds: row.event_ids ?? [],
    machineIds: row.machine_ids ?? [],
    fieldClasses: row.field_classes ?? [],
    filters: row.filters,
    rowCount: row.row_count === null ? null : Number(row.row_count),
    fileSha256: row.file_sha256,
    before: row.before,
    after: row.after,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** The WHERE clause for the console's filters (all parameterized). */
export function auditWhere(filters: AuditFilters): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filters.actor) parts.push(Prisma.sql`actor_email ILIKE ${`%${escapeLike(filters.actor.toLowerCase())}%`}`);
  if (filters.action?.length) parts.push(Prisma.sql`action = ANY(${filters.action}::text[])`);
  if (filters.outcome?.length) parts.push(Prisma.sql`outcome = ANY(${filters.outcome}::audit_outcome[])`);
  if (filters.purpose?.length) parts.push(Prisma.sql`purpose = ANY(${filters.purpose}::purpose[])`);
  if (filters.from) parts.push(Prisma.sql`occurred_at >= ${filters.from.toISOString()}::timestamptz`);
  if (filters.to) parts.push(Prisma.sql`occurred_at <= ${filters.to.toISOString()}::timestamptz`);
  if (filters.eventId) parts.push(Prisma.sql`(event_ids @> ARRAY[${filters.eventId}]::text[] OR target_id = ${filters.eventId})`);
  if (filters.machineId) parts.push(Prisma.sql`machine_ids @> ARRAY[${filters.machineId}]::text[]`);
  return parts.length > 0 ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

/** One page in (occurred_at, id) order, after `cursor`; asks for `limit` rows. */
export function auditPageQuery(where: Prisma.Sql, sort: AuditSort, cursor: AuditCursor | null | undefined, limit: number): Prisma.Sql {
  const descending = sort === "time_desc";
  const after = cursor
    ? descending
      ? Prisma.sql`AND (occurred_at, id) < (${cursor.occurredAt}::timestamptz, ${cursor.id}::bigint)`
      : Prisma.sql`AND (occurred_at, id) > (${cursor.occurredAt}::timestamptz, ${cursor.id}::bigint)`
    : Prisma.empty;
  const order = descending ? Prisma.sql`ORDER BY occurred_at DESC, id DESC` : Prisma.sql`ORDER BY occurred_at ASC, id ASC`;
  return Prisma.sql`SELECT ${SELECT_COLUMNS} FROM audit_event WHERE ${where} ${after} ${order} LIMIT ${limit}`;
}

export function auditRowByIdQuery(id: string): Prisma.Sql {
  return Prisma.sql`SELECT ${SELECT_COLUMNS} FROM audit_event WHERE id = ${id}::bigint`;
}

export type { AuditSqlRow };
