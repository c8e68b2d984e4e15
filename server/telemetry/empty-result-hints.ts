// Why a list came back empty, in words the person can act on (shown under
// "No events match these filters"). Only asked when nothing matched, inside
// the list's audited transaction, and only about what the person may see:
//   - kinds they asked for that are outside their access, or kinds not
//     searched because a filter reads a field class they do not see there;
//   - a value of an exact (case-sensitive) filter that matches only in
//     another case (ids: tried lower- and upper-cased, through their indexes);
//   - a time range in which none of their events lie at all (with the span
//     their events do cover).
import "server-only";
import { permittedKinds, type TelemetryScope } from "@/lib/access/policy";
import { FIELD_FILTERS, type EventFilters } from "@/lib/telemetry/event-query";
import { EVENT_KIND_LABELS, type EventKind } from "@/lib/telemetry/vocabulary";
import { Prisma } from "@/server/db/generated/client";
import { and, filterConditions, kindCondition, resolveFrom, type QueryPlan, type RawRunner } from "./event-sql";

const { sql, raw } = Prisma;

const kindList = (kinds: readonly EventKind[]) => kinds.map((kind) => EVENT_KIND_LABELS[kind]).join(", ");
const day = (date: Date) => date.toISOString().slice(0, 16).replace("T", " ");

export async function emptyResultHints(runner: RawRunner, scope: TelemetryScope, filters: EventFilters, plan: QueryPlan, now: Date): Promise<string[]> {
  const hints: string[] = [];
  const permitted = permittedKinds(scope);

  const outside = filters.kinds.filter((kind) => !permitted.includes(kind));
  if (outside.length > 0) hints.push(`${kindList(outside)} events are outside your access, so they were not searched.`);
  const requested = filters.kinds.length > 0 ? permitted.filter((kind) => filters.kinds.includes(kind)) : permitted;
  const narrowed = requested.filter((kind) => !plan.kinds.includes(kind));
  if (narrowed.length > 0 && plan.filterClasses.length > 0) {
    hints.push(
      `Your filters read ${plan.filterClasses.join(" and ")} fields, which your access does not show on ${kindList(narrowed)} events; ` +
        (plan.kinds.length > 0 ? `only ${kindList(plan.kinds)} events were searched.` : "no events were searched."),
    );
  }
  if (plan.kinds.length === 0) return hints;

  // A value that matches only in another case (exact filters on text: the ids).
  const timeOnly = { ...emptyFilters(), range: filters.range, from: filters.from, to: filters.to };
  const within = and([kindCondition(plan.kinds), ...filterConditions(timeOnly, now)]);
  for (const filter of FIELD_FILTERS) {
    const value = filters[filter.param];
    if (filter.field.filter.mode !== "exact" || filter.field.value !== "text" || typeof value !== "string") continue;
    const variants = [...new Set([value.toLowerCase(), value.toUpperCase()])].filter((variant) => variant !== value);
    if (variants.length === 0) continue;
    const column = raw(filter.field.column);
    const found = await runner.$queryRaw<Array<{ value: string }>>(
      sql`SELECT ${column} AS value FROM telemetry_event WHERE ${within} AND ${column} = ANY(${variants}::text[]) LIMIT 1`,
    );
    if (found[0]) hints.push(`${filter.field.filterLabel ?? filter.field.label} matches exactly, and “${value}” differs only in case from “${found[0].value}”.`);
  }

  // A time range holding none of the person's events at all.
  const from = resolveFrom(filters, now);
  if (from || filters.to) {
    const [inRange] = await runner.$queryRaw<Array<{ found: boolean }>>(sql`SELECT EXISTS (SELECT 1 FROM telemetry_event WHERE ${within}) AS found`);
    if (!inRange?.found) {
      const [span] = await runner.$queryRaw<Array<{ earliest: Date | null; latest: Date | null }>>(
        sql`SELECT min(time) AS earliest, max(time) AS latest FROM telemetry_event WHERE ${kindCondition(plan.kinds)}`,
      );
      hints.push(
        span?.latest && span.earliest
          ? `None of the events you may see fall in this time range: they span ${day(span.earliest)} to ${day(span.latest)} UTC.`
          : "There are no events you may see at all yet.",
      );
    }
  }
  return hints;
}

function emptyFilters(): EventFilters {
  return { kinds: [] } as EventFilters;
}
