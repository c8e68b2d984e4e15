// One telemetry_event row → the DTO one person may see. The field classes come
// from the person's scope for the row's kind (lib/access/policy.ts); a field of
// any other class is left out of the object entirely. `content` never goes
// into a DTO: it is ciphertext in the row and only the reveal action opens it.
import "server-only";
import type { TelemetryScope } from "@/lib/access/policy";
import type { FIELDS_BY_CLASS } from "@/lib/telemetry/fields";
import type { EventDetailDto, EventDto, JsonValue } from "@/lib/telemetry/event-types";
import type { EventKind, FieldClass, UiKind } from "@/lib/telemetry/vocabulary";
import { Prisma } from "@/server/db/generated/client";

/** The columns every explorer query selects: everything but the content envelope. */
export const EVENT_ROW_COLUMNS = Prisma.sql`
  id::text AS id, kind::text AS kind, event_name, time, received_at,
  machine_id, session_id, completion_id,
  vscode_version, extension_name, extension_version, os, os_version, ui_kind::text AS ui_kind, language_id, extension_settings,
  country, region, city,
  error_kind, error_context, latency_ms, model_certainty, suggestion_count, suggestion_char_length, post_processing,
  redaction_filter, accepted, persistence_check_sec, persistence_ratio, measurements,
  (content_ciphertext IS NOT NULL) AS has_content`;

/** A row as EVENT_ROW_COLUMNS returns it. */
export type EventRow = {
  id: string;
  kind: EventKind;
  event_name: string;
  time: Date;
  received_at: Date;
  machine_id: string;
  session_id: string;
  completion_id: string | null;
  vscode_version: string;
  extension_name: string;
  extension_version: string;
  os: string;
  os_version: string;
  ui_kind: UiKind;
  language_id: string | null;
  extension_settings: unknown;
  country: string | null;
  region: string | null;
  city: string | null;
  error_kind: string | null;
  error_context: unknown;
  latency_ms: number | null;
  model_certainty: number | null;
  suggestion_count: number | null;
  suggestion_char_length: number | null;
  post_processing: string[] | null;
  redaction_filter: string | null;
  accepted: boolean | null;
  persistence_check_sec: number | null;
  persistence_ratio: number | null;
  measurements: unknown;
  has_content: boolean;
};

type ClassifiedValues = { [Class in Exclude<FieldClass, "content">]: Pick<Required<EventDto>, (typeof FIELDS_BY_CLASS)[Class][number]> };

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

const num = (value: number | bigint | null): number | null => (value === null ? null : Number(value));

function classifiedValues(row: EventRow): ClassifiedValues {
  return {
    identifiers: { machineId: row.machine_id, sessionId: row.session_id, completionId: row.completion_id },
    environment: {
      vscodeVersion: row.vscode_version,
      extensionName: row.extension_name,
      extensionVersion: row.extension_version,
      os: row.os,
      osVersion: row.os_version,
      uiKind: row.ui_kind,
      languageId: row.language_id,
      extensionSettings: json(row.extension_settings),
    },
    location: { country: row.country?.trim() ?? null, region: row.region, city: row.city },
    measurements: {
      errorKind: row.error_kind,
      errorContext: json(row.error_context),
      latencyMs: num(row.latency_ms),
      modelCertainty: num(row.model_certainty),
      suggestionCount: num(row.suggestion_count),
      suggestionCharLength: num(row.suggestion_char_length),
      postProcessing: row.post_processing ?? [],
      redactionFilter: row.redaction_filter,
      accepted: row.accepted,
      persistenceCheckSec: num(row.persistence_check_sec),
      persistenceRatio: num(row.persistence_ratio),
      measurements: json(row.measurements),
    },
  };
}

/** The classes the scope grants on this kind, excluding `content` (which no DTO carries). */
export function disclosedClasses(scope: TelemetryScope, kind: EventKind): Array<Exclude<FieldClass, "content">> {
  return (scope[kind] ?? []).filter((fieldClass): fieldClass is Exclude<FieldClass, "content"> => fieldClass !== "content");
}

/** The list DTO: core fields plus the fields of each class granted for the row's kind. */
export function toEventDto(row: EventRow, scope: TelemetryScope): EventDto {
  const values = classifiedValues(row);
  const dto: EventDto = {
    id: row.id,
    kind: row.kind,
    eventName: row.event_name,
    time: row.time.toISOString(),
    receivedAt: row.received_at.toISOString(),
  };
  for (const fieldClass of disclosedClasses(scope, row.kind)) Object.assign(dto, values[fieldClass]);
  return dto;
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
