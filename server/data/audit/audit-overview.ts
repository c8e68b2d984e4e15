// What the audit console shows beside a page of rows, for the same filters and
// in the same audited transaction as the search: facet counts (actor, action,
// outcome, purpose, employer), how many routine rows the filters hide, and the
// reveals / exports / denials per person over time.
//
// Each facet counts with every filter but its own (a picked action leaves the
// other actions' counts in place, so more can be picked), grouped and cut in
// SQL (GROUP BY … ORDER BY count LIMIT n): the page receives a few dozen
// numbers whatever the trail's size. The outcome facet also yields the total
// and the routine rows hidden, in the same scan. Actors are keyed by person
// id (their email may have changed since), else by the email a refused
// sign-in recorded, else "anonymous".
import "server-only";
import { ANONYMOUS_ACTOR, NONE_RECORDED, type AuditFilters } from "@/lib/audit/audit-query";
import {
  AUDIT_CHART_METRIC_SPECS,
  AUDIT_CHART_METRICS,
  chartBuckets,
  chartUnitFor,
  truncateUtc,
  type AuditChartMetric,
  type AuditChartUnit,
} from "@/lib/audit/chart-metrics";
import { AUDIT_OUTCOMES } from "@/lib/telemetry/vocabulary";
import { Prisma } from "@/server/db/generated/client";
import { AUDIT_FACET_DIMENSIONS, auditDimensionSql, auditRoutineSql, auditWhere, type AuditFacetDimension } from "./audit-rows";

type Tx = Prisma.TransactionClient;

export const ACTOR_FACET_LIMIT = 10;
const ACTION_FACET_LIMIT = 50;
export const CHART_TOP_PEOPLE = 5;
const DEFAULT_CHART_DAYS = 30;

export type FacetValue = { key: string; count: number };
export type ActorFacetValue = FacetValue & { email: string | null; name: string | null };

export type AuditFacets = {
  actor: { values: ActorFacetValue[]; limited: boolean };
  action: { values: FacetValue[] };
  outcome: { values: FacetValue[] };
  purpose: { values: FacetValue[] };
  employer: { values: FacetValue[] };
};

export type ChartPerson = { key: string; email: string | null; name: string | null; total: number };
export type AuditChartSeries = {
  metric: AuditChartMetric;
  total: number;
  /** the top people by total, most first; everyone else is "others" */
  people: ChartPerson[];
  others: number;
  /** per bucket (same order as `buckets`): count per person key, "" for others */
  counts: Array<Record<string, number>>;
};
export type AuditCharts = { unit: AuditChartUnit; from: string; to: string; buckets: string[]; series: AuditChartSeries[] };

export type AuditOverview = { total: number; hiddenRoutine: number; facets: AuditFacets; charts: AuditCharts };

const int = (value: unknown) => Number(value);

/** GROUPING(actor_person_id, actor_email, action, outcome, purpose, actor_employer) of each set: a bit is set for each column NOT grouped by. */
const SET_MASKS = { actor: 0b001111, action: 0b110111, outcome: 0b111011, purpose: 0b111101, employer: 0b111110 } as const;
const FACET_LIMITS = { action: ACTION_FACET_LIMIT, other: 20 } as const;

type FacetRow = { set_mask: number; key: string; routine: boolean | null; email: string | null; n: number };

/**
 * Every facet, the total and the routine rows hidden, in ONE scan of the rows
 * the non-facet filters select: they are first counted per combination of the
 * facets' columns (a parallel aggregate with two aggregates per row); each
 * combination carries whether it passes each facet's own pick (m_*); GROUPING
 * SETS then group the combinations once per facet, and each facet's count
 * leaves its own pick out (FILTER). Outcome is grouped with the routine flag
 * too, which yields the total and the hidden routine rows. Each facet is cut
 * to its busiest values in SQL (row_number per set).
 */
export async function facetCounts(tx: Tx, filters: AuditFilters) {
  const flag = (dimension: AuditFacetDimension) => auditDimensionSql(filters, dimension) ?? Prisma.sql`TRUE`;
  const visible = filters.routine === "hide" ? Prisma.sql`NOT routine` : Prisma.sql`TRUE`;
  const picked = filters.person ?? [];
  const actorLimit = ACTOR_FACET_LIMIT + picked.length + 1;
  const rows = await tx.$queryRaw<FacetRow[]>`
    WITH combos AS (
      -- one row per combination of the facets' columns (a few thousand), in one (parallel) pass;
      -- actor_email here is the email of rows without a person only, so the filters read the same
      SELECT actor_person_id, CASE WHEN actor_person_id IS NULL THEN actor_email END AS actor_email,
             action, outcome, purpose, actor_employer, max(audit_event.actor_email) AS email, count(*) AS n
      FROM audit_event
      WHERE ${auditWhere(filters, { omit: AUDIT_FACET_DIMENSIONS, routine: "show" })}
      GROUP BY 1, 2, 3, 4, 5, 6
    ), base AS (
      SELECT combos.*, ${auditRoutineSql()} AS routine,
             ${flag("actor")} AS m_actor, ${flag("action")} AS m_action, ${flag("outcome")} AS m_outcome,
             ${flag("purpose")} AS m_purpose, ${flag("employer")} AS m_employer
      FROM combos
    ), grouped AS (
      SELECT GROUPING(actor_person_id, actor_email, action, outcome, purpose, actor_employer) AS set_mask,
             actor_person_id, actor_email, action, outcome, purpose, actor_employer,
             CASE WHEN GROUPING(routine) = 0 THEN routine END AS routine,
             max(email) AS email,
             sum(n) FILTER (WHERE ${visible} AND m_action AND m_outcome AND m_purpose AND m_employer) AS n_actor,
             sum(n) FILTER (WHERE ${visible} AND m_actor AND m_outcome AND m_purpose AND m_employer) AS n_action,
             sum(n) FILTER (WHERE m_actor AND m_action AND m_purpose AND m_employer) AS n_outcome,
             sum(n) FILTER (WHERE ${visible} AND m_actor AND m_action AND m_outcome AND m_employer) AS n_purpose,
             sum(n) FILTER (WHERE ${visible} AND m_actor AND m_action AND m_outcome AND m_purpose) AS n_employer
      FROM base
      GROUP BY GROUPING SETS ((actor_person_id, actor_email), (action), (outcome, routine), (purpose), (actor_employer))
    ), keyed AS (
      SELECT set_mask, routine, email,
             CASE set_mask
               WHEN ${SET_MASKS.actor} THEN COALESCE(actor_person_id::text, 'email:' || actor_email, ${ANONYMOUS_ACTOR})
               WHEN ${SET_MASKS.action} THEN action
               WHEN ${SET_MASKS.outcome} THEN outcome::text
               WHEN ${SET_MASKS.purpose} THEN COALESCE(purpose::text, ${NONE_RECORDED})
               ELSE COALESCE(actor_employer::text, ${NONE_RECORDED})
             END AS key,
             CASE set_mask
               WHEN ${SET_MASKS.actor} THEN n_actor WHEN ${SET_MASKS.action} THEN n_action WHEN ${SET_MASKS.outcome} THEN n_outcome
               WHEN ${SET_MASKS.purpose} THEN n_purpose ELSE n_employer
             END AS n
      FROM grouped
    ), ranked AS (
      SELECT set_mask, key, routine, email, n,
             row_number() OVER (PARTITION BY set_mask ORDER BY (set_mask = ${SET_MASKS.actor} AND key = ANY(${picked}::text[])) DESC, n DESC, key) AS rank
      FROM keyed WHERE n > 0
    )
    SELECT set_mask, key, routine, email, n::int AS n FROM ranked
    WHERE rank <= CASE set_mask WHEN ${SET_MASKS.actor} THEN ${actorLimit}::int WHEN ${SET_MASKS.action} THEN ${FACET_LIMITS.action}::int ELSE ${FACET_LIMITS.other}::int END
    ORDER BY set_mask, rank`;

  const of = (mask: number) => rows.filter((row) => Number(row.set_mask) === mask);
  const values = (mask: number) => of(mask).map((row) => ({ key: row.key, count: int(row.n) }));
  const actorRows = of(SET_MASKS.actor);
  const actor = {
    values: actorRows.slice(0, actorLimit - 1).map((row) => ({ key: row.key, count: int(row.n), email: row.email, name: null as string | null })),
    limited: actorRows.length >= actorLimit,
  };

  // Outcome: routine rows apart; they make the hidden count (for the picked outcomes).
  const hiding = filters.routine === "hide";
  const pickedOutcomes = new Set<string>(filters.outcome ?? AUDIT_OUTCOMES);
  let total = 0;
  let hiddenRoutine = 0;
  const byOutcome = new Map<string, number>();
  for (const row of of(SET_MASKS.outcome)) {
    const count = int(row.n);
    if (hiding && row.routine) {
      if (pickedOutcomes.has(row.key)) hiddenRoutine += count;
      continue;
    }
    byOutcome.set(row.key, (byOutcome.get(row.key) ?? 0) + count);
    if (pickedOutcomes.has(row.key)) total += count;
  }
  const outcome = [...byOutcome].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));

  return {
    total,
    hiddenRoutine,
    facets: { actor, action: { values: values(SET_MASKS.action) }, outcome: { values: outcome }, purpose: { values: values(SET_MASKS.purpose) }, employer: { values: values(SET_MASKS.employer) } },
  };
}

/** The chart's time range: the filters' own, else the last 30 days; whole buckets. */
function chartRange(filters: AuditFilters, now: Date): { from: Date; to: Date; unit: AuditChartUnit } {
  const to = filters.to ?? now;
  const from = filters.from ?? new Date(truncateUtc(to, "day").getTime() - (DEFAULT_CHART_DAYS - 1) * 86_400_000);
  return { from, to, unit: chartUnitFor(from, to) };
}

export async function auditCharts(tx: Tx, filters: AuditFilters, now: Date): Promise<AuditCharts> {
  const { from, to, unit } = chartRange(filters, now);
  const buckets = chartBuckets(from, to, unit);
  const metricSql = Prisma.join(
    AUDIT_CHART_METRICS.map((metric) => {
      const spec = AUDIT_CHART_METRIC_SPECS[metric];
      const action = spec.actions ? Prisma.sql`action = ANY(${[...spec.actions]}::text[])` : Prisma.sql`TRUE`;
      return Prisma.sql`WHEN outcome = ANY(${[...spec.outcomes]}::audit_outcome[]) AND ${action} THEN ${metric}`;
    }),
    " ",
  );
  // The metrics define their own actions and outcomes; every other filter applies. Only the rows some
  // metric counts are read; they are grouped per bucket, metric and person first (a few thousand groups at
  // most), and only those groups are ranked and folded into "everyone else".
  const anyMetric = Prisma.join(
    AUDIT_CHART_METRICS.map((metric) => {
      const spec = AUDIT_CHART_METRIC_SPECS[metric];
      const action = spec.actions ? Prisma.sql`action = ANY(${[...spec.actions]}::text[])` : Prisma.sql`TRUE`;
      return Prisma.sql`(outcome = ANY(${[...spec.outcomes]}::audit_outcome[]) AND ${action})`;
    }),
    " OR ",
  );
  const rows = await tx.$queryRaw<Array<{ bucket: string; metric: AuditChartMetric; key: string | null; email: string | null; n: number }>>`
    WITH counted AS (
      SELECT date_trunc(${unit}, occurred_at AT TIME ZONE 'UTC') AS bucket, CASE ${metricSql} END AS metric,
             actor_person_id, CASE WHEN actor_person_id IS NULL THEN actor_email END AS anon_email, max(actor_email) AS email, count(*) AS n
      FROM audit_event
      WHERE ${auditWhere(filters, { omit: ["action", "outcome"] })}
        AND occurred_at >= ${from.toISOString()}::timestamptz AND occurred_at <= ${to.toISOString()}::timestamptz
        AND (${anyMetric})
      GROUP BY 1, 2, 3, 4
    ), keyed AS (
      SELECT bucket, metric, COALESCE(actor_person_id::text, 'email:' || anon_email, ${ANONYMOUS_ACTOR}) AS key, email, n FROM counted
    ), ranked AS (
      SELECT metric, key, row_number() OVER (PARTITION BY metric ORDER BY sum(n) DESC, key) AS rank FROM keyed GROUP BY metric, key
    )
    SELECT to_char(k.bucket, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS bucket, k.metric, CASE WHEN r.rank <= ${CHART_TOP_PEOPLE} THEN k.key END AS key,
           max(CASE WHEN r.rank <= ${CHART_TOP_PEOPLE} THEN k.email END) AS email, sum(k.n)::int AS n
    FROM keyed k JOIN ranked r ON r.metric = k.metric AND r.key = k.key
    GROUP BY 1, 2, 3`;
  const index = new Map(buckets.map((bucket, i) => [bucket, i]));
  const series = AUDIT_CHART_METRICS.map((metric): AuditChartSeries => {
    const people = new Map<string, ChartPerson>();
    const counts = buckets.map(() => ({}) as Record<string, number>);
    let total = 0;
    let others = 0;
    for (const row of rows) {
      if (row.metric !== metric) continue;
      const at = index.get(row.bucket);
      if (at === undefined) continue;
      const n = int(row.n);
      total += n;
      const key = row.key ?? "";
      counts[at]![key] = (counts[at]![key] ?? 0) + n;
      if (row.key === null) {
        others += n;
        continue;
      }
      const person = people.get(row.key) ?? { key: row.key, email: row.email, name: null, total: 0 };
      person.total += n;
      person.email ??= row.email;
      people.set(row.key, person);
    }
    return { metric, total, others, counts, people: [...people.values()].sort((a, b) => b.total - a.total || a.key.localeCompare(b.key)) };
  });
  return { unit, from: from.toISOString(), to: to.toISOString(), buckets, series };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Names (and current emails) of the people a facet or chart shows, from the access list. */
async function namePeople(tx: Tx, people: Array<{ key: string; email: string | null; name: string | null }>): Promise<void> {
  const ids = [...new Set(people.map((person) => person.key).filter((key) => UUID.test(key)))];
  if (ids.length === 0) return;
  const rows = await tx.$queryRaw<Array<{ id: string; name: string; email: string }>>`
    SELECT id::text AS id, name, email FROM person WHERE id = ANY(${ids}::uuid[])`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const person of people) {
    const found = byId.get(person.key);
    if (found) {
      person.name = found.name;
      person.email = found.email;
    } else if (person.key.startsWith("email:")) {
      person.email ??= person.key.slice("email:".length);
    }
  }
}

export async function loadAuditOverview(tx: Tx, filters: AuditFilters, now = new Date()): Promise<AuditOverview> {
  const { total, hiddenRoutine, facets } = await facetCounts(tx, filters);
  const charts = await auditCharts(tx, filters, now);
  await namePeople(tx, [...facets.actor.values, ...charts.series.flatMap((series) => series.people)]);
  return { total, hiddenRoutine, facets, charts };
}
