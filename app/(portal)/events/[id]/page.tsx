import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { EventClassSection } from "@/components/events/event-fields";
import { RevealContent } from "@/components/events/reveal-content";
import { formatUtc } from "@/lib/telemetry/format";
import { EVENT_KIND_LABELS, FIELD_CLASS_LABELS, FIELD_CLASSES } from "@/lib/telemetry/vocabulary";
import { getEvent } from "@/server/data/get-event";
import { EventTimeline } from "@/components/events/event-timeline";
import { getEventTimeline } from "@/server/data/get-event-timeline";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "Event" };

export default async function EventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const result = await loadForPage(`/events/${encodeURIComponent(id)}`, () => getEvent({ id }));
  if (!result.ok) {
    return (
      <div className="stack">
        <p>
          <Link href="/events">← Events</Link>
        </p>
        {/* the page keeps its heading when the event cannot be shown (the outline, and screen readers' "next heading") */}
        <h1>Event</h1>
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
        fieldClass === "content" || !granted.has(fieldClass) ? null : <EventClassSection key={fieldClass} event={event} fieldClass={fieldClass} />,
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
