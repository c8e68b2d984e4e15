// The explorer's side panel: one event's fields and its Reveal, opened from
// a row without leaving the list (`open=<id>` in the URL). Previous and next
// walk the rows (into the neighbouring page at the edges); Close, Escape and
// the browser's Back return to the list with its filters. The data comes from
// the same audited call as the event page.
import Link from "next/link";
import { EventClassSection, grantedFieldClasses, hiddenFieldClasses } from "./event-fields";
import { PanelFocus } from "./explorer-keys";
import { RevealContent } from "./reveal-content";
import { formatDateTime } from "@/lib/format/date-time";
import type { EventDetailDto } from "@/lib/telemetry/event-types";
import { EVENT_KIND_LABELS, FIELD_CLASS_LABELS } from "@/lib/telemetry/vocabulary";

const HEADING_ID = "event-panel-heading";

export type EventSidePanelProps = {
  /** the event, or why it cannot be shown */
  result: { event: EventDetailDto } | { missing: string };
  /** the id asked for (the row to return to) */
  openId: string;
  closeHref: string;
  previousHref: string | null;
  nextHref: string | null;
  /** "Event 3 of 50 on this page" */
  position: string | null;
};

export function EventSidePanel({ result, openId, closeHref, previousHref, nextHref, position }: EventSidePanelProps) {
  const event = "event" in result ? result.event : null;
  return (
    <aside className="side-panel" aria-labelledby={HEADING_ID} id="event-panel">
      <PanelFocus headingId={HEADING_ID} eventId={openId} />
      <div className="side-panel__bar">
        <Link href={closeHref} scroll={false} className="button button--secondary" data-panel-close={openId} aria-keyshortcuts="Escape">
          ✕ Close
        </Link>
        <nav className="side-panel__nav" aria-label="Previous and next event">
          {previousHref ? (
            <Link href={previousHref} scroll={false} className="button button--secondary" rel="prev">
              ↑ Previous
            </Link>
          ) : (
            <span className="button button--secondary is-disabled" aria-disabled="true">
              ↑ Previous
            </span>
          )}
          {nextHref ? (
            <Link href={nextHref} scroll={false} className="button button--secondary" rel="next">
              Next ↓
            </Link>
          ) : (
            <span className="button button--secondary is-disabled" aria-disabled="true">
              Next ↓
            </span>
          )}
        </nav>
      </div>
      {position ? <p className="subtle side-panel__position">{position}</p> : null}
      {event ? (
        <>
          <h2 id={HEADING_ID} tabIndex={-1}>
            {EVENT_KIND_LABELS[event.kind]} <span className="subtle mono event-name">{event.eventName}</span>
          </h2>
          <p className="subtle">
            {formatDateTime(event.time, { precision: "millisecond" })} · received {formatDateTime(event.receivedAt, { precision: "second" })} ·{" "}
            <Link href={`/events/${event.id}`}>Open the event page</Link>
          </p>
          {grantedFieldClasses(event).map((fieldClass) => (
            <EventClassSection key={fieldClass} event={event} fieldClass={fieldClass} headingLevel={3} idPrefix="panel-class" />
          ))}
          {event.fieldClasses.includes("content") ? (
            <section className="card" aria-labelledby="panel-class-content">
              <h3 id="panel-class-content">{FIELD_CLASS_LABELS.content}</h3>
              {event.hasContent ? <RevealContent key={event.id} eventId={event.id} /> : <p className="subtle">This event carries no content.</p>}
            </section>
          ) : null}
          {hiddenFieldClasses(event).length > 0 ? (
            <p className="subtle">
              Not in your access for {EVENT_KIND_LABELS[event.kind]} events: {hiddenFieldClasses(event).join(", ")}.
            </p>
          ) : null}
        </>
      ) : (
        <>
          <h2 id={HEADING_ID} tabIndex={-1}>
            Event not shown
          </h2>
          <p className="notice notice--error">{"missing" in result ? result.missing : ""}</p>
        </>
      )}
    </aside>
  );
}
