// What the audit console charts: reveals, exports and denials per person over
// time. Each metric is a filter the console can drill down to (the same
// action/outcome parameters a person could type), so a bar's link lists
// exactly the rows the bar counted. Safe on both sides.
import type { AuditAction } from "./actions";
import type { AuditOutcome } from "@/lib/telemetry/vocabulary";

export const AUDIT_CHART_METRICS = ["reveals", "exports", "denials"] as const;
export type AuditChartMetric = (typeof AUDIT_CHART_METRICS)[number];

export type AuditChartMetricSpec = {
  title: string;
  /** what one counted row is, for summaries ("12 reveals") */
  noun: [singular: string, plural: string];
  /** null: any action */
  actions: readonly AuditAction[] | null;
  outcomes: readonly AuditOutcome[];
};

export const AUDIT_CHART_METRIC_SPECS: Record<AuditChartMetric, AuditChartMetricSpec> = {
  reveals: { title: "Content reveals", noun: ["reveal", "reveals"], actions: ["events.reveal"], outcomes: ["allowed"] },
  exports: { title: "Exports", noun: ["export", "exports"], actions: ["events.export", "audit.export", "admin.access_export"], outcomes: ["allowed"] },
  denials: { title: "Denials", noun: ["denial", "denials"], actions: null, outcomes: ["denied"] },
};

export const AUDIT_CHART_UNITS = ["day", "week", "month"] as const;
export type AuditChartUnit = (typeof AUDIT_CHART_UNITS)[number];

const DAY_MS = 86_400_000;

/** Days up to 45 days, weeks up to 26 weeks, months beyond: between about 7 and 45 bars. */
export function chartUnitFor(from: Date, to: Date): AuditChartUnit {
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days <= 45) return "day";
  if (days <= 26 * 7) return "week";
  return "month";
}

/** The start of the UTC day / ISO week (Monday) / month holding `at` — what PostgreSQL's date_trunc gives. */
export function truncateUtc(at: Date, unit: AuditChartUnit): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (unit === "day") return day;
  if (unit === "week") return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function nextBucket(start: Date, unit: AuditChartUnit): Date {
  if (unit === "day") return new Date(start.getTime() + DAY_MS);
  if (unit === "week") return new Date(start.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** Every bucket start from the one holding `from` to the one holding `to`, as ISO strings (at most 400). */
export function chartBuckets(from: Date, to: Date, unit: AuditChartUnit): string[] {
  const buckets: string[] = [];
  for (let at = truncateUtc(from, unit); at <= to && buckets.length < 400; at = nextBucket(at, unit)) buckets.push(at.toISOString());
  return buckets;
}

/**
 * "Nice" axis ticks for counts from 0 to `max`: steps of 1, 2 or 5 × 10^n,
 * about `target` of them, the last one at or above `max`.
 */
export function niceTicks(max: number, target = 4): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const rough = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude;
  const whole = Math.max(1, Math.round(step));
  const top = Math.ceil(max / whole) * whole;
  const ticks: number[] = [];
  for (let tick = 0; tick <= top; tick += whole) ticks.push(tick);
  return ticks;
}
