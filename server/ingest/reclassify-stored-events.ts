// Applies the producer-text rule (producer-text.ts) to events already stored:
// rows written before the rule existed, or before an admin removed a value
// from a vocabulary. New events need none of this; the intake applies the
// rule as it normalizes.
//
// Walks telemetry_event in id order, a batch at a time. A row whose visible
// fields the rule accepts as they are is left alone (most rows: no decryption
// needed). For any other row the content document is opened, the withheld
// values are sealed into it (under the field's name, e.g. `eventName`,
// `errorKind`, or the property's name for bag entries — the producer's own
// name for them was not stored), the fields get `unclassified`, and the row
// is rewritten in one statement per batch. Running it twice changes nothing
// the second time. It never prints or returns content.
import "server-only";
import type { ContentDocument } from "@/lib/telemetry/fields";
import { type ContentKey, openContent } from "@/server/crypto/content";
import { readMapping } from "./mapping";
import type { NormalizedEvent, PropertyValue } from "./normalize";
import { classifyProducerText, findUnclassifiedText } from "./producer-text";
import { type IngestDb, toInsertRow } from "./store-events";
import type { EventRow } from "@/server/telemetry/event-dto";

const BATCH_SIZE = 1_000;

/** A stored row in full: the explorer's row (server/telemetry/event-dto.ts) plus its source and content envelope. */
type StoredRow = Omit<EventRow, "received_at" | "has_content"> & {
  source_id: string | null;
  content_ciphertext: Uint8Array | null;
  content_key_id: string | null;
};

const SELECT_BATCH = `SELECT id::text AS id, source_id::text AS source_id, kind::text AS kind, event_name, time,
  machine_id, session_id, completion_id, vscode_version, extension_name, extension_version, os, os_version,
  ui_kind::text AS ui_kind, language_id, extension_settings, country, region, city,
  error_kind, error_context, latency_ms, model_certainty, suggestion_count, suggestion_char_length, post_processing,
  redaction_filter, accepted, persistence_check_sec, persistence_ratio, measurements, content_ciphertext, content_key_id
FROM telemetry_event WHERE id > $1::uuid ORDER BY id LIMIT $2::int`;

/** The columns the rule may change: its text fields, the bags and the sealed content. */
const REWRITTEN = [
  ["event_name", "text"],
  ["machine_id", "text"],
  ["session_id", "text"],
  ["completion_id", "text"],
  ["vscode_version", "text"],
  ["extension_name", "text"],
  ["extension_version", "text"],
  ["os", "text"],
  ["os_version", "text"],
  ["language_id", "text"],
  ["extension_settings", "jsonb"],
  ["error_kind", "text"],
  ["error_context", "jsonb"],
  ["post_processing", "text[]"],
  ["redaction_filter", "text"],
  ["measurements", "jsonb"],
  ["content_ciphertext", "text"],
  ["content_key_id", "text"],
] as const;

const UPDATE_BATCH = `UPDATE telemetry_event AS t SET ${REWRITTEN.map(([name]) => (name === "content_ciphertext" ? `${name} = decode(r.${name}, 'hex')` : `${name} = r.${name}`)).join(", ")}
FROM json_to_recordset($1::json) AS r(id uuid, ${REWRITTEN.map(([name, type]) => `${name} ${type}`).join(", ")})
WHERE t.id = r.id`;

/** jsonb may arrive as text from some drivers. */
const json = <T>(value: unknown): T | null => (value === null || value === undefined ? null : ((typeof value === "string" ? JSON.parse(value) : value) as T));
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

type VisibleFields = Pick<
  NormalizedEvent,
  | "eventName"
  | "machineId"
  | "sessionId"
  | "completionId"
  | "vscodeVersion"
  | "extensionName"
  | "extensionVersion"
  | "os"
  | "osVersion"
  | "languageId"
  | "extensionSettings"
  | "errorKind"
  | "errorContext"
  | "postProcessing"
  | "redactionFilter"
  | "measurements"
>;

function visibleFields(row: StoredRow): VisibleFields {
  return {
    eventName: row.event_name,
    machineId: row.machine_id,
    sessionId: row.session_id,
    completionId: row.completion_id,
    vscodeVersion: row.vscode_version,
    extensionName: row.extension_name,
    extensionVersion: row.extension_version,
    os: row.os,
    osVersion: row.os_version,
    languageId: row.language_id,
    extensionSettings: json<Record<string, PropertyValue>>(row.extension_settings),
    errorKind: row.error_kind,
    errorContext: json<Record<string, PropertyValue>>(row.error_context),
    postProcessing: row.post_processing ?? [],
    redactionFilter: row.redaction_filter,
    measurements: json<Record<string, PropertyValue>>(row.measurements),
  };
}

function storedEvent(row: StoredRow, keys: readonly ContentKey[]): NormalizedEvent {
  const content =
    row.content_ciphertext && row.content_key_id
      ? (openContent({ ciphertext: row.content_ciphertext, keyId: row.content_key_id }, row.id, keys) as ContentDocument)
      : null;
  return {
    id: row.id,
    sourceId: row.source_id,
    kind: row.kind,
    time: row.time,
    uiKind: row.ui_kind,
    country: row.country?.trim() ?? null,
    region: row.region,
    city: row.city,
    latencyMs: num(row.latency_ms),
    modelCertainty: num(row.model_certainty),
    suggestionCount: num(row.suggestion_count),
    suggestionCharLength: num(row.suggestion_char_length),
    accepted: row.accepted,
    persistenceCheckSec: num(row.persistence_check_sec),
    persistenceRatio: num(row.persistence_ratio),
    ...visibleFields(row),
    content,
  };
}

export type ReclassifyResult = { examined: number; rewritten: number };

/** Rewrites every stored event the producer-text rule would not show as it is; see the header. */
export async function reclassifyStoredEvents(
  db: IngestDb,
  keys: readonly ContentKey[],
  options: { batchSize?: number; onProgress?: (result: ReclassifyResult) => void } = {},
): Promise<ReclassifyResult> {
  const mapping = await readMapping((sql) => db.$queryRawUnsafe<Array<Record<string, unknown>>>(sql));
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const result: ReclassifyResult = { examined: 0, rewritten: 0 };
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = await db.$queryRawUnsafe<StoredRow[]>(SELECT_BATCH, after, batchSize);
    if (rows.length === 0) break;
    const rewrites = rows
      .filter((row) => findUnclassifiedText(visibleFields(row), mapping).length > 0)
      .map((row) => toInsertRow(classifyProducerText(storedEvent(row, keys), {}, mapping), keys));
    if (rewrites.length > 0) {
      const rewrittenRows = rewrites.map((row) => Object.fromEntries([["id", row.id], ...REWRITTEN.map(([name]) => [name, row[name]])]));
      await db.$executeRawUnsafe(UPDATE_BATCH, JSON.stringify(rewrittenRows));
    }
    result.examined += rows.length;
    result.rewritten += rewrites.length;
    options.onProgress?.(result);
    after = rows.at(-1)!.id;
    if (rows.length < batchSize) break;
  }
  return result;
}
