// An event's timeline (issue 14 item 6): the other events of the same
// completion (requested → shown → accepted/rejected → persistence checks),
// or, for an event without a completion, of the same session within
// SESSION_WINDOW of it; ordered by time, with the time between steps.
// Linking events reads their completion or session id, so it needs the
// `identifiers` class: on the event's kind (otherwise the timeline is
// withheld, and says why) and on every step's kind (other kinds are not
// searched). Audited as its own access (events.timeline) with the ids of the
// events it discloses, like a list.
import "server-only";
import { permittedKinds, type TelemetryScope } from "@/lib/access/policy";
import type { EventTimeline, TimelineStep } from "@/lib/telemetry/timeline";
import { EVENT_KIND_LABELS, type EventKind, type FieldClass } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { eventIdInputSchema, wellFormedEventId } from "@/server/telemetry/event-id";
import { kindCondition } from "@/server/telemetry/event-sql";
import { EVENT_NOT_FOUND } from "./get-event";

/** At most this many steps (a completion has a handful; a busy session is cut, and the page says so). */
export const MAX_TIMELINE_STEPS = 50;
/** A session's events this close in time to the event, either side. */
const SESSION_WINDOW_MS = 15 * 60_000;

type AnchorRow = { id: string; kind: EventKind; time: Date; session_id: string; completion_id: string | null };
type StepRow = {
  id: string;
  kind: EventKind;
  event_name: string;
  time: Date;
  machine_id: string;
  latency_ms: number | null;
  accepted: boolean | null;
  persistence_check_sec: number | null;
  persistence_ratio: number | null;
};

const grants = (scope: TelemetryScope, kind: EventKind, fieldClass: FieldClass) => scope[kind]?.includes(fieldClass) ?? false;

export async function getEventTimeline(input: { id: unknown }): Promise<EventTimeline> {
  const targetId = wellFormedEventId(input);
  return audited<EventTimeline>(
    { action: "events.timeline", permission: "telemetry.read", details: { targetType: "telemetry_event", ...(targetId ? { targetId } : {}) } },
    async ({ tx, actor }) => {
      const { id } = parseInput(eventIdInputSchema, input);
      const [anchor] = await tx.$queryRaw<AnchorRow[]>(
        Prisma.sql`SELECT id::text AS id, kind::text AS kind, time, session_id, completion_id
                   FROM telemetry_event WHERE id = ${id}::uuid AND ${kindCondition(permittedKinds(actor.scope))}`,
      );
      if (!anchor) throw new AppError("not_found", EVENT_NOT_FOUND);
      if (!grants(actor.scope, anchor.kind, "identifiers")) {
        return {
          value: {
            status: "withheld",
            message: `The timeline links events by their completion and session IDs, which your access does not include for ${EVENT_KIND_LABELS[anchor.kind]} events.`,
          },
          audit: { eventIds: [], rowCount: 0, fieldClasses: [] },
        };
      }
      const linkable = permittedKinds(actor.scope).filter((kind) => grants(actor.scope, kind, "identifiers"));
      const linkedBy = anchor.completion_id ? "completion" : "session";
      const link = anchor.completion_id
        ? Prisma.sql`completion_id = ${anchor.completion_id}`
        : Prisma.sql`session_id = ${anchor.session_id}
                     AND time BETWEEN ${new Date(anchor.time.getTime() - SESSION_WINDOW_MS).toISOString()}::timestamptz AND ${new Date(anchor.time.getTime() + SESSION_WINDOW_MS).toISOString()}::timestamptz`;
      const rows = await tx.$queryRaw<StepRow[]>(
        Prisma.sql`SELECT id::text AS id, kind::text AS kind, event_name, time, machine_id, latency_ms, accepted, persistence_check_sec, persistence_ratio
                   FROM telemetry_event WHERE ${link} AND ${kindCondition(linkable)}
                   ORDER BY abs(extract(epoch FROM time - ${anchor.time.toISOString()}::timestamptz)), id LIMIT ${MAX_TIMELINE_STEPS + 1}`,
      );
      const truncated = rows.length > MAX_TIMELINE_STEPS;
      const kept = rows.slice(0, MAX_TIMELINE_STEPS).sort((a, b) => a.time.getTime() - b.time.getTime() || a.id.localeCompare(b.id));
      const steps: TimelineStep[] = kept.map((row, index) => {
        const previous = index > 0 ? kept[index - 1] : undefined;
        const measured = grants(actor.scope, row.kind, "measurements");
        return {
          id: row.id,
          kind: row.kind,
          eventName: row.event_name,
          time: row.time.toISOString(),
          sincePreviousMs: previous ? row.time.getTime() - previous.time.getTime() : null,
          isCurrent: row.id === anchor.id,
          ...(measured
            ? { latencyMs: row.latency_ms, accepted: row.accepted, persistenceCheckSec: row.persistence_check_sec, persistenceRatio: row.persistence_ratio }
            : {}),
        };
      });
      const fieldClasses: FieldClass[] = ["identifiers", ...(kept.some((row) => grants(actor.scope, row.kind, "measurements")) ? (["measurements"] as const) : [])];
      return {
        value: { status: "shown", linkedBy, steps, truncated },
        audit: {
          eventIds: kept.map((row) => row.id),
          machineIds: [...new Set(kept.map((row) => row.machine_id))],
          fieldClasses,
          rowCount: kept.length,
          filters: { linkedBy },
        },
      };
    },
  );
}
