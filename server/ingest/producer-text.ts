// The one rule for text a producer chose, applied as the last step of
// normalization (normalize.ts) and nowhere else.
//
// Every field of a normalized event has a rule: its `producerText` in the
// field registry (lib/telemetry/fields.ts), which the compiler requires of
// every entry; classifyProducerText refuses, at run time, a field it has no
// rule for. Text may appear outside the `content`
// class only when it is
//   - a known value of its field: an event name in event_name_mapping, or a
//     value listed in known_value for the field (extension names, OS names,
//     languages, error kinds, redaction filters, post-processing steps, and
//     the values of classified properties such as `model` or
//     `common.remotename`), matched exactly, then case-insensitively, and
//     shown as the table spells it; or
//   - in the field's strict format: hexadecimal ids (machine, session and
//     completion ids), version numbers; and in the JSON bags (measurements,
//     error context, settings) numbers, booleans and ISO 8601 date-times, as
//     values or as text.
// Anything else is withheld: the field shows UNCLASSIFIED_TEXT (a JSON bag
// leaves the entry out) and the value as sent is sealed into the content
// document's `unclassified` under the producer's name for it (`event.name`,
// `exception.typeName`, `common.os`, `languageId`, …). People granted
// `content` see it there on an audited reveal; an admin who finds it harmless
// classifies it with a row in event_name_mapping, known_value or
// property_classification, and new events show it within MAPPING_TTL_MS.
// Rows already stored keep what they were given, as for property names.
import "server-only";
import { type ContentDocument, FIELD_LIST, type ProducerTextRule, type TextFormat, UNCLASSIFIED_TEXT } from "@/lib/telemetry/fields";
import type { IngestMapping, NormalizedEvent, PropertyValue } from "./normalize";

/** The portal's own name for an exception event (Application Insights ExceptionData carries none). */
export const EXCEPTION_EVENT_NAME = "exception";
/** The portal's own marker for metadata the producer did not send. */
export const UNKNOWN_TEXT = "unknown";

// ─── Formats ─────────────────────────────────────────────────────────────────

export type { TextFormat };

const HEX_ID = /^[0-9a-f]+(?:-[0-9a-f]+)*$/i;
const MAX_ID_LENGTH = 128;
// 1.99.3, 10.0.26100, 24.6.0, 1.100.0-insider; what VS Code and
// @vscode/extension-telemetry report (the OS version cut to its numbers)
const VERSION = /^\d{1,9}(?:\.\d{1,9}){0,3}(?:-(?:insider|alpha|beta|rc|pre|preview|nightly|dev)(?:\.?\d{1,9})?)?$/;

export const TEXT_FORMATS: Readonly<Record<TextFormat, (text: string) => boolean>> = {
  // UUIDs, SHA digests, VS Code's machine ids and session ids (a UUID and a timestamp)
  "hexadecimal id": (text) => text.length <= MAX_ID_LENGTH && HEX_ID.test(text),
  version: (text) => VERSION.test(text),
};

// Text in a JSON bag that is a value rather than words.
const NUMBER_LITERAL = /^-?(?:0|[1-9]\d{0,20})(?:\.\d{1,20})?(?:[eE][-+]?\d{1,3})?$/;
const DATE_TIME_LITERAL = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const isLiteral = (text: string) =>
  text === "true" || text === "false" || NUMBER_LITERAL.test(text) || (DATE_TIME_LITERAL.test(text) && !Number.isNaN(Date.parse(text)));

/** Classified properties whose values have a strict format of their own; other text values need a known_value row. */
export const PROPERTY_FORMATS: Readonly<Record<string, TextFormat>> = {
  "common.vscodecommithash": "hexadecimal id",
  "common.telemetryclientversion": "version",
};

// ─── The rule per field ──────────────────────────────────────────────────────

type FieldRule = ProducerTextRule;

/** Every field of a normalized event and how producer text in it is judged: the field registry's `producerText` (lib/telemetry/fields.ts). */
export const FIELD_RULES = Object.fromEntries(FIELD_LIST.map((field) => [field.key, field.producerText])) as Record<keyof NormalizedEvent, FieldRule>;

/** The known_value vocabularies of the event's own fields (other known_value fields are property names). */
export const FIELD_VOCABULARIES = [
  ...new Set(Object.values(FIELD_RULES).flatMap((rule: FieldRule) => (rule.rule === "known" ? [rule.vocabulary] : []))),
];

/** Where a field's value came from: the producer's name for it and the value as sent (sealed if withheld). */
export type TextSource = { name: string; value: PropertyValue };
export type TextSources = Partial<Record<keyof NormalizedEvent, TextSource>>;

type Withheld = { field: string; name: string; value: PropertyValue };

function shownText(rule: FieldRule, text: string, mapping: IngestMapping): string | undefined {
  if (text === UNKNOWN_TEXT || text === UNCLASSIFIED_TEXT) return text;
  switch (rule.rule) {
    case "event name":
      return text === EXCEPTION_EVENT_NAME ? text : mapping.eventName(text)?.name;
    case "known":
      return mapping.knownValue(rule.vocabulary, text);
    case "format":
      return TEXT_FORMATS[rule.format](text) ? text : undefined;
    default:
      return undefined;
  }
}

/** A value of a classified property as it may be shown, or undefined when it is text that is neither known nor in a format. */
function shownBagValue(name: string, value: unknown, mapping: IngestMapping): PropertyValue | undefined {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined; // an object or array: words, for all the portal knows
  if (isLiteral(value)) return value;
  const propertyFormat = PROPERTY_FORMATS[name];
  if (propertyFormat && TEXT_FORMATS[propertyFormat](value)) return value;
  return mapping.knownValue(name, value);
}

const asPropertyValue = (value: unknown): PropertyValue =>
  value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : JSON.stringify(value);

/** A withheld field value: sealed under the producer's name for it (else the field's), as sent. */
function withheldValue(field: string, source: TextSource | undefined, shown: unknown): Withheld {
  return { field, name: source?.name ?? field, value: source ? source.value : asPropertyValue(shown) };
}

function decide(event: Partial<NormalizedEvent>, sources: TextSources, mapping: IngestMapping): { shown: Record<string, unknown>; withheld: Withheld[] } {
  const shown: Record<string, unknown> = { ...event };
  const withheld: Withheld[] = [];
  const rules: Readonly<Record<string, FieldRule | undefined>> = FIELD_RULES;
  for (const [field, value] of Object.entries(event)) {
    const rule = rules[field];
    if (!rule) throw new Error(`No producer-text rule for the event field "${field}" (server/ingest/producer-text.ts FIELD_RULES).`);
    const source = sources[field as keyof NormalizedEvent];
    switch (rule.rule) {
      case "portal":
      case "sealed":
        break;
      case "number":
        if (value !== null && !(typeof value === "number" && Number.isFinite(value))) throw new Error(`The event field "${field}" must be a number.`);
        break;
      case "flag":
        if (value !== null && typeof value !== "boolean") throw new Error(`The event field "${field}" must be true, false or null.`);
        break;
      case "event name":
      case "known":
      case "format": {
        if (value === null || value === undefined) break;
        if (rule.rule === "known" && rule.list) {
          const items = Array.isArray(value) ? value : [value];
          const shownItems = items.map((item) => (typeof item === "string" ? shownText(rule, item, mapping) : undefined));
          if (shownItems.includes(undefined)) withheld.push(withheldValue(field, source, items));
          shown[field] = shownItems.map((item) => item ?? UNCLASSIFIED_TEXT);
          break;
        }
        const text = typeof value === "string" ? shownText(rule, value, mapping) : undefined;
        if (text === undefined) withheld.push(withheldValue(field, source, value));
        shown[field] = text ?? UNCLASSIFIED_TEXT;
        break;
      }
      case "bag": {
        if (value === null || value === undefined) break;
        if (typeof value !== "object" || Array.isArray(value)) {
          withheld.push(withheldValue(field, source, value));
          shown[field] = null;
          break;
        }
        const kept: Record<string, PropertyValue> = {};
        for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
          const property = mapping.property(name);
          const entryShown = property?.fieldClass === rule.fieldClass ? shownBagValue(property.name, entry, mapping) : undefined;
          if (property && entryShown !== undefined) kept[property.name] = entryShown;
          else withheld.push({ field: `${field}.${name}`, name, value: asPropertyValue(entry) });
        }
        shown[field] = Object.keys(kept).length > 0 ? kept : null;
        break;
      }
    }
  }
  return { shown, withheld };
}

/**
 * The classify-producer-text step: the event as it may be shown, with every
 * withheld value replaced by UNCLASSIFIED_TEXT (or left out of its bag) and
 * sealed into `content.unclassified` under the producer's name for it.
 * `sources` names where each field's value came from; a field without one is
 * sealed under its own name.
 */
export function classifyProducerText(event: NormalizedEvent, sources: TextSources, mapping: IngestMapping): NormalizedEvent {
  const { shown, withheld } = decide(event, sources, mapping);
  const classified = shown as NormalizedEvent;
  if (withheld.length === 0) return classified;
  const unclassified: NonNullable<ContentDocument["unclassified"]> = { ...event.content?.unclassified };
  for (const { name, value } of withheld) {
    let key = name;
    for (let n = 2; key in unclassified && unclassified[key] !== value; n++) key = `${name} (${n})`;
    unclassified[key] = value;
  }
  return { ...classified, content: { ...event.content, unclassified } };
}

/** The fields (bag entries as `bag.name`) whose text the rule would withhold; [] when every value may be shown as it is. */
export function findUnclassifiedText(fields: Partial<NormalizedEvent>, mapping: IngestMapping): string[] {
  const { shown, withheld } = decide(fields, {}, mapping);
  const changed = Object.entries(fields).filter(([field, value]) => JSON.stringify(shown[field]) !== JSON.stringify(value)).map(([field]) => field);
  return [...new Set([...withheld.map((entry) => entry.field), ...changed])];
}
