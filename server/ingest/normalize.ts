// Normalization: one incoming event (from an Application Insights envelope or
// the portal's own batch format) becomes one telemetry_event row.
//
// - `common.*` properties (the metadata @vscode/extension-telemetry and VS
//   Code add to every event) fill the metadata columns; Application Insights'
//   user and session tags stand in when they are missing.
// - The event name loses its "<publisher>.<extension>/" (or "extension/")
//   prefix, which VS Code adds, and maps to a kind through event_name_mapping;
//   a name the mapping does not know is kind `other`. Exceptions are `error`.
// - Properties and measurements the portal knows by name fill the kind's
//   columns (KNOWN_COLUMN_FIELDS) or the slots of the encrypted content
//   document (KNOWN_CONTENT_FIELDS). Those names always land there: the
//   column's class is fixed by the schema (lib/telemetry/fields.ts).
// - Everything else is kept, placed by its class in property_classification:
//   `measurements` → the `measurements` JSON (for error events: `error_context`),
//   `environment` → `extension_settings` (the extension's settings and other
//   environment metadata), and `content`, `identifiers`, `location` or no
//   classification at all → the encrypted content document under
//   `unclassified` (the most restricted class; an identifier or location with
//   no column of its own is safest there).
// - Last, one step decides what producer text may be shown at all
//   (producer-text.ts, classifyProducerText): a value that is neither a known
//   value of its field nor in its strict format is replaced by `unclassified`
//   and sealed as content. Every field goes through it; nothing here shows
//   producer text on its own authority.
// Pure: no database, no clock, no network. The caller seals `content`.
import "server-only";
import { emptyKindFields, type ContentDocument, type EventRecord, type PropertyValue } from "@/lib/telemetry/fields";
import { MAX_METADATA_LENGTH } from "@/lib/telemetry/metadata";
import type { EventKind, FieldClass, UiKind } from "@/lib/telemetry/vocabulary";
import type { GeoLocation } from "./geo";
import { EXCEPTION_EVENT_NAME, type TextSource, type TextSources, UNKNOWN_TEXT, classifyProducerText } from "./producer-text";

export type { PropertyValue };

/** One event as received, before normalization. */
export type RawEvent = {
  /** the event name as sent, possibly with VS Code's "<publisher>.<extension>/" prefix */
  name: string;
  time: Date;
  properties: Record<string, PropertyValue>;
  measurements: Record<string, number>;
  /** Application Insights tags ai.user.id and ai.session.id (no other tag is read) */
  userId?: string;
  sessionId?: string;
  /** set for exceptions (Application Insights ExceptionData, or `exception` in the portal's format) */
  exception?: { typeName?: string; message?: string; stack?: string };
};

/** The mapping tables (mapping.ts): names and values matched exactly, then case-insensitively, returned as the tables spell them. */
export type IngestMapping = {
  /** a known event name (event_name_mapping): its kind */
  eventName(name: string): { name: string; kind: EventKind } | undefined;
  /** a classified property or measurement name (property_classification): its class */
  property(name: string): { name: string; fieldClass: FieldClass } | undefined;
  /** `value` as known_value lists it for `field`, or undefined when it is not listed */
  knownValue(field: string, value: string): string | undefined;
};

/** One event as the intake stores it: the row type the seed generates too (lib/telemetry/fields.ts); `receivedAt` null (the database's now()). */
export type NormalizedEvent = EventRecord;

/** An event that cannot be stored as sent; the message goes back to the sender with the item's index. */
export class NormalizationError extends Error {
  override name = "NormalizationError";
}

/** Longest metadata value (ids, versions, names): they are indexed and shown in tables. */
export { MAX_METADATA_LENGTH };

// ─── The names the portal knows ─────────────────────────────────────────────

/** `common.*` properties → metadata columns. */
export const COMMON_PROPERTY_COLUMNS = {
  "common.vscodemachineid": "machineId",
  "common.vscodesessionid": "sessionId",
  "common.vscodeversion": "vscodeVersion",
  "common.extname": "extensionName",
  "common.extversion": "extensionVersion",
  "common.os": "os",
  "common.platformversion": "osVersion",
  "common.uikind": "uiKind",
} as const satisfies Record<string, keyof NormalizedEvent>;

type ColumnField =
  | "completionId"
  | "languageId"
  | "latencyMs"
  | "modelCertainty"
  | "suggestionCount"
  | "suggestionCharLength"
  | "postProcessing"
  | "redactionFilter"
  | "accepted"
  | "persistenceCheckSec"
  | "persistenceRatio"
  | "errorKind";

/** Property or measurement names that fill a kind's column (several spellings per column). */
export const KNOWN_COLUMN_FIELDS: Readonly<Record<string, ColumnField>> = {
  completionId: "completionId",
  languageId: "languageId",
  latencyMs: "latencyMs",
  latency: "latencyMs",
  meanProb: "modelCertainty",
  modelCertainty: "modelCertainty",
  suggestionCount: "suggestionCount",
  numSuggestions: "suggestionCount",
  compCharLen: "suggestionCharLength",
  suggestionCharLength: "suggestionCharLength",
  postProcessing: "postProcessing",
  redactionFilter: "redactionFilter",
  filter: "redactionFilter",
  accepted: "accepted",
  persistenceCheckSec: "persistenceCheckSec",
  checkIntervalSec: "persistenceCheckSec",
  persistenceRatio: "persistenceRatio",
  stillInCodeRatio: "persistenceRatio",
  errorKind: "errorKind",
  errorCode: "errorKind",
};

type ContentSlot = "prefix" | "suffix" | "suggestion" | "persistedText" | "line" | "character" | "relativePath" | "lineCount";

/** Property or measurement names that fill a slot of the encrypted content document. */
export const KNOWN_CONTENT_FIELDS: Readonly<Record<string, ContentSlot>> = {
  prefix: "prefix",
  suffix: "suffix",
  suggestion: "suggestion",
  suggestions: "suggestion",
  completionText: "suggestion",
  persistedText: "persistedText",
  line: "line",
  character: "character",
  relativePath: "relativePath",
  lineCount: "lineCount",
};

const PREFIXED_NAME = /^([A-Za-z0-9][\w-]*(?:\.[\w-]+)?)\/(.+)$/;

/** Strips VS Code's "<publisher>.<extension>/" (or "extension/") prefix; returns the prefix when it names an extension. */
export function splitEventName(name: string): { eventName: string; extension: string | null } {
  const trimmed = name.trim();
  const match = PREFIXED_NAME.exec(trimmed);
  if (!match) return { eventName: trimmed, extension: null };
  const prefix = match[1]!;
  return { eventName: match[2]!.trim(), extension: prefix.includes(".") ? prefix : null };
}

// ─── Value conversions ───────────────────────────────────────────────────────

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

function toNumber(value: PropertyValue): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

function toInt(value: PropertyValue): number | null {
  const number = toNumber(value);
  if (number === null) return null;
  const rounded = Math.round(number);
  return rounded >= INT_MIN && rounded <= INT_MAX ? rounded : null;
}

function toBoolean(value: PropertyValue): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === 1 || value === "1" || (typeof value === "string" && value.toLowerCase() === "true")) return true;
  if (value === 0 || value === "0" || (typeof value === "string" && value.toLowerCase() === "false")) return false;
  return null;
}

function toText(value: PropertyValue, max = MAX_METADATA_LENGTH): string | null {
  if (value === null) return null;
  const text = String(value).trim();
  return text === "" || text.length > max ? null : text;
}

function toTextList(value: PropertyValue): string[] | null {
  if (typeof value !== "string") return null;
  let items: unknown = null;
  const trimmed = value.trim();
  if (trimmed.startsWith("[")) {
    try {
      items = JSON.parse(trimmed);
    } catch {
      return null;
    }
  } else {
    items = trimmed === "" ? [] : trimmed.split(",").map((part) => part.trim());
  }
  if (!Array.isArray(items) || items.length > 50) return null;
  const list = items.map((item) => (typeof item === "string" ? item.trim() : null));
  return list.every((item): item is string => item !== null && item.length > 0 && item.length <= 100) ? list : null;
}

function toSuggestions(value: PropertyValue): string[] | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) return parsed as string[];
    } catch {
      // a suggestion that merely starts with "[": keep it as text
    }
  }
  return [value];
}

/** A value sent under `name`, if it was sent. */
const sentAs = (name: string, value: string | undefined) => (value === undefined ? undefined : { name, value: storable(value) });

/** The text of a found value, noting in `sources` where it came from. */
function sourced(sources: TextSources, field: keyof NormalizedEvent, found: { text: string; source?: TextSource }): string {
  if (found.source) sources[field] = found.source;
  return found.text;
}

/** A metadata value and where it came from: the property, else the fall-back (a tag, the event name's prefix), else `unknown`. */
function metadata(name: string, value: PropertyValue | undefined, fallback?: TextSource & { value: string }): { text: string; source?: TextSource } {
  if (value === undefined || value === null || String(value).trim() === "") {
    const alternative = fallback?.value.trim();
    if (alternative && alternative.length <= MAX_METADATA_LENGTH) return { text: alternative, source: fallback };
    if (alternative) throw new NormalizationError(`${name} is longer than ${MAX_METADATA_LENGTH} characters.`);
    return { text: UNKNOWN_TEXT };
  }
  const text = String(value).trim();
  if (text.length > MAX_METADATA_LENGTH) throw new NormalizationError(`${name} is longer than ${MAX_METADATA_LENGTH} characters.`);
  return { text, source: { name, value } };
}

// ─── Normalization ───────────────────────────────────────────────────────────

export type NormalizeContext = {
  /** the row's id (deterministic, see event-id.ts) */
  id: string;
  /** the ingestion key that sent it */
  sourceId: string | null;
  mapping: IngestMapping;
  /** from the sender's address; the address itself is not passed in */
  location: GeoLocation | null;
};

type Bag = Record<string, PropertyValue>;
const hasEntries = (bag: Bag) => Object.keys(bag).length > 0;

/**
 * PostgreSQL text and json cannot hold U+0000 or an unpaired UTF-16 surrogate
 * (the rows reach it as one JSON text, where "\udbff" alone is a syntax
 * error that failed the whole batch with a 503); each becomes U+FFFD, the
 * replacement character.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Any U+0000 or surrogate at all: a plain character-class scan, so the common clean text skips the replace. */
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;
const storable = (text: string) => (MAYBE_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, "\uFFFD") : text);

function sanitize<V extends PropertyValue>(values: Record<string, V>): Record<string, V> {
  const clean: Record<string, V> = {};
  for (const [name, value] of Object.entries(values)) clean[storable(name)] = (typeof value === "string" ? storable(value) : value) as V;
  return clean;
}

export function normalizeEvent(raw: RawEvent, context: NormalizeContext): NormalizedEvent {
  const props = sanitize(raw.properties);
  const measurements = sanitize(raw.measurements);
  const sentName = storable(raw.exception && !raw.name ? EXCEPTION_EVENT_NAME : raw.name);
  const { eventName, extension } = splitEventName(sentName);
  if (eventName === "") throw new NormalizationError("The event has no name.");
  if (eventName.length > MAX_METADATA_LENGTH) throw new NormalizationError(`The event name is longer than ${MAX_METADATA_LENGTH} characters.`);

  const kind: EventKind = raw.exception ? "error" : (context.mapping.eventName(eventName)?.kind ?? "other");
  const rawUiKind = props["common.uikind"];
  const uiKindText = typeof rawUiKind === "string" ? rawUiKind.trim().toLowerCase() : "";
  const uiKind: UiKind = uiKindText === "web" ? "web" : "desktop";

  // Where each text field's value came from, for the producer-text step (what it seals, under which name).
  const nameSource = { name: "event.name", value: sentName };
  const sources: TextSources = { eventName: nameSource };

  const event: NormalizedEvent = {
    id: context.id,
    sourceId: context.sourceId,
    kind,
    eventName,
    time: raw.time,
    receivedAt: null,
    machineId: sourced(sources, "machineId", metadata("common.vscodemachineid", props["common.vscodemachineid"], sentAs("ai.user.id", raw.userId))),
    sessionId: sourced(sources, "sessionId", metadata("common.vscodesessionid", props["common.vscodesessionid"], sentAs("ai.session.id", raw.sessionId))),
    completionId: null,
    vscodeVersion: sourced(sources, "vscodeVersion", metadata("common.vscodeversion", props["common.vscodeversion"])),
    extensionName: sourced(sources, "extensionName", metadata("common.extname", props["common.extname"], extension ? { ...nameSource, value: extension } : undefined)),
    extensionVersion: sourced(sources, "extensionVersion", metadata("common.extversion", props["common.extversion"])),
    os: sourced(sources, "os", metadata("common.os", props["common.os"])),
    osVersion: sourced(sources, "osVersion", metadata("common.platformversion", props["common.platformversion"])),
    uiKind,
    languageId: null,
    extensionSettings: null,
    country: context.location?.country ?? null,
    region: context.location?.region ?? null,
    city: context.location?.city ?? null,
    ...emptyKindFields(),
  };
  // an extension named only by the event name's prefix: if withheld, the whole name as sent is sealed
  if (sources.extensionName?.name === nameSource.name) sources.extensionName = nameSource;

  const extras: Bag = {};
  const environment: Bag = {};
  const unclassified: Bag = {};
  const content: ContentDocument = {};
  const editor: { line?: number; character?: number; relativePath?: string; lineCount?: number } = {};
  // neither web nor desktop: kept as an environment value (shown only if known_value lists it)
  if (uiKindText !== "" && uiKindText !== "web" && uiKindText !== "desktop") environment["common.uikind"] = rawUiKind ?? null;

  /** Anything not placed in a column or a content slot: by its classification. */
  const keep = (name: string, value: PropertyValue) => {
    const fieldClass = context.mapping.property(name)?.fieldClass;
    if (fieldClass === "measurements") extras[name] = value;
    else if (fieldClass === "environment") environment[name] = value;
    else unclassified[name] = value;
  };

  const place = (name: string, value: PropertyValue) => {
    if (name in COMMON_PROPERTY_COLUMNS) return; // read above
    const column = KNOWN_COLUMN_FIELDS[name];
    if (column) {
      if (setColumn(event, column, value)) sources[column] = { name, value };
      else keep(name, value);
      return;
    }
    const slot = KNOWN_CONTENT_FIELDS[name];
    if (slot) {
      if (!setContentSlot(content, editor, slot, value)) unclassified[name] = value;
      return;
    }
    keep(name, value);
  };

  for (const [name, value] of Object.entries(props)) if (value !== null) place(name, value);
  for (const [name, value] of Object.entries(measurements)) place(name, value);

  if (raw.exception) {
    if (event.errorKind === null) {
      // the producer's type name, however long: the producer-text step shows it only if it is a known one
      const typeName = storable(raw.exception.typeName ?? "");
      event.errorKind = typeName.trim() || "Error";
      if (typeName.trim()) sources.errorKind = { name: "exception.typeName", value: typeName };
    }
    // Messages and stacks carry file paths and code: content, sealed.
    if (raw.exception.message) unclassified["exception.message"] = storable(raw.exception.message);
    if (raw.exception.stack) unclassified["exception.stack"] = storable(raw.exception.stack);
  }
  if (event.accepted === null && kind === "completion_accepted") event.accepted = true;
  if (event.accepted === null && kind === "completion_rejected") event.accepted = false;

  if (editor.line !== undefined && editor.character !== undefined) {
    content.editorState = {
      line: editor.line,
      character: editor.character,
      ...(editor.relativePath !== undefined ? { relativePath: editor.relativePath } : {}),
      ...(editor.lineCount !== undefined ? { lineCount: editor.lineCount } : {}),
    };
  } else {
    // half an editor state is no editor state: keep what came, sealed
    if (editor.line !== undefined) unclassified.line = editor.line;
    if (editor.character !== undefined) unclassified.character = editor.character;
    if (editor.relativePath !== undefined) unclassified.relativePath = editor.relativePath;
    if (editor.lineCount !== undefined) unclassified.lineCount = editor.lineCount;
  }
  if (hasEntries(unclassified)) content.unclassified = unclassified;

  if (hasEntries(extras)) {
    if (kind === "error") event.errorContext = extras;
    else event.measurements = extras;
  }
  if (hasEntries(environment)) event.extensionSettings = environment;
  if (Object.keys(content).length > 0) event.content = content;
  return classifyProducerText(event, sources, context.mapping);
}

/** Puts a known value in its column; false when the value does not fit (the caller keeps it elsewhere). */
function setColumn(event: NormalizedEvent, column: ColumnField, value: PropertyValue): boolean {
  switch (column) {
    case "completionId":
    case "languageId":
    case "redactionFilter":
    case "errorKind": {
      const text = toText(value);
      if (text === null) return false;
      event[column] = text;
      return true;
    }
    case "latencyMs":
    case "suggestionCount":
    case "suggestionCharLength":
    case "persistenceCheckSec": {
      const number = toInt(value);
      if (number === null) return false;
      event[column] = number;
      return true;
    }
    case "modelCertainty":
    case "persistenceRatio": {
      const number = toNumber(value);
      if (number === null) return false;
      event[column] = number;
      return true;
    }
    case "accepted": {
      const flag = toBoolean(value);
      if (flag === null) return false;
      event.accepted = flag;
      return true;
    }
    case "postProcessing": {
      const list = toTextList(value);
      if (list === null) return false;
      event.postProcessing = list;
      return true;
    }
  }
}

function setContentSlot(
  content: ContentDocument,
  editor: { line?: number; character?: number; relativePath?: string; lineCount?: number },
  slot: ContentSlot,
  value: PropertyValue,
): boolean {
  switch (slot) {
    case "prefix":
    case "suffix":
    case "persistedText":
      if (typeof value !== "string") return false;
      content[slot] = value;
      return true;
    case "suggestion": {
      const suggestions = toSuggestions(value);
      if (!suggestions) return false;
      content.suggestions = [...(content.suggestions ?? []), ...suggestions];
      return true;
    }
    case "relativePath":
      if (typeof value !== "string") return false;
      editor.relativePath = value;
      return true;
    case "line":
    case "character":
    case "lineCount": {
      const number = toInt(value);
      if (number === null || number < 0) return false;
      editor[slot] = number;
      return true;
    }
  }
}
