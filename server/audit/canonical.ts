// How an audit row is hashed. Pure: no database, no clock, so writer, verifier
// and an auditor's own tool (any language) compute the same bytes.
//
// The hash of a row is SHA-256 (lower-case hex) over the canonical JSON of an
// object holding every column of audit_event except `id` and `hash`, keyed by
// the column's SQL name (chain_id, seq, occurred_at, …, prev_hash):
//   - object keys sorted by UTF-16 code units (all column names are ASCII),
//     at every depth, no whitespace — the JSON Canonicalization Scheme
//     (RFC 8785) ordering and number format, i.e. JavaScript's JSON.stringify;
//   - bigints (id-like columns: seq) as decimal strings, timestamps as ISO 8601
//     UTC with milliseconds ("2026-11-24T01:02:03.456Z"), arrays as they are;
//   - an absent (SQL NULL) column as null.
// A chain's first row links to sha256("telemetry-portal:audit:genesis:<chain>").
//
// This module does not import "server-only": operator scripts run it too.
import { createHash } from "node:crypto";
import type { AuditEvent } from "@/server/db/generated/client";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Every hashed column: all of audit_event but the surrogate `id` and the `hash` itself. */
export type AuditRowContent = Omit<AuditEvent, "id" | "hash">;

/**
 * The SQL name of each hashed column. Being a Record over every key of the
 * model, this stops type-checking when a column is added to audit_event and
 * not here. (A column added later must hash as before for old rows — e.g.
 * leave it out of the hash while null — or every existing chain breaks.)
 */
const HASHED_COLUMNS: Record<keyof AuditRowContent, string> = {
  chainId: "chain_id",
  seq: "seq",
  occurredAt: "occurred_at",
  requestId: "request_id",
  actorPersonId: "actor_person_id",
  actorEmail: "actor_email",
  actorEmployer: "actor_employer",
  actorGroups: "actor_groups",
  actorRoles: "actor_roles",
  actorIp: "actor_ip",
  actorUserAgent: "actor_user_agent",
  action: "action",
  outcome: "outcome",
  reason: "reason",
  purpose: "purpose",
  purposeDetail: "purpose_detail",
  targetType: "target_type",
  targetId: "target_id",
  eventIds: "event_ids",
  machineIds: "machine_ids",
  fieldClasses: "field_classes",
  filters: "filters",
  rowCount: "row_count",
  fileSha256: "file_sha256",
  before: "before",
  after: "after",
  prevHash: "prev_hash",
};

/** The SQL names of the hashed columns. */
export const HASHED_COLUMN_NAMES: readonly string[] = Object.values(HASHED_COLUMNS);

const GENESIS_PREFIX = "telemetry-portal:audit:genesis:";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hash a chain starts from (the migration seeds audit_chain_head with it). */
export function genesisHash(chainId: number): string {
  return sha256Hex(`${GENESIS_PREFIX}${chainId}`);
}

/**
 * Canonical JSON of any value: sorted keys, bigint → decimal string, Date →
 * ISO string, undefined → omitted from objects and null elsewhere (as
 * JSON.stringify does). Throws on values JSON cannot hold.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(isoTimestamp(value));
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) {
    // Fast path for the common text[] columns (event ids): same bytes.
    if (value.every((item) => typeof item === "string")) return JSON.stringify(value);
    return `[${value.map(canonicalJson).join(",")}]`;
  }
  if (typeof value === "object" && isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    // The default sort compares UTF-16 code units, as RFC 8785 asks.
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
    }
    return `{${members.join(",")}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
}

/** The canonical serialization of a row's hashed columns. */
export function canonicalAuditRow(row: AuditRowContent): string {
  const columns: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(HASHED_COLUMNS)) {
    columns[column] = row[key as keyof AuditRowContent];
  }
  return canonicalAuditColumns(columns);
}

/**
 * The same, from a row keyed by SQL column name as the database returns it
 * (e.g. through row_to_json, with seq and occurred_at already as strings).
 */
export function canonicalAuditColumns(columns: Readonly<Record<string, unknown>>): string {
  const hashed: Record<string, unknown> = {};
  for (const column of Object.values(HASHED_COLUMNS)) hashed[column] = columns[column] ?? null;
  return canonicalJson(hashed);
}

export function hashAuditRow(row: AuditRowContent): string {
  return sha256Hex(canonicalAuditRow(row));
}

export function hashAuditColumns(columns: Readonly<Record<string, unknown>>): string {
  return sha256Hex(canonicalAuditColumns(columns));
}

/**
 * Turns a value into the JSON the database will store and give back, so the
 * hash computed before the INSERT matches the one recomputed from the row:
 * bigint → string, Date → ISO string, undefined object members dropped, lone
 * UTF-16 surrogates replaced by U+FFFD (PostgreSQL stores UTF-8). Throws
 * TypeError on what jsonb cannot hold (NUL characters, NaN, functions, …).
 */
export function toStoredJson(value: unknown): JsonValue {
  if (value === null) return null;
  if (typeof value === "string") return toStoredText(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return isoTimestamp(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be stored as JSON`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toStoredJson(item)));
  if (typeof value === "object" && isPlainObject(value)) {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) result[toStoredText(key)] = toStoredJson(item);
    }
    return result;
  }
  throw new TypeError(`a ${typeof value} cannot be stored as JSON`);
}

/** Text as PostgreSQL will store it: no NUL (refused), lone surrogates as U+FFFD. */
export function toStoredText(text: string): string {
  if (text.includes("\u0000")) throw new TypeError("text must not contain NUL characters");
  // The database driver's UTF-8 encoder replaces each unpaired surrogate with
  // U+FFFD; toWellFormed() does exactly that, and a well-formed string (almost
  // every one) comes back as it is, without encoding it into a buffer and back.
  // (ES2024 methods, in every Node the portal runs on, >= 20.19; the project's lib is ES2023.)
  const unicode = text as string & { isWellFormed(): boolean; toWellFormed(): string };
  return unicode.isWellFormed() ? text : unicode.toWellFormed();
}

function isoTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError("invalid Date");
  return date.toISOString();
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
