// Which field class each telemetry field belongs to. The data layer uses this
// table to build DTOs that contain only the classes a person may see: a field
// outside their scope is absent from the object, not blanked.
import type { FieldClass } from "./vocabulary";

/** Always present when the person may see the event's kind at all. */
export const CORE_FIELDS = ["id", "kind", "eventName", "time", "receivedAt"] as const;

export const FIELDS_BY_CLASS = {
  identifiers: ["machineId", "sessionId", "completionId"],
  environment: ["vscodeVersion", "extensionName", "extensionVersion", "os", "osVersion", "uiKind", "languageId", "extensionSettings"],
  location: ["country", "region", "city"],
  measurements: [
    "errorKind",
    "errorContext",
    "latencyMs",
    "modelCertainty",
    "suggestionCount",
    "suggestionCharLength",
    "postProcessing",
    "redactionFilter",
    "accepted",
    "persistenceCheckSec",
    "persistenceRatio",
    "measurements",
  ],
  // stored encrypted as one document (see ContentDocument)
  content: ["content"],
} as const satisfies Record<FieldClass, readonly string[]>;

export type ClassifiedField = (typeof FIELDS_BY_CLASS)[FieldClass][number];

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
