import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ErrorState } from "@/components/error-state";
import { EventFilterForm } from "@/components/events/event-filter-form";
import { FilterChips } from "@/components/events/filter-chips";
import { InsightsCharts } from "@/components/events/insights-charts";
import { QuickRangeLinks } from "@/components/events/quick-range-links";
import { permittedKinds, visibleFieldClasses } from "@/lib/access/policy";
import { eventFilterQuerySchema, filtersToSearchParams, type RawSearchParams } from "@/lib/telemetry/event-query";
import { formatCount, formatUtc } from "@/lib/telemetry/format";
import { compactSearchParams, toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";
import { EVENT_KIND_LABELS } from "@/lib/telemetry/vocabulary";
import { getEventInsights } from "@/server/data/event-insights";
import { getViewer } from "@/server/data/get-viewer";
import { loadForPage } from "@/server/http/page-guard";
import { loadExplorerPage } from "@/server/telemetry/load-explorer-page";

export const metadata: Metadata = { title: "Event charts" };

export default async function InsightsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const raw = await searchParams;
  // A form submitted without JavaScript sends every blank field: the same view, with a compact URL.
  const query = compactSearchParams(raw);
  if (query.toString() !== toUrlSearchParams(raw).toString()) redirect(withQuery("/events/insights", query));
  const result = await loadExplorerPage(withQuery("/events/insights", query), () => getEventInsights(raw));
  // The data layer may be unavailable here too: the page answers 503 with its error state, never Next's error page.
  const viewerResult = await loadForPage(withQuery("/events/insights", query), () => getViewer());
  if (!viewerResult.ok) return <ErrorState error={viewerResult.error} />;
  const viewer = viewerResult.value;
  const parsed = eventFilterQuerySchema.safeParse(raw);
  const filterQuery = parsed.success ? filtersToSearchParams(parsed.data.filters).toString() : null;

  return (
    <div className="stack explorer">
      <div className="page-head">
        <div>
          <h1>Event charts</h1>
          <p className="subtle">
            Computed from the events you may see that match the filters. Times are UTC. Viewing these charts is recorded in the audit trail.
          </p>
        </div>
        <Link className="button button--secondary" href={withQuery("/events", query)}>
          List these events
        </Link>
      </div>

      <QuickRangeLinks path="/events/insights" raw={raw} />
      {parsed.success ? <FilterChips path="/events/insights" filters={parsed.data.filters} query={query.toString()} /> : null}
      <EventFilterForm
        key={query.toString()}
        action="/events/insights"
        values={raw}
        kinds={permittedKinds(viewer.scope)}
        visibleClasses={visibleFieldClasses(viewer.scope)}
        facets={filterQuery !== null ? { filterQuery, pageQuery: filterQuery } : undefined}
      />

      {result.ok ? (
        <>
          <p className="subtle">
            {formatCount(result.value.totalEvents)} events
            {result.value.from ? ` from ${formatUtc(result.value.from, false)}` : ""}
            {result.value.to ? ` to ${formatUtc(result.value.to, false)}` : ""}, in {result.value.bucket === "hour" ? "hourly" : "daily"} buckets. Kinds:{" "}
            {result.value.kinds.length > 0 ? result.value.kinds.map((kind) => EVENT_KIND_LABELS[kind]).join(", ") : "none"}.
          </p>
          {result.value.totalEvents === 0 ? (
            <div className="notice" role="note" aria-label="No matching events">
              <p>No events match these filters, so every chart below is empty.</p>
              <p>
                Widen the time range or remove a filter{query.size > 0 ? <>, or <Link href="/events/insights">start again with no filters</Link></> : null}.
              </p>
            </div>
          ) : null}
          <InsightsCharts insights={result.value} filterQuery={filterQuery ?? ""} />
        </>
      ) : (
        <>
          <ErrorState error={result.error} />
          <p>
            <Link href="/events/insights">Start again with no filters</Link>
          </p>
        </>
      )}
    </div>
  );
}
