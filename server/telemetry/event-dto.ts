// One telemetry_event row → the DTO one person may see. The field classes come
// from the person's scope for the row's kind (lib/access/policy.ts); a field of
// any other class is left out of the object entirely. `content` never goes
// into a DTO: it is ciphertext in the row and only the reveal action opens it.
import "server-only";
import type { TelemetryScope } from "@/lib/access/policy";
import { FIELD_LIST, type DtoKey, type EventRecord, type Fields, type FieldSpec, type FieldKey } from "@/lib/telemetry/fields";
import type { EventDetailDto, EventDto, JsonValue } from "@/lib/telemetry/event-types";
import type { EventKind, FieldClass } from "@/lib/telemetry/vocabulary";
import { Prisma } from "@/server/db/generated/client";

type Field = FieldSpec & { key: FieldKey };
const DTO_FIELDS = FIELD_LIST.filter((field) => field.dto);

/** How a column is selected: enums and uuids as text, the rest as they are. */
export function selectExpression(field: Field): string {
  return field.value === "uuid" || field.value === "kind" || field.value === "uiKind" ? `${field.column}::text AS ${field.column}` : field.column;
}

/** The columns every explorer query selects: the registry's DTO fields, and whether there is content (never the content itself). */
export const EVENT_ROW_COLUMNS = Prisma.raw(
  [...DTO_FIELDS.map(selectExpression), "(content_ciphertext IS NOT NULL) AS has_content"].join(", "),
);

type RowValue<K extends FieldKey> = Fields[K]["value"] extends "json"
  ? unknown
  : Fields[K]["value"] extends "textList"
    ? string[] | null
    : Exclude<EventRecord[K], null> | (Fields[K] extends { nullable: true } ? null : never);

/** A row as EVENT_ROW_COLUMNS returns it: the DTO fields by column name. */
export type EventRow = { [K in DtoKey as Fields[K]["column"]]: RowValue<K> } & { has_content: boolean };

function json(value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  // jsonb may arrive as text from some drivers
  if (typeof value === "string") {
    try {
      return JSON.parse(value) as JsonValue;
    } catch {
      return value;
    }
  }
  return value as JsonValue;
}

/** A column's value as the DTO carries it. */
function dtoValue(field: Field, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (field.value === "textList") return [];
    return null;
  }
  switch (field.value) {
    case "timestamp":
      return (value as Date).toISOString();
    case "json":
      return json(value);
    case "int":
    case "float":
      return Number(value);
    case "country":
      return String(value).trim();
    default:
      return value;
  }
}

const CORE_DTO_FIELDS = DTO_FIELDS.filter((field) => field.fieldClass === null);
const DTO_FIELDS_BY_CLASS = new Map<FieldClass, Field[]>();
for (const field of DTO_FIELDS) {
  if (field.fieldClass) DTO_FIELDS_BY_CLASS.set(field.fieldClass, [...(DTO_FIELDS_BY_CLASS.get(field.fieldClass) ?? []), field]);
}

/** The classes the scope grants on this kind, excluding `content` (which no DTO carries). */
export function disclosedClasses(scope: TelemetryScope, kind: EventKind): Array<Exclude<FieldClass, "content">> {
  return (scope[kind] ?? []).filter((fieldClass): fieldClass is Exclude<FieldClass, "content"> => fieldClass !== "content");
}

/** The fields a scope shows on a kind: the core fields, then those of each class granted, in that order. */
function dtoFieldsFor(scope: TelemetryScope, kind: EventKind): Field[] {
  return [...CORE_DTO_FIELDS, ...disclosedClasses(scope, kind).flatMap((fieldClass) => DTO_FIELDS_BY_CLASS.get(fieldClass) ?? [])];
}

/** Worked out once per scope and kind (a page's rows share both), not once per row. */
const dtoFieldsByScope = new WeakMap<TelemetryScope, Map<EventKind, Field[]>>();

function memoizedDtoFields(scope: TelemetryScope, kind: EventKind): Field[] {
  let byKind = dtoFieldsByScope.get(scope);
  if (!byKind) {
    byKind = new Map();
    dtoFieldsByScope.set(scope, byKind);
  }
  let fields = byKind.get(kind);
  if (!fields) {
    fields = dtoFieldsFor(scope, kind);
    byKind.set(kind, fields);
  }
  return fields;
}

/** The list DTO: core fields plus the fields of each class granted for the row's kind. */
export function toEventDto(row: EventRow, scope: TelemetryScope): EventDto {
  const record = row as unknown as Record<string, unknown>;
  const dto: Record<string, unknown> = {};
  for (const field of memoizedDtoFields(scope, row.kind)) dto[field.key] = dtoValue(field, record[field.column]);
  return dto as EventDto;
}

/** The detail DTO: the list DTO, the classes granted, and (only with `content` granted) whether content exists. */
export function toEventDetailDto(row: EventRow, scope: TelemetryScope): EventDetailDto {
  const fieldClasses = [...(scope[row.kind] ?? [])];
  const detail: EventDetailDto = { ...toEventDto(row, scope), fieldClasses };
  if (fieldClasses.includes("content")) detail.hasContent = row.has_content;
  return detail;
}

/** The classes disclosed by a set of rows (for the audit row). */
export function classesDisclosedBy(rows: ReadonlyArray<{ kind: EventKind }>, scope: TelemetryScope): FieldClass[] {
  const disclosed = new Set<FieldClass>();
  for (const row of rows) for (const fieldClass of disclosedClasses(scope, row.kind)) disclosed.add(fieldClass);
  return [...disclosed].sort();
}

/**
 * The export's cells of a row, without building the DTO: for each column, the
 * value toEventDto would give it when the scope grants the column's class on
 * the row's kind (core fields always), otherwise undefined (an empty cell).
 * Prepared once per export (per kind), so each row costs one array.
 */
export function eventCellsReader(scope: TelemetryScope, columns: readonly FieldKey[]): (row: EventRow) => unknown[] {
  const fields = columns.map((key) => {
    const field = DTO_FIELDS.find((candidate) => candidate.key === key);
    if (!field) throw new Error(`${key} is not a DTO field`);
    return field;
  });
  const byKind = new Map<EventKind, Array<Field | null>>();
  return (row) => {
    let readable = byKind.get(row.kind);
    if (!readable) {
      const classes: FieldClass[] = disclosedClasses(scope, row.kind);
      readable = fields.map((field) => (field.fieldClass === null || classes.includes(field.fieldClass) ? field : null));
      byKind.set(row.kind, readable);
    }
    const record = row as unknown as Record<string, unknown>;
    return readable.map((field) => (field ? dtoValue(field, record[field.column]) : undefined));
  };
}
