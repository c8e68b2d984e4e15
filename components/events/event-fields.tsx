// One event's fields, grouped by field class: shared by the event page
// (/events/[id]) and the explorer's side panel, which show the same DTO from
// the same audited call (server/data/get-event.ts).
import Link from "next/link";
import { FIELDS_BY_CLASS, TELEMETRY_FIELDS, type FieldKey } from "@/lib/telemetry/fields";
import type { EventDetailDto } from "@/lib/telemetry/event-types";
import { formatPercent, formatValue } from "@/lib/telemetry/format";
import { FIELD_CLASS_LABELS, FIELD_CLASSES, type FieldClass } from "@/lib/telemetry/vocabulary";

export function fieldLabel(field: string): string {
  return field in TELEMETRY_FIELDS ? TELEMETRY_FIELDS[field as FieldKey].label : field;
}

const isJsonField = (field: string) => field in TELEMETRY_FIELDS && TELEMETRY_FIELDS[field as FieldKey].value === "json";

function FieldValue({ field, value }: { field: string; value: unknown }) {
  if (isJsonField(field) && value !== null && typeof value === "object") {
    return <pre className="code code--light">{JSON.stringify(value, null, 2)}</pre>;
  }
  if (field === "persistenceRatio" && typeof value === "number") return <>{formatPercent(value)}</>;
  if (["machineId", "sessionId", "completionId"].includes(field)) return <span className="mono break">{formatValue(value)}</span>;
  return <>{formatValue(value)}</>;
}

const isEmpty = (value: unknown) => value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);

/** The fields of one class the event carries, then those it leaves unset; `headingLevel` 3 inside the side panel. */
export function EventClassSection({
  event,
  fieldClass,
  headingLevel = 2,
  idPrefix = "class",
}: {
  event: EventDetailDto;
  fieldClass: Exclude<FieldClass, "content">;
  headingLevel?: 2 | 3;
  idPrefix?: string;
}) {
  const record = event as Record<string, unknown>;
  const fields = FIELDS_BY_CLASS[fieldClass].filter((field) => field in record);
  const filled = fields.filter((field) => !isEmpty(record[field]));
  const empty = fields.filter((field) => isEmpty(record[field]));
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section className="card" aria-labelledby={`${idPrefix}-${fieldClass}`}>
      <Heading id={`${idPrefix}-${fieldClass}`}>{FIELD_CLASS_LABELS[fieldClass]}</Heading>
      {filled.length > 0 ? (
        <dl className="props">
          {filled.map((field) => (
            <div key={field} style={{ display: "contents" }}>
              <dt>{fieldLabel(field)}</dt>
              <dd>
                <FieldValue field={field} value={record[field]} />
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {empty.length > 0 ? <p className="subtle empty-fields">Not set on this event: {empty.map(fieldLabel).join(", ")}.</p> : null}
      {fieldClass === "identifiers" && (event.sessionId || event.machineId) ? (
        <p className="related-links">
          {event.sessionId ? <Link href={`/events?sessionId=${encodeURIComponent(event.sessionId)}`}>All events of this session</Link> : null}
          {event.machineId ? <Link href={`/events?machineId=${encodeURIComponent(event.machineId)}`}>All events of this machine</Link> : null}
        </p>
      ) : null}
    </section>
  );
}

/** The non-content classes the person's scope grants for this event, in order. */
export function grantedFieldClasses(event: EventDetailDto): Array<Exclude<FieldClass, "content">> {
  const granted = new Set(event.fieldClasses);
  return FIELD_CLASSES.filter((fieldClass): fieldClass is Exclude<FieldClass, "content"> => fieldClass !== "content" && granted.has(fieldClass));
}

/** The classes outside the person's access for this event's kind. */
export function hiddenFieldClasses(event: EventDetailDto): FieldClass[] {
  const granted = new Set(event.fieldClasses);
  return FIELD_CLASSES.filter((fieldClass) => !granted.has(fieldClass));
}
