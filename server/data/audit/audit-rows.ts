// Reading audit rows for the console: the SQL (filters, keyset) and the DTO.
// Timestamps are formatted in SQL as UTC ISO strings with milliseconds, so the
// cursor and the display never depend on the session time zone.
import "server-only";
import { Prisma } from "@/server/db/generated/client";
import { ANONYMOUS_ACTOR, ANY_BREAK_GLASS, NONE_RECORDED, type AuditCursor, type AuditFilters, type AuditSort } from "@/lib/audit/audit-query";
import { ROUTINE_RULES } from "@/lib/audit/routine";
import { BREAK_GLASS_MARK_PREFIX } from "@/lib/access/break-glass-mark";
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

/** The routine rows of lib/audit/routine.ts, as SQL (the one place the rule becomes a predicate). */
export function auditRoutineSql(): Prisma.Sql {
  const parts = ROUTINE_RULES.map((rule) =>
    rule.outcomes === "any"
      ? Prisma.sql`action = ${rule.action}`
      : Prisma.sql`(action = ${rule.action} AND outcome = ANY(${[...rule.outcomes]}::audit_outcome[]))`,
  );
  return Prisma.sql`(${Prisma.join(parts, " OR ")})`;
}

/** The filters a facet can leave out of its own counts (so a picked value's neighbours keep theirs). */
export type AuditFacetDimension = "actor" | "action" | "outcome" | "purpose" | "employer";

/** `column = ANY(values)`, where the value "none" stands for NULL. */
function anyOrNone(column: Prisma.Sql, values: readonly string[], type: Prisma.Sql): Prisma.Sql {
  const named = values.filter((value) => value !== NONE_RECORDED);
  const parts: Prisma.Sql[] = [];
  if (named.length > 0) parts.push(Prisma.sql`${column} = ANY(${named}::${type}[])`);
  if (named.length < values.length) parts.push(Prisma.sql`${column} IS NULL`);
  return Prisma.sql`(${Prisma.join(parts, " OR ")})`;
}

/** One facet's own filter as a predicate, or null when nothing is picked in it. */
export function auditDimensionSql(filters: AuditFilters, dimension: AuditFacetDimension): Prisma.Sql | null {
  switch (dimension) {
    case "actor": {
      if (!filters.person?.length) return null;
      const ids = filters.person.filter((person) => person !== ANONYMOUS_ACTOR);
      const people: Prisma.Sql[] = [];
      if (ids.length > 0) people.push(Prisma.sql`actor_person_id = ANY(${ids}::uuid[])`);
      if (ids.length < filters.person.length) people.push(Prisma.sql`(actor_person_id IS NULL AND actor_email IS NULL)`);
      return Prisma.sql`(${Prisma.join(people, " OR ")})`;
    }
    case "action":
      return filters.action?.length ? Prisma.sql`action = ANY(${filters.action}::text[])` : null;
    case "outcome":
      return filters.outcome?.length ? Prisma.sql`outcome = ANY(${filters.outcome}::audit_outcome[])` : null;
    case "purpose":
      return filters.purpose?.length ? anyOrNone(Prisma.sql`purpose`, filters.purpose, Prisma.sql`purpose`) : null;
    case "employer":
      return filters.employer?.length ? anyOrNone(Prisma.sql`actor_employer`, filters.employer, Prisma.sql`employer`) : null;
  }
}

export const AUDIT_FACET_DIMENSIONS: readonly AuditFacetDimension[] = ["actor", "action", "outcome", "purpose", "employer"];

/**
 * The WHERE clause for the console's filters (all parameterized). `omit`
 * leaves facets' own filters out; `routine` overrides the filters' mode
 * ("only" selects the routine rows the filters would otherwise hide).
 */
export function auditWhere(
  filters: AuditFilters,
  options: { omit?: readonly AuditFacetDimension[]; routine?: "hide" | "show" | "only" } = {},
): Prisma.Sql {
  const omitted = new Set(options.omit ?? []);
  const routine = options.routine ?? filters.routine ?? "hide";
  const parts: Prisma.Sql[] = [];
  if (filters.actor) parts.push(Prisma.sql`actor_email ILIKE ${`%${escapeLike(filters.actor.toLowerCase())}%`}`);
  for (const dimension of AUDIT_FACET_DIMENSIONS) {
    const predicate = omitted.has(dimension) ? null : auditDimensionSql(filters, dimension);
    if (predicate) parts.push(predicate);
  }
  if (filters.from) parts.push(Prisma.sql`occurred_at >= ${filters.from.toISOString()}::timestamptz`);
  if (filters.to) parts.push(Prisma.sql`occurred_at <= ${filters.to.toISOString()}::timestamptz`);
  if (filters.eventId) parts.push(Prisma.sql`(event_ids @> ARRAY[${filters.eventId}]::text[] OR target_id = ${filters.eventId})`);
  if (filters.machineId) parts.push(Prisma.sql`machine_ids @> ARRAY[${filters.machineId}]::text[]`);
  if (filters.breakGlass) parts.push(breakGlassSql(filters.breakGlass));
  if (routine === "hide") parts.push(Prisma.sql`NOT ${auditRoutineSql()}`);
  if (routine === "only") parts.push(auditRoutineSql());
  return parts.length > 0 ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

/** The break-glass mark (lib/access/break-glass-mark.ts) in actor_groups: any, or one access's. */
function breakGlassSql(value: string): Prisma.Sql {
  if (value === ANY_BREAK_GLASS) return Prisma.sql`EXISTS (SELECT 1 FROM unnest(actor_groups) AS mark WHERE mark LIKE ${`${BREAK_GLASS_MARK_PREFIX}%`})`;
  return Prisma.sql`actor_groups @> ARRAY[${`${BREAK_GLASS_MARK_PREFIX}${value}`}]::text[]`;
}

/** One page in (occurred_at, id) order, after `cursor`; asks for `limit` rows. */
export function auditPageQuery(where: Prisma.Sql, sort: AuditSort, cursor: AuditCursor | null | undefined, limit: number): Prisma.Sql {
  const descending = sort === "time_desc";
  const after = cursor
    ? descending
      ? Prisma.sql`AND (occurred_at, id) < (${cursor.occurredAt}::timestamptz, ${cursor.id}::bigint)`
      : Prisma.sql`AND (occurred_at, id) > (${cursor.occurredAt}::timestamptz, ${cursor.id}::bigint)`
    : Prisma.empty;
  // Qualified: a bare `occurred_at` in ORDER BY would name the output column (the formatted text),
  // which sorts the same but cannot use the (occurred_at, id) index: a full scan and sort per page.
  const order = descending
    ? Prisma.sql`ORDER BY audit_event.occurred_at DESC, audit_event.id DESC`
    : Prisma.sql`ORDER BY audit_event.occurred_at ASC, audit_event.id ASC`;
  return Prisma.sql`SELECT ${SELECT_COLUMNS} FROM audit_event WHERE ${where} ${after} ${order} LIMIT ${limit}`;
}

export function auditRowByIdQuery(id: string): Prisma.Sql {
  return Prisma.sql`SELECT ${SELECT_COLUMNS} FROM audit_event WHERE id = ${id}::bigint`;
}

export type { AuditSqlRow };

/** access_group key → the display name admins gave it (rows store keys; the console shows names). */
export async function loadGroupNames(tx: Prisma.TransactionClient): Promise<Record<string, string>> {
  const rows = await tx.$queryRaw<Array<{ key: string; name: string }>>`SELECT key::text AS key, name FROM access_group`;
  return Object.fromEntries(rows.map((row) => [row.key, row.name]));
}
