// The explorer's histogram (GET /api/v1/events/histogram): events per time
// bucket, stacked by kind, for the current filters over the whole time range,
// not the fetched page. Audited as a chart (events.chart, target type
// "histogram"): the filters, the range and bucket drawn, the total disclosed.
//
// Within the person's scope exactly as the list: the kinds searched are the
// permitted kinds ∩ the kinds filtered, narrowed to those granting the class
// of any field filtered (planEventQuery, which refuses a filter on a field
// outside the scope with 403). Counts come from the per-hour rollups whenever
// the filters and the bucket width allow (server/telemetry/rollups.ts).
import "server-only";
import { eventFilterQuerySchema, type EventFilters } from "@/lib/telemetry/event-query";
import { histogramStart, pickHistogramBucket, type EventHistogram, type HistogramBucket } from "@/lib/telemetry/histogram";
import type { EventKind } from "@/lib/telemetry/vocabulary";
import type { TelemetryScope } from "@/lib/access/policy";
import { audited, type AuditDetails } from "@/server/access/audited";
import { Prisma } from "@/server/db/generated/client";
import { parseInput } from "@/server/http/parse-input";
import { describeQuery } from "@/server/telemetry/describe-query";
import { and, filterConditions, kindCondition, planEventQuery, resolveFrom, type RawRunner } from "@/server/telemetry/event-sql";
import { eventsInWholeHours, hourlyCounts, rollupsAnswer, withoutParallelWorkers, type CountSource } from "@/server/telemetry/rollups";

const { sql } = Prisma;

const HOUR_SECONDS = 3_600;
const DAY_SECONDS = 86_400;

export async function getEventHistogram(input: unknown): Promise<EventHistogram> {
  return audited({ action: "events.chart", permission: "telemetry.read", rawSql: true }, async ({ tx, actor }) => {
    const { filters } = parseInput(eventFilterQuerySchema, input);
    return readHistogram(tx, actor.scope, filters, new Date());
  });
}

/**
 * The histogram of `filters` within `scope`, and what its audit row records
 * (events.chart, target type "histogram"): for GET /api/v1/events/histogram,
 * and for the explorer page, which reads it with its list in one transaction
 * (server/data/list-events.ts, listEventsWithHistogram).
 */
export async function readHistogram(tx: RawRunner, scope: TelemetryScope, filters: EventFilters, now: Date): Promise<{ value: EventHistogram; audit: AuditDetails }> {
  const plan = planEventQuery(scope, filters, null);
  const histogram = await computeHistogram(tx, filters, plan.kinds, now);
  return {
    value: histogram,
    audit: {
      filters: { ...describeQuery(filters, plan.kinds, now), histogramFrom: histogram.from, histogramTo: histogram.to, bucketSeconds: histogram.bucketSeconds },
      rowCount: histogram.total,
      after: { total: histogram.total, buckets: histogram.buckets.length },
      fieldClasses: plan.filterClasses,
      targetType: "histogram",
    },
  };
}

/** The first matching event's time, for a range with no lower bound. */
async function firstEventTime(tx: RawRunner, filters: EventFilters, kinds: readonly EventKind[], now: Date): Promise<Date | null> {
  const rows = rollupsAnswer(filters)
    ? await tx.$queryRaw<Array<{ first: Date | null }>>(sql`SELECT min(hour) AS first FROM telemetry_rollup WHERE dimension = '' AND ${kindCondition(kinds)}`)
    : await tx.$queryRaw<Array<{ first: Date | null }>>(
        sql`SELECT min(time) AS first FROM telemetry_event WHERE ${and([kindCondition(kinds), ...filterConditions(filters, now)])}`,
      );
  return rows[0]?.first ?? null;
}

/**
 * Past this many events in the range, bars narrower than an hour (counted
 * event by event) give way to whole hours from the rollups. A day of 10M
 * events a month is ~330,000 rows: 15-minute bars of "Last 24 hours" would
 * cost the explorer page hundreds of milliseconds, hour bars a few.
 */
export const FINE_HISTOGRAM_MAX_EVENTS = 20_000;

/**
 * The histogram of the events of `kinds` matching `filters`; `source` forces where counts come from (the
 * equality test), `fineMaxEvents` how many events bars under an hour may count (FINE_HISTOGRAM_MAX_EVENTS).
 */
export async function computeHistogram(
  tx: RawRunner,
  filters: EventFilters,
  kinds: readonly EventKind[],
  now: Date,
  source?: CountSource,
  fineMaxEvents = FINE_HISTOGRAM_MAX_EVENTS,
): Promise<EventHistogram> {
  const to = filters.to ?? now;
  const filterFrom = resolveFrom(filters, now);
  const from = histogramStart(filterFrom, filterFrom || kinds.length === 0 ? null : await firstEventTime(tx, filters, kinds, now), to);
  // No lower bound and no matching event: nothing to draw, said as such (no invented range).
  if (!from) return { from: null, to: to.toISOString(), bucketSeconds: null, buckets: [], kinds: [...kinds], total: 0 };
  let bucketSeconds = pickHistogramBucket(from, to);
  // Too many events for bars under an hour: hour bars from the rollups (only where the rollups answer the filters;
  // with a field filtered, the events are read either way and finer bars cost no more).
  if (bucketSeconds < HOUR_SECONDS && kinds.length > 0 && rollupsAnswer(filters) && (await eventsInWholeHours(tx, kinds, from, to)) > fineMaxEvents) {
    bucketSeconds = HOUR_SECONDS;
  }
  // The drawn range: the filter's, or (no upper bound) up to now; events past it are not drawn.
  const drawn: EventFilters = { ...filters, range: undefined, from, to };

  let rows: Array<{ bucket: Date; kind: EventKind; n: number }> = [];
  if (kinds.length > 0) {
    // Buckets start at multiples of their width since the epoch. date_bin on the timestamp, not numeric
    // arithmetic on extract(epoch …): half the time over the ~5,000 hourly rows of 30 days.
    const bucketOf = (column: "hour" | "time") => sql`date_bin(make_interval(secs => ${bucketSeconds}::int), ${Prisma.raw(column)}, timestamptz 'epoch')`;
    if (bucketSeconds % HOUR_SECONDS === 0) {
      // a bucket of whole days takes whole days from the per-day rollups (buckets start at multiples of their width since the epoch, UTC)
      const counts = hourlyCounts("", kinds, drawn, now, source, bucketSeconds % DAY_SECONDS === 0 ? "day" : "hour");
      if (counts.source === "rollups") await withoutParallelWorkers(tx);
      rows = await tx.$queryRaw(
        sql`SELECT ${bucketOf("hour")} AS bucket, kind::text AS kind, sum(events)::int AS n FROM (${counts.query}) AS counts GROUP BY 1, 2`,
      );
    } else {
      // Buckets narrower than an hour (a range of up to a day, not past FINE_HISTOGRAM_MAX_EVENTS): read from the events.
      rows = await tx.$queryRaw(
        sql`SELECT ${bucketOf("time")} AS bucket, kind::text AS kind, count(*)::int AS n FROM telemetry_event
            WHERE ${and([kindCondition(kinds), ...filterConditions(drawn, now)])} GROUP BY 1, 2`,
      );
    }
  }

  const byStart = new Map<number, HistogramBucket>();
  const width = bucketSeconds * 1000;
  const first = Math.floor(from.getTime() / width) * width;
  for (let start = first; start < to.getTime() && byStart.size < 10_000; start += width) {
    byStart.set(start, { start: new Date(start).toISOString(), counts: {}, total: 0 });
  }
  let total = 0;
  for (const row of rows) {
    const bucket = byStart.get(new Date(row.bucket).getTime());
    if (!bucket) continue;
    const n = Number(row.n);
    bucket.counts[row.kind] = (bucket.counts[row.kind] ?? 0) + n;
    bucket.total += n;
    total += n;
  }
  return { from: from.toISOString(), to: to.toISOString(), bucketSeconds, buckets: [...byStart.values()], kinds: [...kinds], total };
}
