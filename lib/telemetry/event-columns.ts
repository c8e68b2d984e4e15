// The columns of the events explorer (and of the CSV export): the registry's
// fields marked `explorer` (lib/telemetry/fields.ts), each with the field class
// that decides who may see it. Safe on both sides: the page uses it to offer
// only the columns a person's scope grants; the server decides.
import { FIELD_LIST, type FieldKey, type Fields } from "./fields";
import type { FieldClass } from "./vocabulary";

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
