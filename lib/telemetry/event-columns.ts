// The columns of the events explorer (and of the CSV export): the registry's
// fields marked `explorer` (lib/telemetry/fields.ts), each with the field class
// that decides who may see it. Safe on both sides: the page uses it to offer
// only the columns a person's scope grants; the server decides.
import { FIELD_LIST, fieldSpec, type FieldKey, type Fields } from "./fields";
import type { EventKind, FieldClass } from "./vocabulary";

export type EventColumnId = { [K in FieldKey]: Fields[K]["explorer"] extends true ? K : never }[FieldKey];

export type EventColumn = { id: EventColumnId; label: string; fieldClass: Exclude<FieldClass, "content"> | null; numeric: boolean };

export const EVENT_COLUMNS: readonly EventColumn[] = FIELD_LIST.filter((field) => field.explorer).map((field) => ({
  id: field.key as EventColumnId,
  label: field.label,
  fieldClass: field.fieldClass as EventColumn["fieldClass"],
  numeric: field.value === "int" || field.value === "float",
}));

export const EVENT_COLUMN_IDS = EVENT_COLUMNS.map((column) => column.id) as [EventColumnId, ...EventColumnId[]];

export const EVENT_COLUMN_BY_ID: Record<EventColumnId, EventColumn> = Object.fromEntries(EVENT_COLUMNS.map((column) => [column.id, column])) as Record<
  EventColumnId,
  EventColumn
>;

/**
 * The candidates shown when the URL names no columns, in order; each only
 * where it can have a value (defaultEventColumns).
 */
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

/** Which field classes a person may see on which kinds (lib/access/policy.ts TelemetryScope). */
export type ColumnScope = Partial<Record<EventKind, readonly FieldClass[]>>;

/**
 * Whether a column can have a value for this person in this view: a core
 * column always; a classified one when some kind in view carries the field
 * (the registry's `kinds`) and the person's scope grants its class on that
 * kind. ("Error kind" in a view of completions, or for a person who may not
 * see errors, never can.)
 */
export function canHaveValue(column: EventColumnId, scope: ColumnScope, kindsInView: readonly EventKind[]): boolean {
  const field = fieldSpec(column);
  if (field.fieldClass === null) return true;
  const fieldClass = field.fieldClass;
  return kindsInView.some((kind) => field.kinds.includes(kind) && (scope[kind]?.includes(fieldClass) ?? false));
}

/** The default columns for the kinds in view (the person's permitted kinds ∩ those filtered): the candidates that can have a value. */
export function defaultEventColumns(scope: ColumnScope, kindsInView: readonly EventKind[]): EventColumnId[] {
  return DEFAULT_EVENT_COLUMNS.filter((column) => canHaveValue(column, scope, kindsInView));
}
