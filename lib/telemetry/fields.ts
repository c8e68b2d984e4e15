// The field registry: the one place a telemetry field is declared. Everything
// else that lists fields derives from it — the explorer's columns
// (event-columns.ts), the filter parameters and their SQL conditions
// (event-query.ts, server/telemetry/event-sql.ts), the filter form, the DTO
// projection and the row type (server/telemetry/event-dto.ts), the intake's
// INSERT and the seed's COPY column lists (server/telemetry/event-store.ts),
// the row type the seed and the intake share (EventRecord, below) and the
// producer-text rule per field (server/ingest/producer-text.ts).
// fields.test.ts fails when any of those, or prisma/schema.prisma's
// TelemetryEvent, disagrees with this table.
//
// Adding a field: an entry here, a migration adding its column, and its intake
// mapping (server/ingest/normalize.ts). Adding a filter on a field: its
// `filter`. Safe on both sides.
import type { EventKind, FieldClass, UiKind } from "./vocabulary";
import { COMPLETION_EVENT_KINDS, EVENT_KINDS, UI_KINDS } from "./vocabulary";

// ─── What a field is ─────────────────────────────────────────────────────────

/**
 * The value's type, which decides its SQL type, how the seed's COPY and the
 * intake's INSERT encode it and how a DTO carries it.
 *   sealed: the encrypted content document (two columns: ciphertext and key id).
 */
export type ValueType = "uuid" | "kind" | "uiKind" | "text" | "country" | "int" | "float" | "bool" | "json" | "textList" | "timestamp" | "sealed";

/** How a field filters (each a parameter named after the field, a range two: `<param>Min`, `<param>Max`). */
export type FilterSpec =
  | { mode: "none" }
  /** equal, case and all (ids; a country code, upper-cased) */
  | { mode: "exact" }
  /** equal ignoring case: `os=Linux` finds `linux` (lower() expression indexes where selective) */
  | { mode: "case-insensitive" }
  /** equal, or a version starting with it and then `.` or `-`: `1.106` finds `1.106.2` and `1.106.0-insider`, not `1.1060` */
  | { mode: "prefix" }
  /** one of the field's closed list of values (a select) */
  | { mode: "enum" }
  /** `<param>Min` ≤ value ≤ `<param>Max` */
  | { mode: "range"; param: string; min: number; max: number; step: "integer" | "decimal"; labels: readonly [string, string] };
export type FilterMode = FilterSpec["mode"];

/** The producer-text rule (server/ingest/producer-text.ts applies it; docs/INGESTION.md, "Producer text"). */
export type TextFormat = "hexadecimal id" | "version";
export type ProducerTextRule =
  /** set by the portal, never by the producer (ids, kind, time, UI kind from a closed set, location from the GeoIP database) */
  | { rule: "portal" }
  | { rule: "number" }
  | { rule: "flag" }
  /** the encrypted content document itself */
  | { rule: "sealed" }
  /** a name in event_name_mapping (or the portal's own exception event name) */
  | { rule: "event name" }
  /** a value in known_value for `vocabulary`; `list`: each item of a text array */
  | { rule: "known"; vocabulary: string; list?: true }
  | { rule: "format"; format: TextFormat }
  /** a JSON bag: names classified in `fieldClass`, values a literal, in a property's format or a known value */
  | { rule: "bag"; fieldClass: "environment" | "measurements" };

export type FieldSpec = {
  /** the telemetry_event column (for `sealed`, the ciphertext; the key id is `content_key_id`) */
  column: string;
  value: ValueType;
  /** the column may hold NULL (the seed and the intake may leave it unset) */
  nullable: boolean;
  /** who may see it; null: a core field, shown with every event of a kind the person may see */
  fieldClass: FieldClass | null;
  /** the explorer's column header and the event page's label */
  label: string;
  /** the filter form's label, when it differs */
  filterLabel?: string;
  filter: FilterSpec;
  /** an explorer sort (by this field, then id): the name its sort orders carry in URLs (`latency_desc`) */
  sort?: string;
  /** has top values with counts (GET /api/v1/events/facets); also a rollup dimension (ROLLUP_FIELDS) */
  facetable: boolean;
  /** the event kinds that carry it (the seed fills it for these; the intake sets it when the producer sends it) */
  kinds: readonly EventKind[];
  producerText: ProducerTextRule;
  /** in the list and detail DTOs (when its class is granted for the event's kind) */
  dto: boolean;
  /** a column of the explorer's table and CSV export */
  explorer: boolean;
  /** the database fills it when the writer leaves it unset (received_at: now()) */
  databaseDefault?: true;
  /** a filter's input hint */
  example?: string;
  /** labels of the enum values (a select's options, a facet's values) */
  valueLabels?: Readonly<Record<string, string>>;
};

// ─── Shorthands ──────────────────────────────────────────────────────────────

const NO_FILTER = { mode: "none" } as const;
const EXACT = { mode: "exact" } as const;
const CASE_INSENSITIVE = { mode: "case-insensitive" } as const;
const PREFIX = { mode: "prefix" } as const;
const ENUM = { mode: "enum" } as const;
const PORTAL = { rule: "portal" } as const;
const NUMBER = { rule: "number" } as const;
const known = (vocabulary: string) => ({ rule: "known", vocabulary }) as const;
const format = (name: TextFormat) => ({ rule: "format", format: name }) as const;

const ALL = EVENT_KINDS;
const COMPLETIONS = COMPLETION_EVENT_KINDS;
const only = <const K extends readonly EventKind[]>(...kinds: K) => kinds;

// ─── The registry ────────────────────────────────────────────────────────────

/** Every telemetry_event column the portal reads or writes, in the column order of the insert and the COPY. */
export const TELEMETRY_FIELDS = {
  id: { column: "id", value: "uuid", nullable: false, fieldClass: null, label: "Event ID", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: PORTAL, dto: true, explorer: false },
  sourceId: { column: "source_id", value: "uuid", nullable: true, fieldClass: null, label: "Ingestion key", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: PORTAL, dto: false, explorer: false },
  time: { column: "time", value: "timestamp", nullable: false, fieldClass: null, label: "Time (UTC)", filter: NO_FILTER, sort: "time", facetable: false, kinds: ALL, producerText: PORTAL, dto: true, explorer: true },
  kind: { column: "kind", value: "kind", nullable: false, fieldClass: null, label: "Kind", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: PORTAL, dto: true, explorer: true },
  eventName: { column: "event_name", value: "text", nullable: false, fieldClass: null, label: "Event name", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: { rule: "event name" }, dto: true, explorer: true },
  receivedAt: { column: "received_at", value: "timestamp", nullable: false, databaseDefault: true, fieldClass: null, label: "Received (UTC)", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: PORTAL, dto: true, explorer: true },

  machineId: { column: "machine_id", value: "text", nullable: false, fieldClass: "identifiers", label: "Machine ID", filter: EXACT, facetable: false, kinds: ALL, producerText: format("hexadecimal id"), dto: true, explorer: true },
  sessionId: { column: "session_id", value: "text", nullable: false, fieldClass: "identifiers", label: "Session ID", filter: EXACT, facetable: false, kinds: ALL, producerText: format("hexadecimal id"), dto: true, explorer: true },
  completionId: { column: "completion_id", value: "text", nullable: true, fieldClass: "identifiers", label: "Completion ID", filter: NO_FILTER, facetable: false, kinds: COMPLETIONS, producerText: format("hexadecimal id"), dto: true, explorer: true },

  vscodeVersion: { column: "vscode_version", value: "text", nullable: false, fieldClass: "environment", label: "VS Code", filterLabel: "VS Code version", filter: PREFIX, facetable: true, kinds: ALL, producerText: format("version"), dto: true, explorer: true, example: "1.105" },
  extensionName: { column: "extension_name", value: "text", nullable: false, fieldClass: "environment", label: "Extension name", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: known("extensionName"), dto: true, explorer: false },
  extensionVersion: { column: "extension_version", value: "text", nullable: false, fieldClass: "environment", label: "Extension", filterLabel: "Extension version", filter: PREFIX, facetable: true, kinds: ALL, producerText: format("version"), dto: true, explorer: true, example: "1.380" },
  os: { column: "os", value: "text", nullable: false, fieldClass: "environment", label: "OS", filterLabel: "Operating system", filter: CASE_INSENSITIVE, facetable: true, kinds: ALL, producerText: known("os"), dto: true, explorer: true, example: "win32, darwin, linux" },
  osVersion: { column: "os_version", value: "text", nullable: false, fieldClass: "environment", label: "OS version", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: format("version"), dto: true, explorer: true },
  uiKind: { column: "ui_kind", value: "uiKind", nullable: false, fieldClass: "environment", label: "UI", filterLabel: "UI kind", filter: ENUM, facetable: true, kinds: ALL, producerText: PORTAL, dto: true, explorer: true },
  languageId: { column: "language_id", value: "text", nullable: true, fieldClass: "environment", label: "Language", filter: CASE_INSENSITIVE, facetable: true, kinds: COMPLETIONS, producerText: known("languageId"), dto: true, explorer: true, example: "typescript" },
  extensionSettings: { column: "extension_settings", value: "json", nullable: true, fieldClass: "environment", label: "Extension settings", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: { rule: "bag", fieldClass: "environment" }, dto: true, explorer: false },

  country: { column: "country", value: "country", nullable: true, fieldClass: "location", label: "Country", filter: EXACT, facetable: true, kinds: ALL, producerText: PORTAL, dto: true, explorer: true, example: "US" },
  region: { column: "region", value: "text", nullable: true, fieldClass: "location", label: "Region", filter: CASE_INSENSITIVE, facetable: true, kinds: ALL, producerText: PORTAL, dto: true, explorer: true },
  city: { column: "city", value: "text", nullable: true, fieldClass: "location", label: "City", filter: CASE_INSENSITIVE, facetable: true, kinds: ALL, producerText: PORTAL, dto: true, explorer: true },

  errorKind: { column: "error_kind", value: "text", nullable: true, fieldClass: "measurements", label: "Error kind", filter: CASE_INSENSITIVE, facetable: true, kinds: only("error"), producerText: known("errorKind"), dto: true, explorer: true, example: "network.timeout" },
  errorContext: { column: "error_context", value: "json", nullable: true, fieldClass: "measurements", label: "Error context", filter: NO_FILTER, facetable: false, kinds: only("error"), producerText: { rule: "bag", fieldClass: "measurements" }, dto: true, explorer: false },
  latencyMs: { column: "latency_ms", value: "int", nullable: true, fieldClass: "measurements", label: "Latency (ms)", filter: { mode: "range", param: "latency", min: 0, max: 3_600_000, step: "integer", labels: ["Latency from (ms)", "Latency to (ms)"] }, sort: "latency", facetable: false, kinds: only("completion_shown"), producerText: NUMBER, dto: true, explorer: true },
  modelCertainty: { column: "model_certainty", value: "float", nullable: true, fieldClass: "measurements", label: "Certainty", filter: { mode: "range", param: "certainty", min: 0, max: 1, step: "decimal", labels: ["Certainty from", "Certainty to"] }, sort: "certainty", facetable: false, kinds: only("completion_shown"), producerText: NUMBER, dto: true, explorer: true },
  suggestionCount: { column: "suggestion_count", value: "int", nullable: true, fieldClass: "measurements", label: "Suggestions", filter: NO_FILTER, facetable: false, kinds: only("completion_shown"), producerText: NUMBER, dto: true, explorer: true },
  suggestionCharLength: { column: "suggestion_char_length", value: "int", nullable: true, fieldClass: "measurements", label: "Suggestion chars", filter: NO_FILTER, facetable: false, kinds: only("completion_shown"), producerText: NUMBER, dto: true, explorer: true },
  postProcessing: { column: "post_processing", value: "textList", nullable: false, fieldClass: "measurements", label: "Post-processing", filter: NO_FILTER, facetable: false, kinds: only("completion_shown"), producerText: { rule: "known", vocabulary: "postProcessing", list: true }, dto: true, explorer: true },
  redactionFilter: { column: "redaction_filter", value: "text", nullable: true, fieldClass: "measurements", label: "Redaction filter", filter: CASE_INSENSITIVE, facetable: true, kinds: only("completion_redacted"), producerText: known("redactionFilter"), dto: true, explorer: true, example: "public-code-match" },
  accepted: { column: "accepted", value: "bool", nullable: true, fieldClass: "measurements", label: "Accepted", filterLabel: "Outcome", filter: ENUM, facetable: true, kinds: only("completion_accepted", "completion_rejected"), producerText: { rule: "flag" }, dto: true, explorer: true, valueLabels: { true: "Accepted", false: "Rejected" } },
  persistenceCheckSec: { column: "persistence_check_sec", value: "int", nullable: true, fieldClass: "measurements", label: "Check after (s)", filter: NO_FILTER, facetable: false, kinds: only("completion_persisted"), producerText: NUMBER, dto: true, explorer: true },
  persistenceRatio: { column: "persistence_ratio", value: "float", nullable: true, fieldClass: "measurements", label: "Persisted", filter: NO_FILTER, facetable: false, kinds: only("completion_persisted"), producerText: NUMBER, dto: true, explorer: true },
  measurements: { column: "measurements", value: "json", nullable: true, fieldClass: "measurements", label: "Other measurements", filter: NO_FILTER, facetable: false, kinds: EVENT_KINDS.filter((kind) => kind !== "error"), producerText: { rule: "bag", fieldClass: "measurements" }, dto: true, explorer: false },

  // stored encrypted as one document (see ContentDocument); never in a DTO, opened only by an audited reveal
  content: { column: "content_ciphertext", value: "sealed", nullable: true, fieldClass: "content", label: "Content", filter: NO_FILTER, facetable: false, kinds: ALL, producerText: { rule: "sealed" }, dto: false, explorer: false },
} as const satisfies Record<string, FieldSpec>;

export type Fields = typeof TELEMETRY_FIELDS;
export type FieldKey = keyof Fields;
export type FieldOf<K extends FieldKey> = Fields[K];

export const FIELD_KEYS = Object.keys(TELEMETRY_FIELDS) as FieldKey[];
/** Every field with its key, in registry order. */
export const FIELD_LIST: ReadonlyArray<FieldSpec & { key: FieldKey }> = FIELD_KEYS.map((key) => ({ key, ...(TELEMETRY_FIELDS[key] as FieldSpec) }));
export const fieldSpec = (key: FieldKey): FieldSpec & { key: FieldKey } => ({ key, ...(TELEMETRY_FIELDS[key] as FieldSpec) });

/**
 * The rollup dimensions (telemetry_rollup, server/telemetry/rollups.ts): the
 * facetable fields, counted per UTC hour, kind and value so facets and charts
 * need not scan the events. A new one also needs a migration that adds it to
 * the rollup triggers (rollups.integration.test.ts fails until it does).
 */
export const ROLLUP_FIELDS: ReadonlyArray<FieldSpec & { key: FieldKey }> = FIELD_LIST.filter((field) => field.facetable);

/** The second column of a `sealed` field. */
export const CONTENT_KEY_ID_COLUMN = "content_key_id";

/** The telemetry_event columns the registry declares, in order (a sealed field is two). */
export const STORED_COLUMNS: readonly string[] = FIELD_LIST.flatMap((field) => (field.value === "sealed" ? [field.column, CONTENT_KEY_ID_COLUMN] : [field.column]));

// ─── Types derived from the registry ─────────────────────────────────────────

/** A JSON bag's values (extension settings, error context, other measurements). */
export type PropertyValue = string | number | boolean | null;
export type PropertyBag = Record<string, PropertyValue>;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

type RecordValue<V extends ValueType> = V extends "uuid" | "text" | "country"
  ? string
  : V extends "kind"
    ? EventKind
    : V extends "uiKind"
      ? UiKind
      : V extends "int" | "float"
        ? number
        : V extends "bool"
          ? boolean
          : V extends "json"
            ? PropertyBag
            : V extends "textList"
              ? string[]
              : V extends "timestamp"
                ? Date
                : V extends "sealed"
                  ? ContentDocument
                  : never;
type NullIf<F> = F extends { nullable: true } ? null : F extends { databaseDefault: true } ? null : never;

/**
 * One telemetry event as the seed generates it and the intake normalizes it:
 * one field per registry entry, camelCase, content still in plaintext.
 * `receivedAt` null: the database's now().
 */
export type EventRecord = { -readonly [K in FieldKey]: RecordValue<Fields[K]["value"]> | NullIf<Fields[K]> };

type DtoValue<F extends FieldSpec> = F["value"] extends "timestamp"
  ? string
  : F["value"] extends "json"
    ? JsonValue
    : F["value"] extends "textList"
      ? string[]
      : RecordValue<F["value"]> | (F extends { nullable: true } ? null : never);

type DtoKey = { [K in FieldKey]: Fields[K]["dto"] extends true ? K : never }[FieldKey];
type CoreDtoKey = { [K in DtoKey]: Fields[K]["fieldClass"] extends null ? K : never }[DtoKey];
type ClassifiedDtoKey = Exclude<DtoKey, CoreDtoKey>;
export type { DtoKey, CoreDtoKey, ClassifiedDtoKey };

/**
 * One event as a person may see it: the core fields, and each classified
 * field only when the person's scope grants its class for the event's kind
 * (absent otherwise, not blanked). `content` is never in it.
 */
export type EventDto = { [K in CoreDtoKey]: DtoValue<Fields[K]> } & { [K in ClassifiedDtoKey]?: DtoValue<Fields[K]> };

/** The fields of each class (in registry order). */
export const FIELDS_BY_CLASS = Object.fromEntries(
  (["identifiers", "environment", "location", "measurements", "content"] as const).map((fieldClass) => [
    fieldClass,
    FIELD_LIST.filter((field) => field.fieldClass === fieldClass).map((field) => field.key),
  ]),
) as Record<FieldClass, FieldKey[]>;

/** Core fields: always present when the person may see the event's kind at all. */
export const CORE_FIELDS = FIELD_LIST.filter((field) => field.fieldClass === null && field.dto).map((field) => field.key);

/** The registry's fields of value type `enum`-like with a closed list: the values. */
export function enumValues(field: FieldSpec): readonly string[] {
  if (field.value === "uiKind") return UI_KINDS;
  if (field.value === "bool") return ["true", "false"];
  if (field.value === "kind") return EVENT_KINDS;
  return [];
}

/** Fields carried by some kinds only (measurements) and the content document: unset unless a kind fills them. */
type KindSpecificKey = { [K in FieldKey]: Fields[K]["fieldClass"] extends "measurements" | "content" ? K : never }[FieldKey];
type KindSpecificFields = { [K in KindSpecificKey]: Fields[K]["value"] extends "textList" ? string[] : null };
const KIND_SPECIFIC = FIELD_LIST.filter((field) => field.fieldClass === "measurements" || field.fieldClass === "content");

/** The kind-specific fields, all unset (a fresh object each call: lists may be filled): where every row builder (seed, intake) starts. */
export function emptyKindFields(): KindSpecificFields {
  const fields: Record<string, null | string[]> = {};
  for (const field of KIND_SPECIFIC) fields[field.key] = field.value === "textList" ? [] : null;
  return fields as KindSpecificFields;
}

/**
 * Shown in a field instead of text a producer sent that is neither a known
 * value of that field nor in its strict format (an unmapped event name, an
 * unknown error kind, a version that is not a version, …). The text itself is
 * sealed in the event's `content` document (under `unclassified`), so only
 * people granted `content` see it, on an explicit reveal
 * (server/ingest/producer-text.ts decides; docs/INGESTION.md explains).
 */
export const UNCLASSIFIED_TEXT = "unclassified";

/** The decrypted `content` document of one event. */
export type ContentDocument = {
  /** code before the cursor (completion requested) */
  prefix?: string;
  /** code after the cursor */
  suffix?: string;
  /** editor state: cursor position, file path relative to the workspace, line count */
  editorState?: { line: number; character: number; relativePath?: string; lineCount?: number };
  /** suggestion texts (shown / accepted / rejected / redacted) */
  suggestions?: string[];
  /** what persisted of an accepted suggestion at the check interval */
  persistedText?: string;
  /**
   * What the producer sent that no lower class may show, by the producer's name
   * for it: properties the ingestion mapping does not classify, and values
   * withheld from a visible field (e.g. `event.name`, `exception.typeName`,
   * `common.os`) because they are not from its vocabulary or format.
   */
  unclassified?: Record<string, string | number | boolean | null>;
};
