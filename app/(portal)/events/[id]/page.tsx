import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { RevealContent } from "@/components/events/reveal-content";
import { FIELDS_BY_CLASS, TELEMETRY_FIELDS, type FieldKey } from "@/lib/telemetry/fields";
import type { EventDetailDto } from "@/lib/telemetry/event-types";
import { formatPercent, formatUtc, formatValue } from "@/lib/telemetry/format";
import { EVENT_KIND_LABELS, FIELD_CLASS_LABELS, FIELD_CLASSES, type FieldClass } from "@/lib/telemetry/vocabulary";
import { getEvent } from "@/server/data/get-event";
import { EventTimeline } from "@/components/events/event-timeline";
import { getEventTimeline } from "@/server/data/get-event-timeline";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "Event" };

function labelOf(field: string): string {
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

function ClassSection({ event, fieldClass }: { event: EventDetailDto; fieldClass: Exclude<FieldClass, "content"> }) {
  const record = event as Record<string, unknown>;
  const fields = FIELDS_BY_CLASS[fieldClass].filter((field) => field in record);
  const filled = fields.filter((field) => !isEmpty(record[field]));
  const empty = fields.filter((field) => isEmpty(record[field]));
  return (
    <section className="card" aria-labelledby={`class-${fieldClass}`}>
      <h2 id={`class-${fieldClass}`}>{FIELD_CLASS_LABELS[fieldClass]}</h2>
      {filled.length > 0 ? (
        <dl className="props">
          {filled.map((field) => (
            <div key={field} style={{ display: "contents" }}>
              <dt>{labelOf(field)}</dt>
              <dd>
                <FieldValue field={field} value={record[field]} />
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {empty.length > 0 ? <p className="subtle empty-fields">Not set on this event: {empty.map(labelOf).join(", ")}.</p> : null}
      {fieldClass === "identifiers" && (event.sessionId || event.machineId) ? (
        <p className="related-links">
          {event.sessionId ? <Link href={`/events?sessionId=${encodeURIComponent(event.sessionId)}`}>All events of this session</Link> : null}
          {event.machineId ? <Link href={`/events?machineId=${encodeURIComponent(event.machineId)}`}>All events of this machine</Link> : null}
        </p>
      ) : null}
    </section>
  );
}

export default async function EventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const result = await loadForPage(`/events/${encodeURIComponent(id)}`, () => getEvent({ id }));
  if (!result.ok) {
    return (
      <div className="stack">
        <p>
          <Link href="/events">← Events</Link>
        </p>
        <ErrorState error={result.error} />
      </div>
    );
  }
  const event = result.value;
  // The story around the event (audited on its own, events.timeline: it discloses the other events' ids).
  const timeline = await loadForPage(`/events/${encodeURIComponent(id)}`, () => getEventTimeline({ id }));
  const granted = new Set(event.fieldClasses);
  const hidden = FIELD_CLASSES.filter((fieldClass) => !granted.has(fieldClass));

  return (
    <div className="stack event-detail">
      <p>
        <Link href="/events">← Events</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>
            {EVENT_KIND_LABELS[event.kind]} <span className="subtle mono event-name">{event.eventName}</span>
          </h1>
          <p className="subtle">
            {formatUtc(event.time)} UTC · received {formatUtc(event.receivedAt)} UTC · <span className="mono break">{event.id}</span>
          </p>
        </div>
      </div>

      <section className="card" aria-labelledby="event-timeline">
        <h2 id="event-timeline">Timeline</h2>
        {timeline.ok ? <EventTimeline timeline={timeline.value} /> : <ErrorState error={timeline.error} />}
      </section>

      {FIELD_CLASSES.map((fieldClass) =>
        fieldClass === "content" || !granted.has(fieldClass) ? null : <ClassSection key={fieldClass} event={event} fieldClass={fieldClass} />,
      )}

      {granted.has("content") ? (
        <section className="card" aria-labelledby="class-content">
          <h2 id="class-content">{FIELD_CLASS_LABELS.content}</h2>
          {event.hasContent ? <RevealContent eventId={event.id} languageId={event.languageId ?? null} /> : <p className="subtle">This event carries no content.</p>}
        </section>
      ) : null}

      {hidden.length > 0 ? (
        <p className="subtle">
          Not in your access for {EVENT_KIND_LABELS[event.kind]} events: {hidden.map((fieldClass) => fieldClass).join(", ")}.
        </p>
      ) : null}
    </div>
  );
}
