// The event page's story: the steps of its completion (or its session around
// it) in order, each a link, with the time since the previous step and the
// outcome measurements the person may see.
import Link from "next/link";
import { formatPercent, formatUtc } from "@/lib/telemetry/format";
import { formatGap, type EventTimeline as Timeline, type TimelineStep } from "@/lib/telemetry/timeline";
import { EVENT_KIND_LABELS } from "@/lib/telemetry/vocabulary";
import styles from "./event-timeline.module.css";

function outcome(step: TimelineStep): string | null {
  const parts: string[] = [];
  if (step.latencyMs !== undefined && step.latencyMs !== null) parts.push(`latency ${step.latencyMs} ms`);
  if (step.accepted === true) parts.push("accepted");
  if (step.accepted === false) parts.push("rejected");
  if (step.persistenceRatio !== undefined && step.persistenceRatio !== null) {
    parts.push(`${formatPercent(step.persistenceRatio)} still in the code${step.persistenceCheckSec ? ` after ${step.persistenceCheckSec} s` : ""}`);
  }
  return parts.length > 0 ? parts.join(" · ") : null;
}

export function EventTimeline({ timeline }: { timeline: Timeline }) {
  if (timeline.status === "withheld") return <p className="subtle">{timeline.message}</p>;
  if (timeline.steps.length <= 1) {
    return <p className="subtle">No other events of this {timeline.linkedBy === "completion" ? "completion" : "session (within 15 minutes)"} that you may see.</p>;
  }
  const first = timeline.steps[0]!;
  return (
    <>
      <p className="subtle">
        {timeline.linkedBy === "completion" ? "The events of this completion" : "The events of this session within 15 minutes of this one"}, in order, with the time
        since the step before{timeline.truncated ? ` (the ${timeline.steps.length} nearest; the session has more)` : ""}.
      </p>
      <ol className={styles.timeline} aria-label="Timeline">
        {timeline.steps.map((step) => {
          const detail = outcome(step);
          return (
            <li key={step.id} className={step.isCurrent ? `${styles.step} ${styles.current}` : styles.step}>
              <span className={styles.gap} aria-label={step.sincePreviousMs === null ? "first step" : `${formatGap(step.sincePreviousMs)} after the previous step`}>
                {step.sincePreviousMs === null ? "start" : formatGap(step.sincePreviousMs)}
              </span>
              <span className={styles.body}>
                {step.isCurrent ? (
                  <strong aria-current="step">{EVENT_KIND_LABELS[step.kind]} (this event)</strong>
                ) : (
                  <Link href={`/events/${step.id}`}>{EVENT_KIND_LABELS[step.kind]}</Link>
                )}{" "}
                <span className="subtle mono">{step.eventName}</span>
                <span className={styles.meta}>
                  {formatUtc(step.time)} UTC
                  {step.id !== first.id ? ` · ${formatGap(new Date(step.time).getTime() - new Date(first.time).getTime())} from the start` : ""}
                  {detail ? ` · ${detail}` : ""}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </>
  );
}
