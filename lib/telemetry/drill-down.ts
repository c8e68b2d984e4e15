// Where a chart's bar leads: the events list of that bucket and kind.
import type { EventInsights } from "./event-types";
import type { EventKind } from "./vocabulary";

/**
 * The events list of one bucket and kind, under the charts' other filters.
 * The bucket is clamped to the charted window: the first and last buckets of
 * a relative range are partial (a 7-day range starts mid-day), and the list
 * must count what the bar counted, not the whole day.
 */
export function drillDownHref(filterQuery: string, bucket: string, insights: Pick<EventInsights, "bucket" | "from" | "to">, kind: EventKind): string {
  const params = new URLSearchParams(filterQuery);
  const bucketStart = new Date(bucket).getTime();
  const bucketEnd = bucketStart + (insights.bucket === "hour" ? 3_600_000 : 86_400_000);
  const start = new Date(insights.from === null ? bucketStart : Math.max(bucketStart, new Date(insights.from).getTime()));
  const end = new Date(insights.to === null ? bucketEnd : Math.min(bucketEnd, new Date(insights.to).getTime()));
  params.delete("range");
  params.delete("kind");
  params.set("from", start.toISOString());
  params.set("to", end.toISOString());
  params.append("kind", kind);
  return `/events?${params.toString()}`;
}
