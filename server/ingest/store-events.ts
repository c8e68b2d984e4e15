// Writes normalized events: content sealed first (AES-256-GCM, bound to the
// row id), then one statement for the whole batch:
//
//   INSERT INTO telemetry_event (…) SELECT … FROM json_to_recordset($1::json) …
//   ON CONFLICT (id) DO NOTHING
//
// One parameter (the rows as JSON) works the same through every driver the
// portal uses (pg, PGlite), and one statement is one transaction: when it
// returns, every row of the batch is committed, and a replayed event (same
// deterministic id) is skipped rather than stored twice. The sender's IP is
// not an input here: rows carry only the country, region and city.
import "server-only";
import type { ContentKey } from "@/server/crypto/content";
import { sealContent } from "@/server/crypto/content";
import type { NormalizedEvent } from "./normalize";

/** What the intake needs from a database client (a PrismaClient has both). */
export type IngestDb = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
};

/** Column name → SQL type in json_to_recordset's column definition list. */
const COLUMNS = [
  ["id", "uuid"],
  ["source_id", "uuid"],
  ["kind", "event_kind"],
  ["event_name", "text"],
  ["time", "timestamptz"],
  ["machine_id", "text"],
  ["session_id", "text"],
  ["completion_id", "text"],
  ["vscode_version", "text"],
  ["extension_name", "text"],
  ["extension_version", "text"],
  ["os", "text"],
  ["os_version", "text"],
  ["ui_kind", "ui_kind"],
  ["language_id", "text"],
  ["extension_settings", "jsonb"],
  ["country", "text"],
  ["region", "text"],
  ["city", "text"],
  ["error_kind", "text"],
  ["error_context", "jsonb"],
  ["latency_ms", "integer"],
  ["model_certainty", "double precision"],
  ["suggestion_count", "integer"],
  ["suggestion_char_length", "integer"],
  ["post_processing", "text[]"],
  ["redaction_filter", "text"],
  ["accepted", "boolean"],
  ["persistence_check_sec", "integer"],
  ["persistence_ratio", "double precision"],
  ["measurements", "jsonb"],
  ["content_ciphertext", "text"],
  ["content_key_id", "text"],
] as const;

type ColumnName = (typeof COLUMNS)[number][0];

/** The telemetry_event columns the intake writes, in INSERT order (source_id included, received_at left to its default). */
export const INSERT_COLUMNS: readonly ColumnName[] = COLUMNS.map(([name]) => name);

export const INSERT_EVENTS_SQL = `INSERT INTO telemetry_event (${COLUMNS.map(([name]) => name).join(", ")})
SELECT ${COLUMNS.map(([name]) => (name === "content_ciphertext" ? "decode(r.content_ciphertext, 'hex')" : `r.${name}`)).join(", ")}
FROM json_to_recordset($1::json) AS r(${COLUMNS.map(([name, type]) => `${name} ${type}`).join(", ")})
ON CONFLICT (id) DO NOTHING`;

/** One row as json_to_recordset reads it (content sealed, hex-encoded). */
export function toInsertRow(event: NormalizedEvent, keys: readonly ContentKey[]): Record<ColumnName, unknown> {
  let ciphertext: string | null = null;
  let keyId: string | null = null;
  if (event.content) {
    const sealed = sealContent(event.content, event.id, keys);
    ciphertext = Buffer.from(sealed.ciphertext.buffer, sealed.ciphertext.byteOffset, sealed.ciphertext.byteLength).toString("hex");
    keyId = sealed.keyId;
  }
  return {
    id: event.id,
    source_id: event.sourceId,
    kind: event.kind,
    event_name: event.eventName,
    time: event.time.toISOString(),
    machine_id: event.machineId,
    session_id: event.sessionId,
    completion_id: event.completionId,
    vscode_version: event.vscodeVersion,
    extension_name: event.extensionName,
    extension_version: event.extensionVersion,
    os: event.os,
    os_version: event.osVersion,
    ui_kind: event.uiKind,
    language_id: event.languageId,
    extension_settings: event.extensionSettings,
    country: event.country,
    region: event.region,
    city: event.city,
    error_kind: event.errorKind,
    error_context: event.errorContext,
    latency_ms: event.latencyMs,
    model_certainty: event.modelCertainty,
    suggestion_count: event.suggestionCount,
    suggestion_char_length: event.suggestionCharLength,
    post_processing: event.postProcessing,
    redaction_filter: event.redactionFilter,
    accepted: event.accepted,
    persistence_check_sec: event.persistenceCheckSec,
    persistence_ratio: event.persistenceRatio,
    measurements: event.measurements,
    content_ciphertext: ciphertext,
    content_key_id: keyId,
  };
}

/** Stores the events (sealing their content); resolves once they are committed. Returns how many were new. */
export async function storeEvents(db: IngestDb, events: readonly NormalizedEvent[], keys: readonly ContentKey[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map((event) => toInsertRow(event, keys));
  return db.$executeRawUnsafe(INSERT_EVENTS_SQL, JSON.stringify(rows));
}
