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
  /** properties the ingestion mapping does not classify */
  unclassified?: Record<string, string | number | boolean | null>;
};
