import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ErrorState } from "@/components/error-state";
import { EventFilterForm } from "@/components/events/event-filter-form";
import { EventsTable } from "@/components/events/events-table";
import { FilterChips } from "@/components/events/filter-chips";
import { QuickRangeLinks } from "@/components/events/quick-range-links";
import { permittedKinds, visibleFieldClasses } from "@/lib/access/policy";
import {
  eventListQuerySchema,
  exportQueryToSearchParams,
  filtersToSearchParams,
  listQueryToSearchParams,
  sortKeyOf,
  type RawSearchParams,
} from "@/lib/telemetry/event-query";
import { formatCount } from "@/lib/telemetry/format";
import { compactSearchParams, toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";
import { DEFAULT_EVENT_COLUMNS } from "@/lib/telemetry/event-columns";
import { listEvents } from "@/server/data/list-events";
import { getViewer } from "@/server/data/get-viewer";
import { getEnv } from "@/server/config/env";
import { loadExplorerPage } from "@/server/telemetry/load-explorer-page";
import { loadForPage } from "@/server/http/page-guard";
import { SaveViewForm } from "@/components/views/save-view-form";
import { SavedViewNotice } from "@/components/views/saved-view-notice";
import { openView } from "@/server/data/views/open-view";

export const metadata: Metadata = { title: "Events" };

export default async function EventsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const requested = await searchParams;
  // A saved view (/events?view=<id>): its query fitted to this person's scope (audited as views.open); what was left out is named.
  if (requested.view !== undefined && Object.keys(requested).length > 1) redirect(withQuery("/events", new URLSearchParams({ view: String(requested.view) })));
  const opened = requested.view !== undefined ? await loadForPage(withQuery("/events", compactSearchParams(requested)), () => openView({ id: requested.view })) : null;
  if (opened && !opened.ok) return <SavedViewError error={opened.error} />;
  const raw: RawSearchParams = opened ? opened.value.params : requested;
  // A form submitted without JavaScript sends every blank field: the same view, with a compact URL.
  const compact = compactSearchParams(raw);
  if (!opened && compact.toString() !== toUrlSearchParams(raw).toString()) redirect(withQuery("/events", compact));
  const path = opened ? withQuery("/events", compactSearchParams(requested)) : withQuery("/events", compact);
  const result = await loadExplorerPage(path, () => listEvents(raw));
  // The data layer may be unavailable here too: the page answers 503 with its error state, never Next's error page.
  const viewerResult = await loadForPage(path, () => getViewer());
  if (!viewerResult.ok) return <ErrorState error={viewerResult.error} />;
  const viewer = viewerResult.value;
  const kinds = permittedKinds(viewer.scope);
  const classes = visibleFieldClasses(viewer.scope);
  // The data layer has parsed (and authorized) this query; parsed again here only to build links.
  const parsed = eventListQuerySchema.safeParse(raw);

  return (
    <div className="stack explorer">
      <div className="page-head">
        <div>
          <h1>Events</h1>
          <p className="subtle">Copilot editor telemetry you may see. Times are UTC. Every page you open here is recorded in the audit trail.</p>
        </div>
        <Link className="button button--secondary" href={withQuery("/events/insights", parsed.success ? filtersToSearchParams(parsed.data.filters) : new URLSearchParams())}>
          Charts for these filters
        </Link>
        <Link className="button button--secondary" href="/events/views">
          Saved views
        </Link>
      </div>

      <QuickRangeLinks path="/events" raw={raw} />
      {parsed.success ? <FilterChips path="/events" filters={parsed.data.filters} query={compact.toString()} /> : null}

      <EventFilterForm
        key={toUrlSearchParams(raw).toString()} // uncontrolled fields: remount when a link changes the query
        action="/events"
        values={raw}
        kinds={kinds}
        visibleClasses={classes}
        facets={
          parsed.success
            ? { filterQuery: filtersToSearchParams(parsed.data.filters).toString(), pageQuery: listQueryToSearchParams(parsed.data).toString() }
            : undefined
        }
        columns={
          result.ok
            ? { ...result.value.columns, defaults: DEFAULT_EVENT_COLUMNS.filter((column) => result.value.columns.available.includes(column)) }
            : undefined
        }
      />

      {parsed.success ? (
        <SaveViewForm query={listQueryToSearchParams(parsed.data).toString()} groups={viewer.groups} hasRelativeRange={parsed.data.filters.range !== undefined} />
      ) : null}
      {opened ? <SavedViewNotice view={opened.value.view} notices={opened.value.notices} /> : null}

      {!result.ok || !parsed.success ? (
        result.ok ? null : (
          <>
            <ErrorState error={result.error} />
            <p>
              <Link href="/events">Start again with no filters</Link>
            </p>
          </>
        )
      ) : (
        <section aria-labelledby="results-heading" className="stack">
          <div className="results-bar">
            <h2 id="results-heading">
              {result.value.total.exact ? "" : "About "}
              {formatCount(result.value.total.value)} {result.value.total.value === 1 ? "event" : "events"}
              {result.value.total.exact ? "" : <span className="badge badge--warn estimate">estimate</span>}
            </h2>
            <ExportLink
              href={withQuery("/api/v1/events/export", exportQueryToSearchParams({ ...parsed.data, columns: result.value.columns.selected }))}
              total={result.value.total.value}
              maxRows={getEnv().EXPORT_MAX_ROWS}
            />
          </div>
          {sortKeyOf(parsed.data.sort) !== "time" ? (
            <p className="notice">Sorted by {sortKeyOf(parsed.data.sort)}: only events that carry a {sortKeyOf(parsed.data.sort)} are listed.</p>
          ) : null}
          {result.value.emptyHints ? (
            <div className="notice empty-hints" role="note" aria-label="Why nothing matched">
              <p>Why nothing matched:</p>
              <ul>
                {result.value.emptyHints.map((hint) => (
                  <li key={hint}>{hint}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <EventsTable
            items={result.value.items}
            available={result.value.columns.available}
            selected={result.value.columns.selected}
            sort={parsed.data.sort}
            baseQuery={listQueryToSearchParams(parsed.data).toString()}
          />
          <nav className="pager" aria-label="Pages">
            <span className="subtle">
              {result.value.items.length === 0 ? "No rows" : `${formatCount(result.value.items.length)} rows on this page`}
              {parsed.data.cursor ? " (a later page)" : " (first page)"}
            </span>
            <span className="pager-links">
              {parsed.data.cursor ? (
                <Link className="button button--secondary" href={withQuery("/events", listQueryToSearchParams(parsed.data))}>
                  ⟲ First page
                </Link>
              ) : null}
              {result.value.nextCursor ? (
                <Link className="button" href={withQuery("/events", listQueryToSearchParams(parsed.data, { cursor: result.value.nextCursor }))}>
                  Next page →
                </Link>
              ) : (
                <span className="subtle">End of results</span>
              )}
            </span>
          </nav>
        </section>
      )}
    </div>
  );
}

function ExportLink({ href, total, maxRows }: { href: string; total: number; maxRows: number }) {
  return (
    <div className="export">
      <a className="button button--secondary" href={href} download>
        Export CSV
      </a>
      {total > maxRows ? (
        <p className="hint" role="note">
          The export stops at {formatCount(maxRows)} rows (in the order shown); narrow the filters to export the rest.
        </p>
      ) : null}
    </div>
  );
}

function SavedViewError({ error }: { error: Parameters<typeof ErrorState>[0]["error"] }) {
  return (
    <div className="stack">
      <h1>Events</h1>
      <ErrorState error={error} />
      <p>
        <Link href="/events/views">Saved views</Link> · <Link href="/events">Start again with no filters</Link>
      </p>
    </div>
  );
}
