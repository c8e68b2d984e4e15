// How an EventRecord (lib/telemetry/fields.ts) is written to telemetry_event,
// derived from the field registry: the intake's INSERT (json_to_recordset, one
// statement per batch) and the seed's COPY text lines. Both seal the content
// document first (AES-256-GCM, bound to the row id), so plaintext content
// never leaves this process. No "server-only": the seed scripts use it.
import { CONTENT_KEY_ID_COLUMN, FIELD_LIST, type EventRecord, type FieldKey, type FieldSpec } from "@/lib/telemetry/fields";
import { type ContentKey, sealContent } from "@/server/crypto/content";

type Field = FieldSpec & { key: FieldKey };

/** The SQL type json_to_recordset reads a value type as. */
const RECORDSET_TYPES: Record<Exclude<FieldSpec["value"], "sealed">, string> = {
  uuid: "uuid",
  kind: "event_kind",
  uiKind: "ui_kind",
  text: "text",
  country: "text",
  int: "integer",
  float: "double precision",
  bool: "boolean",
  json: "jsonb",
  textList: "text[]",
  timestamp: "timestamptz",
};

/** A column the writers fill: its name, its type in json_to_recordset, the field it comes from. */
export type StoreColumn = { column: string; type: string; field: Field; part?: "ciphertext" | "keyId" };

function columnsOf(field: Field): StoreColumn[] {
  if (field.value === "sealed") {
    return [
      { column: field.column, type: "text", field, part: "ciphertext" },
      { column: CONTENT_KEY_ID_COLUMN, type: "text", field, part: "keyId" },
    ];
  }
  return [{ column: field.column, type: RECORDSET_TYPES[field.value], field }];
}

/** Every column of the registry, in order: what the seed's COPY writes. */
export const COPY_STORE_COLUMNS: readonly StoreColumn[] = FIELD_LIST.flatMap(columnsOf);
export const COPY_COLUMNS: readonly string[] = COPY_STORE_COLUMNS.map(({ column }) => column);

/** What the intake's INSERT writes: every column but those the database fills (received_at: now()). */
export const INSERT_STORE_COLUMNS: readonly StoreColumn[] = COPY_STORE_COLUMNS.filter(({ field }) => !field.databaseDefault);
export const INSERT_COLUMNS: readonly string[] = INSERT_STORE_COLUMNS.map(({ column }) => column);

export const INSERT_EVENTS_SQL = `INSERT INTO telemetry_event (${INSERT_COLUMNS.join(", ")})
SELECT ${INSERT_STORE_COLUMNS.map(({ column, part }) => (part === "ciphertext" ? `decode(r.${column}, 'hex')` : `r.${column}`)).join(", ")}
FROM json_to_recordset($1::json) AS r(${INSERT_STORE_COLUMNS.map(({ column, type }) => `${column} ${type}`).join(", ")})
ON CONFLICT (id, "time") DO NOTHING`;

type Sealed = { ciphertext: string; keyId: string } | null;

function seal(record: EventRecord, keys: readonly ContentKey[]): Sealed {
  if (!record.content) return null;
  const sealed = sealContent(record.content, record.id, keys);
  const hex = Buffer.from(sealed.ciphertext.buffer, sealed.ciphertext.byteOffset, sealed.ciphertext.byteLength).toString("hex");
  return { ciphertext: hex, keyId: sealed.keyId };
}

/** One row as json_to_recordset reads it (content sealed, hex-encoded), keyed by column. */
export function toInsertRow(record: EventRecord, keys: readonly ContentKey[]): Record<string, unknown> {
  const sealed = seal(record, keys);
  const row: Record<string, unknown> = {};
  for (const { column, field, part } of INSERT_STORE_COLUMNS) {
    if (part) row[column] = sealed ? (part === "ciphertext" ? sealed.ciphertext : sealed.keyId) : null;
    else {
      const value = record[field.key];
      row[column] = value instanceof Date ? value.toISOString() : value;
    }
  }
  return row;
}

// ─── COPY text ───────────────────────────────────────────────────────────────

const NULL = "\\N";
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIAL_GLOBAL = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Escape a value for PostgreSQL's COPY text format (backslash, newline, carriage return, tab). */
export function copyText(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_GLOBAL, (char) => COPY_ESCAPES[char]!) : value;
}

const PLAIN_ARRAY_ELEMENT = /^[A-Za-z0-9_.:/-]+$/;

/** A PostgreSQL text[] literal, e.g. {trim,"a b"} (before COPY escaping). */
export function textArrayLiteral(values: readonly string[]): string {
  if (values.length === 0) return "{}";
  const elements = values.map((value) =>
    PLAIN_ARRAY_ELEMENT.test(value) && value.toUpperCase() !== "NULL" ? value : `"${value.replace(/[\\"]/g, "\\$&")}"`,
  );
  return `{${elements.join(",")}}`;
}

type CopyEncoder = (record: EventRecord, sealed: Sealed, jsonCache: WeakMap<object, string>) => string;

function copyEncoder({ field, part }: StoreColumn): CopyEncoder {
  const key = field.key;
  if (part === "ciphertext") {
    // bytea hex input is "\x…"; in COPY text the backslash itself is escaped.
    return (_record, sealed) => (sealed ? "\\\\x" + sealed.ciphertext : NULL);
  }
  if (part === "keyId") return (_record, sealed) => (sealed ? copyText(sealed.keyId) : NULL);
  switch (field.value) {
    case "uuid":
    case "kind":
    case "uiKind":
      return (record) => (record[key] === null ? NULL : String(record[key]));
    case "text":
    case "country":
      return (record) => (record[key] === null ? NULL : copyText(String(record[key])));
    case "int":
    case "float":
      return (record) => (record[key] === null ? NULL : String(record[key]));
    case "bool":
      return (record) => (record[key] === null ? NULL : record[key] ? "t" : "f");
    case "timestamp":
      // a record leaving it to the database (received_at) is received now
      return (record) => ((record[key] as Date | null) ?? new Date()).toISOString();
    case "textList":
      return (record) => copyText(textArrayLiteral((record[key] as string[] | null) ?? []));
    case "json":
      return (record, _sealed, jsonCache) => {
        const value = record[key] as object | null;
        if (value === null) return NULL;
        // shared objects (a machine's extension settings) are encoded once
        let text = jsonCache.get(value);
        if (text === undefined) {
          text = copyText(JSON.stringify(value));
          jsonCache.set(value, text);
        }
        return text;
      };
    case "sealed":
      throw new Error(`${key}: a sealed field has two columns`);
  }
}

const COPY_ENCODERS = COPY_STORE_COLUMNS.map(copyEncoder);
const INSERT_COPY_ENCODERS = INSERT_STORE_COLUMNS.map(copyEncoder);

/**
 * The intake's fast write: COPY of the INSERT columns (received_at is left to
 * the database's now(), as with INSERT_EVENTS_SQL). COPY has no ON CONFLICT:
 * a batch holding an id already stored fails as a whole (unique violation)
 * and the caller writes it again with INSERT_EVENTS_SQL.
 */
export const INSERT_COPY_SQL = `COPY telemetry_event (${INSERT_COLUMNS.join(", ")}) FROM STDIN`;

function encodeLine(encoders: readonly CopyEncoder[], record: EventRecord, sealed: Sealed, jsonCache: WeakMap<object, string>): string {
  let line = "";
  for (let index = 0; index < encoders.length; index++) line += (index === 0 ? "" : "\t") + encoders[index]!(record, sealed, jsonCache);
  return line + "\n";
}

/**
 * Encodes one event as a COPY text line (with the trailing newline), sealing
 * its content for its own id. `jsonCache` memoizes the JSON of shared objects.
 */
export function encodeCopyRow(record: EventRecord, keys: readonly ContentKey[], jsonCache: WeakMap<object, string>): string {
  return encodeLine(COPY_ENCODERS, record, seal(record, keys), jsonCache);
}

/** Encodes one event as a COPY text line of INSERT_COPY_SQL (the INSERT columns), sealing its content for its own id. */
export function encodeInsertCopyRow(record: EventRecord, keys: readonly ContentKey[], jsonCache: WeakMap<object, string>): string {
  return encodeLine(INSERT_COPY_ENCODERS, record, seal(record, keys), jsonCache);
}
