// Charts of the events matching the current filters, computed in SQL and
// audited (events.chart): volume by kind over time, the completion funnel
// (requested → shown → accepted), acceptance rate over time, latency p50/p95
// over time, errors by kind, redaction rate by filter, and how much of accepted
// suggestions persists at each check interval.
//
// Every query is limited to the person's permitted kinds (∩ the kinds
// filtered). Counting events of a kind needs only the kind; a chart of a
// measured value (latency, error kind, redaction filter, persistence) reads
// only the kinds on which the person's scope grants `measurements`, and is
// reported as unavailable, with the reason, when there are none.
//
// Which machines a chart discloses (its audit row's machine_ids, what the
// disclosure receipts list): a chart narrowed to a machine id discloses that
// machine's data (recorded even when it found no events: that is itself
// something learnt about the machine), and a chart whose events come from at
// most CHART_DISCLOSES_MACHINES_UP_TO machines is, in effect, a chart of each
// of them (a session id or a narrow set of filters singles machines out), so
// each is recorded. A chart over more machines is an aggregate and names none:
// recording every contributing machine would put tens of thousands of ids into
// each chart's audit row and list every chart anyone drew over a time range in
// every receipt, burying the accesses that singled a machine out.
import "server-only";
import { eventFilterQuerySchema, type EventFilters } from "@/lib/telemetry/event-query";
import type { ChartUnavailable, EventInsights, InsightsBucket } from "@/lib/telemetry/event-types";
import { EVENT_KIND_LABELS, type EventKind } from "@/lib/telemetry/vocabulary";
import type { TelemetryScope } from "@/lib/access/policy";
import { audited } from "@/server/access/audited";
import { Prisma } from "@/server/db/generated/client";
import { parseInput } from "@/server/http/parse-input";
import { describeQuery } from "@/server/telemetry/describe-query";
import { and, filterConditions, kindCondition, planEventQuery, resolveFrom } from "@/server/telemetry/event-sql";
import { hourlyCounts, withoutParallelWorkers, type CountSource } from "@/server/telemetry/rollups";
import {
  FULLY_PERSISTED,
  LATENCY_RELATIVE_ERROR,
  PERSISTENCE_MEDIAN_ERROR,
  PERSISTENCE_SUM_SCALE,
  PERSISTENCE_THRESHOLDS,
  latencyBucketRange,
  persistenceBucketRange,
  quantileFromBuckets,
} from "@/lib/telemetry/rollup-buckets";

const { sql, raw } = Prisma;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Hourly buckets up to this span, daily beyond. */
const HOURLY_UP_TO_MS = 2 * DAY_MS;
/** A chart over at most this many machines counts as a disclosure of each (see above): the small-cell threshold of statistical disclosure control, where 10–11 is usual. */
export const CHART_DISCLOSES_MACHINES_UP_TO = 10;
const FUNNEL_KINDS = ["completion_requested", "completion_shown", "completion_accepted"] as const satisfies readonly EventKind[];

type Bucketed = { bucket: Date };

export function pickBucket(from: Date | null, to: Date): InsightsBucket {
  return from && to.getTime() - from.getTime() <= HOURLY_UP_TO_MS ? "hour" : "day";
}

/** Every bucket from the first to the last seen, so lines do not jump over empty hours or days. */
function bucketRange(seen: readonly Date[], bucket: InsightsBucket): string[] {
  if (seen.length === 0) return [];
  const step = bucket === "hour" ? HOUR_MS : DAY_MS;
  const times = seen.map((date) => date.getTime());
  const first = Math.min(...times);
  const last = Math.max(...times);
  const buckets: string[] = [];
  for (let time = first; time <= last && buckets.length < 10_000; time += step) buckets.push(new Date(time).toISOString());
  return buckets;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function unavailable(kind: EventKind, charted: readonly EventKind[]): ChartUnavailable {
  return charted.includes(kind)
    ? { reason: `Your access does not include measurements of ${EVENT_KIND_LABELS[kind]} events.` }
    : { reason: `${EVENT_KIND_LABELS[kind]} events are outside your access or the current filter.` };
}

export async function getEventInsights(input: unknown): Promise<EventInsights> {
  return audited({ action: "events.chart", permission: "telemetry.read", sharedResolution: true, rawSql: true }, async ({ tx, actor }) => {
    const { filters } = parseInput(eventFilterQuerySchema, input);
    const plan = planEventQuery(actor.scope, filters, null);
    const now = new Date();
    const from = resolveFrom(filters, now);
    const bucket = pickBucket(from, filters.to ?? now);
    const insights = await computeInsights(tx, actor.scope, filters, plan.kinds, now, bucket);
    const machineIds = await machinesDisclosedByChart(tx, filters, plan.kinds, now);
    const measured = [insights.latency, insights.errors, insights.redaction, insights.persistence].some((chart) => !("reason" in chart));
    return {
      value: { ...insights, from: from?.toISOString() ?? null, to: filters.to?.toISOString() ?? null },
      audit: {
        filters: { ...describeQuery(filters, plan.kinds, now), bucket },
        rowCount: insights.totalEvents,
        machineIds,
        fieldClasses: measured ? ["measurements"] : [],
        targetType: "chart",
      },
    };
  });
}

type BucketRow = Bucketed & { index: number; n: number };
type BucketCount = { index: number; count: number };

/** Appends a bucket count to its group's list. */
function addTo<K>(groups: Map<K, BucketCount[]>, key: K, entry: BucketCount): void {
  const list = groups.get(key);
  if (list) list.push(entry);
  else groups.set(key, [entry]);
}

/** p50 and p95 per chart bucket from latency bucket counts; null when one falls where buckets have no bounds (the events answer then). */
function latencyFromBuckets(rows: readonly BucketRow[]): Extract<EventInsights["latency"], unknown[]> | null {
  const perBucket = new Map<string, BucketCount[]>();
  for (const row of rows) addTo(perBucket, row.bucket.toISOString(), { index: Number(row.index), count: Number(row.n) });
  const points: Extract<EventInsights["latency"], unknown[]> = [];
  for (const [key, counts] of perBucket) {
    const count = counts.reduce((sum, entry) => sum + entry.count, 0);
    if (count === 0) continue;
    const p50 = quantileFromBuckets(counts, 0.5, latencyBucketRange);
    const p95 = quantileFromBuckets(counts, 0.95, latencyBucketRange);
    if (p50 === null || p95 === null) return null;
    points.push({ bucket: key, count, p50: round(p50), p95: round(p95) });
  }
  return points.sort((a, b) => a.bucket.localeCompare(b.bucket));
}

/** The persistence chart from ratio bucket counts ("<check sec>:<index>") and ratio sums ("<check sec>"); null when a ratio is out of range. */
function persistenceFromBuckets(
  buckets: ReadonlyArray<{ value: string; n: number }>,
  sums: ReadonlyArray<{ value: string; n: number }>,
): Extract<EventInsights["persistence"], unknown[]> | null {
  const perCheck = new Map<number, BucketCount[]>();
  for (const row of buckets) {
    const [check, index] = row.value.split(":").map(Number) as [number, number];
    if (index < 0 && Number(row.n) > 0) return null;
    addTo(perCheck, check, { index, count: Number(row.n) });
  }
  const sumOf = new Map(sums.map((row) => [Number(row.value), Number(row.n)]));
  const fullIndex = PERSISTENCE_THRESHOLDS.length;
  const rows: Extract<EventInsights["persistence"], unknown[]> = [];
  for (const [checkSec, counts] of perCheck) {
    const count = counts.reduce((sum, entry) => sum + entry.count, 0);
    const median = quantileFromBuckets(counts, 0.5, persistenceBucketRange);
    if (count === 0 || median === null) continue;
    const full = counts.filter((entry) => entry.index === fullIndex).reduce((sum, entry) => sum + entry.count, 0);
    // each event added 1 + round(ratio × 10⁶)
    const mean = ((sumOf.get(checkSec) ?? count) - count) / count / PERSISTENCE_SUM_SCALE;
    rows.push({ checkSec, count, meanRatio: round(mean, 4), medianRatio: round(median, 4), fullyPersistedShare: round(full / count, 4) });
  }
  return rows.sort((a, b) => a.checkSec - b.checkSec);
}

type RawRunner = { $queryRaw<T = unknown>(query: Prisma.Sql): Promise<T> };

/** How many matching events machinesDisclosedByChart looks at first: enough to find more than 10 machines at once in any broad chart. */
export const DISCLOSURE_SAMPLE_ROWS = 5_000;

/**
 * The machines a chart of these filters discloses: the one it is narrowed to,
 * and all of them when they are few. Looks at the first DISCLOSURE_SAMPLE_ROWS
 * matching events: more than CHART_DISCLOSES_MACHINES_UP_TO machines among
 * them settles it (an aggregate, none named) and fewer than that many events
 * is every event; only otherwise (many events from few machines) does it
 * look for distinct machines over the whole range. The same answer as the
 * full DISTINCT, without a scan of every matching row in the common case.
 */
export async function machinesDisclosedByChart(
  tx: RawRunner,
  filters: EventFilters,
  kinds: readonly EventKind[],
  now: Date,
  sampleRows = DISCLOSURE_SAMPLE_ROWS,
): Promise<string[]> {
  const named = filters.machineId ? [filters.machineId] : [];
  if (kinds.length === 0) return named;
  const where = and([kindCondition(kinds), ...filterConditions(filters, now)]);
  const limit = CHART_DISCLOSES_MACHINES_UP_TO + 1;
  const [sample] = await tx.$queryRaw<Array<{ machines: string[] | null; rows: number }>>(
    sql`SELECT (array_agg(DISTINCT machine_id))[1:${limit}] AS machines, count(*)::int AS rows
        FROM (SELECT machine_id FROM telemetry_event WHERE ${where} LIMIT ${sampleRows}) AS sample`,
  );
  let machines = sample?.machines ?? [];
  if (machines.length <= CHART_DISCLOSES_MACHINES_UP_TO && Number(sample?.rows ?? 0) >= sampleRows) {
    const rows = await tx.$queryRaw<Array<{ machine_id: string }>>(sql`SELECT DISTINCT machine_id FROM telemetry_event WHERE ${where} LIMIT ${limit}`);
    machines = rows.map((row) => row.machine_id);
  }
  const few = machines.length <= CHART_DISCLOSES_MACHINES_UP_TO ? machines : [];
  return [...new Set([...named, ...few])];
}

/**
 * The charts' numbers. Counts (volume, funnel, acceptance, errors by kind,
 * redaction by filter) come from the per-hour rollups when the filters allow
 * (server/telemetry/rollups.ts), percentiles (latency, persistence) from the
 * events; `source` forces where counts come from (the equality test).
 */
export async function computeInsights(
  tx: RawRunner,
  scope: TelemetryScope,
  filters: EventFilters,
  kinds: readonly EventKind[],
  now: Date,
  bucket: InsightsBucket,
  source?: CountSource,
): Promise<Omit<EventInsights, "from" | "to">> {
  const conditions = filterConditions(filters, now);
  // Counts grouped by chart bucket may take whole days from the per-day rollups when the buckets are days; counts not grouped by time always may.
  const timeUnit = bucket === "day" ? "day" : "hour";
  const counts = (dimension: Parameters<typeof hourlyCounts>[0], subset: readonly EventKind[], coarsest: "hour" | "day" = "day") =>
    hourlyCounts(dimension, subset, filters, now, source, coarsest).query;
  const where = (subset: readonly EventKind[], ...extra: Prisma.Sql[]) => and([kindCondition(subset), ...conditions, ...extra]);
  const bucketSql = sql`date_trunc(${raw(`'${bucket}'`)}, time, 'UTC')`;
  const hourBucketSql = sql`date_trunc(${raw(`'${bucket}'`)}, hour, 'UTC')`;
  const measured = kinds.filter((kind) => scope[kind]?.includes("measurements"));
  const measuredOf = (kind: EventKind) => (measured.includes(kind) ? [kind] : []);

  // Volume by kind and bucket; the funnel and acceptance rate are sums of it.
  const volumeCounts = hourlyCounts("", kinds, filters, now, source, timeUnit);
  if (volumeCounts.source === "rollups") await withoutParallelWorkers(tx);
  const volumeRows =
    kinds.length === 0
      ? []
      : await tx.$queryRaw<Array<Bucketed & { kind: EventKind; n: number }>>(
          sql`SELECT ${hourBucketSql} AS bucket, kind::text AS kind, sum(events)::int AS n
              FROM (${volumeCounts.query}) AS counts GROUP BY 1, 2 ORDER BY 1, 2`,
        );
  const totals: Partial<Record<EventKind, number>> = {};
  const perBucket = new Map<string, Partial<Record<EventKind, number>>>();
  for (const row of volumeRows) {
    const key = row.bucket.toISOString();
    const counts = perBucket.get(key) ?? {};
    counts[row.kind] = Number(row.n);
    perBucket.set(key, counts);
    totals[row.kind] = (totals[row.kind] ?? 0) + Number(row.n);
  }
  const buckets = bucketRange(
    volumeRows.map((row) => row.bucket),
    bucket,
  );
  const volume = { buckets: buckets.map((key) => ({ bucket: key, counts: perBucket.get(key) ?? {} })), totals };
  const totalEvents = Object.values(totals).reduce((sum, n) => sum + (n ?? 0), 0);

  const funnel = FUNNEL_KINDS.map((kind) => ({ kind, count: kinds.includes(kind) ? (totals[kind] ?? 0) : null }));

  const acceptance: EventInsights["acceptance"] =
    kinds.includes("completion_shown") && kinds.includes("completion_accepted")
      ? volume.buckets.map(({ bucket: key, counts }) => {
          const shown = counts.completion_shown ?? 0;
          const accepted = counts.completion_accepted ?? 0;
          return { bucket: key, shown, accepted, rate: shown > 0 ? round(accepted / shown, 4) : null };
        })
      : unavailable(kinds.includes("completion_shown") ? "completion_accepted" : "completion_shown", kinds);

  // Latency percentiles over every measured kind that carries a latency:
  // from the rollups' latency buckets when they answer (approximate), from
  // percentile_cont over the events otherwise (exact).
  let latency: EventInsights["latency"];
  let latencyError: number | null = null;
  if (measured.length === 0) {
    latency = { reason: "Your access does not include measurements of the charted events." };
  } else {
    const bucketed = hourlyCounts("latencyBucket", measured, filters, now, source, timeUnit);
    const estimated =
      bucketed.source === "rollups"
        ? latencyFromBuckets(
            await tx.$queryRaw<BucketRow[]>(
              sql`SELECT ${hourBucketSql} AS bucket, value::int AS index, sum(events)::float8 AS n FROM (${bucketed.query}) AS counts GROUP BY 1, 2 ORDER BY 1, 2`,
            ),
          )
        : null;
    if (estimated) {
      latency = estimated;
      latencyError = LATENCY_RELATIVE_ERROR;
    } else {
      const rows = await tx.$queryRaw<Array<Bucketed & { n: number; p50: number; p95: number }>>(
        sql`SELECT ${bucketSql} AS bucket, count(*)::int AS n,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
            FROM telemetry_event WHERE ${where(measured, sql`latency_ms IS NOT NULL`)} GROUP BY 1 ORDER BY 1`,
      );
      latency = rows.map((row) => ({ bucket: row.bucket.toISOString(), count: Number(row.n), p50: round(Number(row.p50)), p95: round(Number(row.p95)) }));
    }
  }

  let errors: EventInsights["errors"];
  if (measuredOf("error").length === 0) {
    errors = unavailable("error", kinds);
  } else {
    const rows = await tx.$queryRaw<Array<{ error_kind: string; n: number }>>(
      sql`SELECT value AS error_kind, sum(events)::int AS n FROM (${counts("errorKind", ["error"])}) AS counts
          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50`,
    );
    errors = rows.map((row) => ({ errorKind: row.error_kind, count: Number(row.n) }));
  }

  let redaction: EventInsights["redaction"];
  if (measuredOf("completion_redacted").length === 0) {
    redaction = unavailable("completion_redacted", kinds);
  } else {
    const rows = await tx.$queryRaw<Array<{ redaction_filter: string; n: number }>>(
      // per filter, and the events that name none: all of the kind's events less those counted per filter
      sql`WITH named AS (SELECT value, sum(events) AS n FROM (${counts("redactionFilter", ["completion_redacted"])}) AS counts GROUP BY 1),
               total AS (SELECT coalesce(sum(events), 0) AS n FROM (${counts("", ["completion_redacted"])}) AS counts)
          SELECT redaction_filter, sum(n)::int AS n FROM (
            SELECT value AS redaction_filter, n FROM named
            UNION ALL SELECT '(unspecified)', total.n - coalesce((SELECT sum(n) FROM named), 0) FROM total
          ) AS filters WHERE n > 0 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50`,
    );
    // Of the suggestions that would have been shown (shown + redacted), the share each filter removed.
    const candidates = kinds.includes("completion_shown") ? (totals.completion_shown ?? 0) + (totals.completion_redacted ?? 0) : 0;
    redaction = {
      candidates,
      filters: rows.map((row) => ({ filter: row.redaction_filter, count: Number(row.n), rate: candidates > 0 ? round(Number(row.n) / candidates, 5) : null })),
    };
  }

  // Persistence per check interval: count, median and fully-persisted share
  // from the rollups' ratio buckets and the mean from their sums when they
  // answer (only the median approximate), from the events otherwise. Both
  // take the mean of the ratios rounded to 10⁻⁶ (what the sums hold).
  let persistence: EventInsights["persistence"];
  let persistenceMedianError: number | null = null;
  if (measuredOf("completion_persisted").length === 0) {
    persistence = unavailable("completion_persisted", kinds);
  } else {
    const bucketed = hourlyCounts("persistenceBucket", ["completion_persisted"], filters, now, source, "day");
    const sums = hourlyCounts("persistenceSum", ["completion_persisted"], filters, now, source, "day");
    const estimated =
      bucketed.source === "rollups"
        ? persistenceFromBuckets(
            await tx.$queryRaw<Array<{ value: string; n: number }>>(sql`SELECT value, sum(events)::float8 AS n FROM (${bucketed.query}) AS counts GROUP BY 1`),
            await tx.$queryRaw<Array<{ value: string; n: number }>>(sql`SELECT value, sum(events)::float8 AS n FROM (${sums.query}) AS counts GROUP BY 1`),
          )
        : null;
    if (estimated) {
      persistence = estimated;
      persistenceMedianError = PERSISTENCE_MEDIAN_ERROR;
    } else {
      const rows = await tx.$queryRaw<Array<{ check_sec: number; n: number; mean: number; median: number; full: number }>>(
        sql`SELECT persistence_check_sec AS check_sec, count(*)::int AS n,
                   (avg(round(persistence_ratio * ${raw(String(PERSISTENCE_SUM_SCALE))})) / ${raw(String(PERSISTENCE_SUM_SCALE))})::float8 AS mean,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY persistence_ratio) AS median,
                   avg(CASE WHEN persistence_ratio >= ${raw(String(FULLY_PERSISTED))} THEN 1 ELSE 0 END)::float8 AS full
            FROM telemetry_event
            WHERE ${where(["completion_persisted"], sql`persistence_check_sec IS NOT NULL AND persistence_ratio IS NOT NULL`)}
            GROUP BY 1 ORDER BY 1`,
      );
      persistence = rows.map((row) => ({
        checkSec: Number(row.check_sec),
        count: Number(row.n),
        meanRatio: round(Number(row.mean), 4),
        medianRatio: round(Number(row.median), 4),
        fullyPersistedShare: round(Number(row.full), 4),
      }));
    }
  }

  return {
    bucket,
    kinds: [...kinds],
    totalEvents,
    volume,
    funnel,
    acceptance,
    latency,
    errors,
    redaction,
    persistence,
    approximate: { latencyRelativeError: latencyError, persistenceMedianError },
  };
}
