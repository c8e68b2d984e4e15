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
import { CONTENT_KEY_ID_COLUMN, FIELD_LIST, type ContentDocument, type FieldSpec } from "@/lib/telemetry/fields";
import { type ContentKey, openContent } from "@/server/crypto/content";
import { readMapping } from "./mapping";
import type { NormalizedEvent, PropertyValue } from "./normalize";
import { classifyProducerText, findUnclassifiedText } from "./producer-text";
import { compactRollupDays } from "@/server/telemetry/rollup-maintenance";
import { type IngestDb, toInsertRow } from "./store-events";
import { selectExpression } from "@/server/telemetry/event-dto";
import { INSERT_STORE_COLUMNS } from "@/server/telemetry/event-store";

const BATCH_SIZE = 1_000;

/** A stored row in full, by column: every column of the field registry (content as its envelope). */
type StoredRow = Record<string, unknown> & { id: string; content_ciphertext: Uint8Array | null; content_key_id: string | null };

const SELECT_BATCH = `SELECT ${FIELD_LIST.map((field) =>
  field.value === "sealed" ? `${field.column}, ${CONTENT_KEY_ID_COLUMN}` : selectExpression(field),
).join(", ")}
FROM telemetry_event WHERE id > $1::uuid ORDER BY id LIMIT $2::int`;

/** The fields the rule judges: text, text lists and bags (what it may change). */
const JUDGED = FIELD_LIST.filter((field) => field.producerText.rule !== "portal" && field.producerText.rule !== "sealed" && field.producerText.rule !== "number" && field.producerText.rule !== "flag");

/** The columns the rule may change: its text fields, the bags and the sealed content. */
const REWRITTEN = INSERT_STORE_COLUMNS.filter(({ field }) => field.value === "sealed" || JUDGED.includes(field)).map(({ column, type }) => [column, type] as const);

const UPDATE_BATCH = `UPDATE telemetry_event AS t SET ${REWRITTEN.map(([name]) => (name === "content_ciphertext" ? `${name} = decode(r.${name}, 'hex')` : `${name} = r.${name}`)).join(", ")}
FROM json_to_recordset($1::json) AS r(id uuid, ${REWRITTEN.map(([name, type]) => `${name} ${type}`).join(", ")})
WHERE t.id = r.id`;

/** jsonb may arrive as text from some drivers. */
const json = <T>(value: unknown): T | null => (value === null || value === undefined ? null : ((typeof value === "string" ? JSON.parse(value) : value) as T));
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** A column's stored value as the record carries it. */
function recordValue(field: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return field.value === "textList" ? [] : null;
  switch (field.value) {
    case "json":
      return json<Record<string, PropertyValue>>(value);
    case "int":
    case "float":
      return num(value);
    case "country":
      return String(value).trim();
    default:
      return value;
  }
}

function visibleFields(row: StoredRow): Partial<NormalizedEvent> {
  return Object.fromEntries(JUDGED.map((field) => [field.key, recordValue(field, row[field.column])]));
}

function storedEvent(row: StoredRow, keys: readonly ContentKey[]): NormalizedEvent {
  const record: Record<string, unknown> = {};
  for (const field of FIELD_LIST) {
    record[field.key] =
      field.value === "sealed"
        ? row.content_ciphertext && row.content_key_id
          ? (openContent({ ciphertext: row.content_ciphertext, keyId: row.content_key_id }, row.id, keys) as ContentDocument)
          : null
        : recordValue(field, row[field.column]);
  }
  return record as NormalizedEvent;
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
  // The per-day rollups' delta rows still name the values withheld (added, then taken away): folding them
  // drops every key whose count is now 0, so the text is nowhere in the database any more.
  if (result.rewritten > 0) await compactRollupDays(db);
  return result;
}
