// The only way an audit row is written. It runs inside the caller's
// transaction, as the LAST statement before commit: it locks one chain head
// (SELECT … FOR UPDATE), links the new row to it, and advances it. The row
// lock is held until the caller commits, so keep the transaction short after
// this call, and use the default READ COMMITTED isolation (under REPEATABLE
// READ or SERIALIZABLE a concurrent writer on the same chain makes the lock
// fail with a serialization error).
//
// Several independent chains (AUDIT_CHAINS, 1..64) let concurrent requests
// write in parallel; a request's rows all go to the chain its request id
// hashes to, so one transaction never waits on two chain locks (no deadlock).
//
// Any failure — invalid entry, missing chain head, refused INSERT — becomes an
// AuditWriteError: the caller lets it propagate, its transaction rolls back
// and the data is not served (503). Rows carry ids, filters and counts, never
// telemetry content.
//
// This module does not import "server-only": operator scripts (the
// benchmark) run it too. Nothing in components/ or lib/ may import it.
import { z } from "zod";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import { MAX_METADATA_LENGTH } from "@/lib/telemetry/metadata";
import { AUDIT_OUTCOMES, EMPLOYERS, FIELD_CLASSES, PURPOSES } from "@/lib/telemetry/vocabulary";
import { getEnv } from "@/server/config/env";
import { getMetrics } from "@/server/observability/metrics";
import { Prisma } from "@/server/db/generated/client";
import { hashAuditRow, sha256Hex, toStoredJson, toStoredText, type AuditRowContent, type JsonValue } from "./canonical";

export const MAX_AUDIT_CHAINS = 64;
const USER_AGENT_MAX_LENGTH = 512;
const INT4_MAX = 2_147_483_647;

/** Text that PostgreSQL can store (no NUL) and that reads back identically. */
const storedText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !text.includes("\u0000"), { message: "must not contain NUL characters", abort: true })
    .transform(toStoredText);

/**
 * Text that echoes input (a refusal's reason, a target id from a URL): made to
 * fit instead of refused, so that a refusal can never fail its own audit row.
 * NUL becomes the visible escape "\\u0000" and the text is cut to `max`
 * characters (ending in "…" when cut).
 */
export function fitText(text: string, max: number): string {
  const escaped = toStoredText(text.replaceAll("\u0000", "\\u0000"));
  if (escaped.length <= max) return escaped;
  // Cut on a code point boundary, so no lone surrogate is left behind.
  let cut = escaped.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

const JSON_TEXT_MAX = 2000;
const JSON_DEPTH_MAX = 16;

/** The same for every string in a JSON-like value (filters, before/after), and a depth bound. */
export function fitJson(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return fitText(value, JSON_TEXT_MAX);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (depth >= JSON_DEPTH_MAX) return "[nested too deep]";
  if (Array.isArray(value)) return value.map((item) => fitJson(item, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [fitText(key, 200), fitJson(item, depth + 1)]));
}
const fittedText = (max: number) => z.string().transform((text) => fitText(text, max));

/** Any JSON-like value (Dates and bigints allowed), normalized to what jsonb stores. */
const storedJson = z.unknown().transform((value, ctx): JsonValue | null => {
  if (value === undefined || value === null) return null;
  try {
    return toStoredJson(fitJson(value));
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : "is not JSON" });
    return z.NEVER;
  }
});

const label = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be a short identifier");
// The uuid column stores lower case; hash what will be read back.
const uuid = z.guid().transform((id) => id.toLowerCase());

/** Who acted. personId and employer are null for someone not (or no longer) on the access list. */
const auditActorSchema = z.strictObject({
  personId: uuid.nullable(),
  email: storedText(320),
  employer: z.enum(EMPLOYERS).nullable(),
  groups: z.array(label).max(64),
  roles: z.array(label).max(16),
});

export const auditEntrySchema = z.strictObject({
  /** correlates every row of one HTTP request; also picks the chain */
  requestId: storedText(200).pipe(z.string().min(1)),
  /** null when nobody is signed in (refused sign-in, 401) */
  actor: auditActorSchema.nullable(),
  actorIp: storedText(64).nullable(),
  actorUserAgent: z
    .string()
    .transform((agent) => agent.slice(0, USER_AGENT_MAX_LENGTH))
    .pipe(storedText(USER_AGENT_MAX_LENGTH))
    .nullable(),
  action: z.enum(AUDIT_ACTIONS),
  outcome: z.enum(AUDIT_OUTCOMES),
  reason: fittedText(2000).nullish(),
  purpose: z.enum(PURPOSES).nullish(),
  purposeDetail: fittedText(2000).nullish(),
  targetType: fittedText(64).nullish(),
  targetId: fittedText(256).nullish(),
  /** telemetry event ids disclosed by this access */
  eventIds: z.array(z.guid()).optional(),
  /** pseudonymous machine ids whose events were disclosed: as the intake stored them (producer text), so made to fit, never refused */
  machineIds: z.array(fittedText(MAX_METADATA_LENGTH)).optional(),
  fieldClasses: z.array(z.enum(FIELD_CLASSES)).optional(),
  /** the query as the person asked it (never result content) */
  filters: storedJson.optional(),
  rowCount: z.number().int().min(0).max(INT4_MAX).nullish(),
  /** SHA-256 (hex) of an exported file */
  fileSha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a lower-case SHA-256 hex digest").nullish(),
  /** admin changes: the record before and after */
  before: storedJson.optional(),
  after: storedJson.optional(),
});

export type AuditEntry = z.input<typeof auditEntrySchema>;
type ValidAuditEntry = z.output<typeof auditEntrySchema>;

export type WrittenAuditEvent = { id: bigint; chainId: number; seq: bigint };

/** The audit row could not be written; the caller's transaction must roll back (HTTP 503). */
export class AuditWriteError extends Error {
  override name = "AuditWriteError";
}

export async function writeAuditEvent(
  tx: Prisma.TransactionClient,
  entry: AuditEntry,
  options: { chains?: number } = {},
): Promise<WrittenAuditEvent> {
  const [written] = await writeAuditEvents(tx, [entry], options);
  return written!;
}

/**
 * Several rows of ONE request (the same request id, so the same chain), as
 * consecutive links: one chain lock, one INSERT of every row, one head
 * advance — e.g. the explorer page's list and histogram. Same rows, hashes and
 * failure rule as writing them one by one; all or none.
 */
export async function writeAuditEvents(
  tx: Prisma.TransactionClient,
  entries: readonly AuditEntry[],
  options: { chains?: number } = {},
): Promise<WrittenAuditEvent[]> {
  try {
    // A bare client would take the chain lock in one autocommit statement and
    // insert in another; the data it vouches for must commit with the row.
    // (Transaction clients lack $disconnect; they do have $transaction.)
    if (typeof (tx as { $disconnect?: unknown }).$disconnect === "function") {
      throw new TypeError("writeAuditEvent must run inside the caller's transaction (pass the transaction client)");
    }
    const valid = entries.map((entry) => auditEntrySchema.parse(entry));
    const requestId = valid[0]?.requestId;
    if (requestId === undefined) throw new RangeError("no audit entry to write");
    if (valid.some((entry) => entry.requestId !== requestId)) throw new RangeError("audit entries written together must share one request id (one chain)");
    const chainId = pickChain(requestId, resolveChainCount(options.chains));
    const head = await lockChainHead(tx, chainId);
    // Taken under the lock, so occurred_at never goes backwards within a chain
    // (barring clock steps). Millisecond precision: it is part of the hash.
    const occurredAt = new Date();
    const rows: Array<{ row: AuditRowContent; hash: string }> = [];
    let previous = head;
    for (const entry of valid) {
      const row = toRowContent(entry, chainId, previous.seq + 1n, previous.hash, occurredAt);
      const hash = hashAuditRow(row);
      rows.push({ row, hash });
      previous = { seq: row.seq, hash };
    }
    const ids = await insertRowsAndAdvanceHead(tx, rows);
    for (const { row } of rows) getMetrics().auditWrites.inc({ outcome: row.outcome });
    return rows.map(({ row }, index) => ({ id: ids[index]!, chainId, seq: row.seq }));
  } catch (error) {
    getMetrics().auditWriteFailures.inc();
    throw new AuditWriteError(`The audit row could not be written: ${describeError(error)}`, { cause: error });
  }
}

function resolveChainCount(requested: number | undefined): number {
  const chains = requested ?? getEnv().AUDIT_CHAINS;
  if (!Number.isInteger(chains) || chains < 1 || chains > MAX_AUDIT_CHAINS) {
    throw new RangeError(`the number of audit chains must be 1..${MAX_AUDIT_CHAINS}, got ${chains}`);
  }
  return chains;
}

/** A stable chain per request id: uniform over requests, one chain per request. */
export function pickChain(requestId: string, chains: number): number {
  return Number.parseInt(sha256Hex(requestId).slice(0, 8), 16) % chains;
}

async function lockChainHead(tx: Prisma.TransactionClient, chainId: number): Promise<{ seq: bigint; hash: string }> {
  const rows = await tx.$queryRaw<Array<{ seq: bigint; hash: string }>>`
    SELECT seq, hash FROM audit_chain_head WHERE chain_id = ${chainId} FOR UPDATE`;
  const head = rows[0];
  if (!head) throw new Error(`audit chain ${chainId} has no head row (is the audit_append_only migration applied?)`);
  return { seq: BigInt(head.seq), hash: head.hash };
}

function toRowContent(entry: ValidAuditEntry, chainId: number, seq: bigint, prevHash: string, occurredAt: Date): AuditRowContent {
  return {
    chainId,
    seq,
    occurredAt,
    requestId: entry.requestId,
    actorPersonId: entry.actor?.personId ?? null,
    actorEmail: entry.actor?.email ?? null,
    actorEmployer: entry.actor?.employer ?? null,
    actorGroups: entry.actor?.groups ?? [],
    actorRoles: entry.actor?.roles ?? [],
    actorIp: entry.actorIp,
    actorUserAgent: entry.actorUserAgent,
    action: entry.action,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
    purpose: entry.purpose ?? null,
    purposeDetail: entry.purposeDetail ?? null,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    eventIds: entry.eventIds ?? [],
    machineIds: entry.machineIds ?? [],
    fieldClasses: entry.fieldClasses ?? [],
    filters: entry.filters ?? null,
    rowCount: entry.rowCount ?? null,
    fileSha256: entry.fileSha256 ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    prevHash,
  };
}

/**
 * One round trip: INSERT the rows (consecutive links of one chain) and move
 * the (already locked) head to the last. Timestamps travel as ISO strings so
 * the server's TimeZone cannot shift them.
 */
async function insertRowsAndAdvanceHead(tx: Prisma.TransactionClient, rows: ReadonlyArray<{ row: AuditRowContent; hash: string }>): Promise<bigint[]> {
  const last = rows.at(-1)!;
  const values = rows.map(({ row, hash }) => {
    const occurredAt = row.occurredAt.toISOString();
    return Prisma.sql`(
        ${row.chainId}, ${row.seq}, ${occurredAt}::timestamptz, ${row.requestId},
        ${row.actorPersonId}::uuid, ${row.actorEmail}, ${row.actorEmployer}::employer,
        ${row.actorGroups}::text[], ${row.actorRoles}::text[], ${row.actorIp}, ${row.actorUserAgent},
        ${row.action}, ${row.outcome}::audit_outcome, ${row.reason}, ${row.purpose}::purpose, ${row.purposeDetail},
        ${row.targetType}, ${row.targetId},
        ${row.eventIds}::text[], ${row.machineIds}::text[], ${row.fieldClasses}::text[],
        ${jsonParam(row.filters)}::jsonb, ${row.rowCount}::integer, ${row.fileSha256},
        ${jsonParam(row.before)}::jsonb, ${jsonParam(row.after)}::jsonb,
        ${row.prevHash}, ${hash}
      )`;
  });
  const inserted = await tx.$queryRaw<Array<{ id: bigint; seq: bigint }>>`
    WITH inserted AS (
      INSERT INTO audit_event (
        chain_id, seq, occurred_at, request_id,
        actor_person_id, actor_email, actor_employer, actor_groups, actor_roles, actor_ip, actor_user_agent,
        action, outcome, reason, purpose, purpose_detail, target_type, target_id,
        event_ids, machine_ids, field_classes, filters, row_count, file_sha256, before, after,
        prev_hash, hash
      ) VALUES ${Prisma.join(values, ", ")}
      RETURNING id, seq
    ), advanced AS (
      UPDATE audit_chain_head SET seq = ${last.row.seq}, hash = ${last.hash}, updated_at = ${last.row.occurredAt.toISOString()}::timestamptz
      WHERE chain_id = ${last.row.chainId}
      RETURNING chain_id
    )
    SELECT inserted.id, inserted.seq FROM inserted, advanced ORDER BY inserted.seq`;
  if (inserted.length !== rows.length) throw new Error(`audit chain ${last.row.chainId}: the head did not advance`);
  return inserted.map((row) => BigInt(row.id));
}

function jsonParam(value: Prisma.JsonValue | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

function describeError(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return `invalid entry: ${issue?.path.join(".") || "entry"} ${issue?.message ?? "is invalid"}`;
  }
  // Prisma puts the database's own message on the last line ("Raw query failed. Code: …").
  if (error instanceof Error) return error.message.split("\n").findLast((line) => line.trim() !== "")?.trim() ?? error.name;
  return String(error);
}
