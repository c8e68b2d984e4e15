// The columns of the events explorer (and of the CSV export), each with the
// field class that decides who may see it. Safe on both sides: the page uses it
// to offer only the columns a person's scope grants; the server decides.
import type { FIELDS_BY_CLASS } from "./fields";
import type { FieldClass } from "./vocabulary";

export const EVENT_COLUMNS = [
  { id: "time", label: "Time (UTC)", fieldClass: null, numeric: false },
  { id: "kind", label: "Kind", fieldClass: null, numeric: false },
  { id: "eventName", label: "Event name", fieldClass: null, numeric: false },
  { id: "receivedAt", label: "Received (UTC)", fieldClass: null, numeric: false },
  { id: "machineId", label: "Machine ID", fieldClass: "identifiers", numeric: false },
  { id: "sessionId", label: "Session ID", fieldClass: "identifiers", numeric: false },
  { id: "completionId", label: "Completion ID", fieldClass: "identifiers", numeric: false },
  { id: "vscodeVersion", label: "VS Code", fieldClass: "environment", numeric: false },
  { id: "extensionVersion", label: "Extension", fieldClass: "environment", numeric: false },
  { id: "os", label: "OS", fieldClass: "environment", numeric: false },
  { id: "osVersion", label: "OS version", fieldClass: "environment", numeric: false },
  { id: "uiKind", label: "UI", fieldClass: "environment", numeric: false },
  { id: "languageId", label: "Language", fieldClass: "environment", numeric: false },
  { id: "country", label: "Country", fieldClass: "location", numeric: false },
  { id: "region", label: "Region", fieldClass: "location", numeric: false },
  { id: "city", label: "City", fieldClass: "location", numeric: false },
  { id: "errorKind", label: "Error kind", fieldClass: "measurements", numeric: false },
  { id: "latencyMs", label: "Latency (ms)", fieldClass: "measurements", numeric: true },
  { id: "modelCertainty", label: "Certainty", fieldClass: "measurements", numeric: true },
  { id: "suggestionCount", label: "Suggestions", fieldClass: "measurements", numeric: true },
  { id: "suggestionCharLength", label: "Suggestion chars", fieldClass: "measurements", numeric: true },
  { id: "postProcessing", label: "Post-processing", fieldClass: "measurements", numeric: false },
  { id: "redactionFilter", label: "Redaction filter", fieldClass: "measurements", numeric: false },
  { id: "accepted", label: "Accepted", fieldClass: "measurements", numeric: false },
  { id: "persistenceCheckSec", label: "Check after (s)", fieldClass: "measurements", numeric: true },
  { id: "persistenceRatio", label: "Persisted", fieldClass: "measurements", numeric: true },
] as const satisfies ReadonlyArray<{ id: string; label: string; fieldClass: Exclude<FieldClass, "content"> | null; numeric: boolean }>;

export type EventColumn = (typeof EVENT_COLUMNS)[number];
export type EventColumnId = EventColumn["id"];

export const EVENT_COLUMN_IDS = EVENT_COLUMNS.map((column) => column.id) as [EventColumnId, ...EventColumnId[]];

export const EVENT_COLUMN_BY_ID: Record<EventColumnId, EventColumn> = Object.fromEntries(EVENT_COLUMNS.map((column) => [column.id, column])) as Record<
  EventColumnId,
  EventColumn
>;

/** Shown when the URL names no columns (each only if the scope grants its class). */
export const DEFAULT_EVENT_COLUMNS: readonly EventColumnId[] = [
  "time",
  "kind",
  "machineId",
  "vscodeVersion",
  "os",
  "country",
  "errorKind",
  "latencyMs",
  "modelCertainty",
  "accepted",
];

/** Columns a person may choose: core columns plus those of the field classes visible on some permitted kind. */
export function availableEventColumns(visibleClasses: readonly FieldClass[]): EventColumnId[] {
  return EVENT_COLUMNS.filter((column) => column.fieldClass === null || visibleClasses.includes(column.fieldClass)).map((column) => column.id);
}

// Every column is a field of fields.ts (checked here, at compile time).
type KnownField = (typeof FIELDS_BY_CLASS)[FieldClass][number] | "id" | "kind" | "eventName" | "time" | "receivedAt";
const _everyColumnIsAField: ReadonlyArray<KnownField> = EVENT_COLUMN_IDS;
void _everyColumnIsAField;
