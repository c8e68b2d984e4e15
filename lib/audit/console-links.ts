// Links the audit console builds from its current query: toggling a facet
// value, showing or hiding routine rows, drilling down from a chart. Every
// link starts again from the first page (no cursor). Safe on both sides.
import { AUDIT_CHART_METRIC_SPECS, nextBucket, type AuditChartMetric, type AuditChartUnit } from "./chart-metrics";
import { ANONYMOUS_ACTOR } from "./audit-query";

export const AUDIT_PATH = "/audit";

function href(params: URLSearchParams): string {
  params.delete("cursor");
  const query = params.toString();
  return query ? `${AUDIT_PATH}?${query}` : AUDIT_PATH;
}

/** Whether `value` is among the picks of `key`. */
export function isPicked(params: URLSearchParams, key: string, value: string): boolean {
  return params.getAll(key).includes(value);
}

/** Adds `value` to the picks of `key`, or removes it when already picked (multi-select: picks of one key are ORed). */
export function toggleHref(current: URLSearchParams, key: string, value: string): string {
  const params = new URLSearchParams(current);
  const picks = params.getAll(key);
  params.delete(key);
  const next = picks.includes(value) ? picks.filter((pick) => pick !== value) : [...picks, value];
  for (const pick of next) params.append(key, pick);
  return href(params);
}

/** The facet key of an actor as a filter: a person id or "anonymous" → `person`; an unlisted email → `actor` (email contains). */
export function actorFilter(key: string): { param: "person" | "actor"; value: string } {
  if (key.startsWith("email:")) return { param: "actor", value: key.slice("email:".length) };
  return { param: "person", value: key };
}

export function actorToggleHref(current: URLSearchParams, key: string): string {
  const { param, value } = actorFilter(key);
  if (param === "person") return toggleHref(current, "person", value);
  const params = new URLSearchParams(current);
  if (params.get("actor") === value) params.delete("actor");
  else params.set("actor", value);
  return href(params);
}

export function isActorPicked(current: URLSearchParams, key: string): boolean {
  const { param, value } = actorFilter(key);
  return param === "person" ? isPicked(current, "person", value) : current.get("actor") === value;
}

/** Routine rows shown or hidden (the default), everything else kept. */
export function routineHref(current: URLSearchParams, show: boolean): string {
  const params = new URLSearchParams(current);
  params.delete("routine");
  if (show) params.set("routine", "show");
  return href(params);
}

/** The filters without any pick of `key` ("Any"). */
export function clearHref(current: URLSearchParams, ...keys: string[]): string {
  const params = new URLSearchParams(current);
  for (const key of keys) params.delete(key);
  return href(params);
}

/**
 * A chart's drill-down: the current filters, the metric's own action/outcome
 * instead of any picked, optionally one person (null: everyone) and one bucket.
 */
export function chartDrillHref(
  current: URLSearchParams,
  metric: AuditChartMetric,
  options: { person?: string | null; within?: { from: string; to: string }; bucket?: { start: string; unit: AuditChartUnit } } = {},
): string {
  const params = new URLSearchParams(current);
  const spec = AUDIT_CHART_METRIC_SPECS[metric];
  for (const key of ["action", "outcome", "sort"]) params.delete(key);
  for (const action of spec.actions ?? []) params.append("action", action);
  for (const outcome of spec.outcomes) params.append("outcome", outcome);
  if (options.person) {
    const { param, value } = actorFilter(options.person);
    params.delete(param);
    params.set(param, value);
  }
  // the chart's range, or one bucket of it (the first and last buckets may start before or end after the range: cut to it)
  const { within, bucket } = options;
  let start = within ? new Date(within.from).getTime() : null;
  let end = within ? new Date(within.to).getTime() : null;
  if (bucket) {
    const bucketStart = new Date(bucket.start).getTime();
    const bucketEnd = nextBucket(new Date(bucket.start), bucket.unit).getTime() - 1;
    start = start === null ? bucketStart : Math.max(start, bucketStart);
    end = end === null ? bucketEnd : Math.min(end, bucketEnd);
  }
  if (start !== null) params.set("from", new Date(start).toISOString());
  if (end !== null) params.set("to", new Date(end).toISOString());
  return href(params);
}

export { ANONYMOUS_ACTOR };
