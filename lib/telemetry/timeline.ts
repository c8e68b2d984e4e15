// An event's story (issue 14 item 6): the other events of its completion (or,
// without one, of its session around it), in order, with the time between
// steps. Safe on both sides; server/data/get-event-timeline.ts builds it.
import type { EventKind } from "./vocabulary";

export type TimelineStep = {
  id: string;
  kind: EventKind;
  eventName: string;
  time: string;
  /** milliseconds since the previous step (null for the first) */
  sincePreviousMs: number | null;
  /** the event being looked at */
  isCurrent: boolean;
  /** measurements, only where the person's scope grants them for this step's kind */
  latencyMs?: number | null;
  accepted?: boolean | null;
  persistenceCheckSec?: number | null;
  persistenceRatio?: number | null;
};

export type EventTimeline =
  | { status: "shown"; linkedBy: "completion" | "session"; steps: TimelineStep[]; truncated: boolean }
  /** the event's kind does not grant identifiers to this person: linking events would disclose them */
  | { status: "withheld"; message: string };

/** "+1.2 s", "+350 ms", "+3 min 5 s": the gap between two steps. */
export function formatGap(ms: number): string {
  const sign = ms < 0 ? "−" : "+";
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${sign}${abs} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1_000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1_000);
  if (minutes < 60) return `${sign}${minutes} min${seconds ? ` ${seconds} s` : ""}`;
  return `${sign}${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
