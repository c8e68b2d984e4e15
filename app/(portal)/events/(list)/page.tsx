import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ErrorState } from "@/components/error-state";
import { EventFilterForm } from "@/components/events/event-filter-form";
import { EventSidePanel } from "@/components/events/event-side-panel";
import { ExplorerKeys } from "@/components/events/explorer-keys";
import { EventsTable } from "@/components/events/events-table";
import { FilterChips } from "@/components/events/filter-chips";
import { Histogram } from "@/components/events/histogram";
import { QuickRangeLinks } from "@/components/events/quick-range-links";
import { permittedKinds, visibleFieldClasses } from "@/lib/access/policy";
import {
  eventListQuerySchema,
  exportQueryToSearchParams,
  filtersToSearchParams,
  listQueryToSearchParams,
  sortKeyOf,
  type EventListQuery,
  type RawSearchParams,
} from "@/lib/telemetry/event-query";
import type { EventListResult } from "@/lib/telemetry/event-types";
import { formatCount } from "@/lib/telemetry/format";
import { compactSearchParams, toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";
import { OPEN_PARAM, pagePosition, panelNeighbours, splitPanelParams } from "@/lib/telemetry/side-panel";
import { listEvents, listEventsWithHistogram } from "@/server/data/list-events";
import { getViewer } from "@/server/data/get-viewer";
import { getEnv } from "@/server/config/env";
import { loadExplorerPage } from "@/server/telemetry/load-explorer-page";
import { loadSidePanelEvent } from "@/server/telemetry/load-side-panel";
import "../explorer-ui.css";
import { loadForPage, type PageResult } from "@/server/http/page-guard";
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
  // `open=<id>`: the side panel (not a list parameter); the list's own parameters go to the data layer.
  const { list: listRaw, open } = splitPanelParams(raw);
  const listQuery = compactSearchParams(listRaw);
  const listHref = withQuery("/events", listQuery);
  // A first page reads its histogram with the list, in one audited transaction; a later page or an
  // opened panel keeps the histogram already drawn for these filters (the client fetches it if it has none).
  const withHistogram = listRaw.cursor === undefined && open === null;
  const loaded = await loadExplorerPage(path, async () =>
    withHistogram ? listEventsWithHistogram(listRaw) : { list: await listEvents(listRaw), histogram: null },
  );
  const result: PageResult<EventListResult> = loaded.ok ? { ok: true, value: loaded.value.list } : loaded;
  const histogram = loaded.ok ? loaded.value.histogram : null;
  // The data layer may be unavailable here too: the page answers 503 with its error state, never Next's error page.
  const viewerResult = await loadForPage(path, () => getViewer());
  if (!viewerResult.ok) return <ErrorState error={viewerResult.error} />;
  const viewer = viewerResult.value;
  const kinds = permittedKinds(viewer.scope);
  const classes = visibleFieldClasses(viewer.scope);
  // The data layer has parsed (and authorized) this query; parsed again here only to build links.
  const parsed = eventListQuerySchema.safeParse(listRaw);
  const panel = result.ok && parsed.success && open ? await sidePanel(path, open, listQuery.toString(), result.value, parsed.data) : null;

  return (
    <div className={`stack explorer${panel ? " explorer--with-panel" : ""}`}>
      <a className="skip-link skip-link--inline" href="#results">
        Skip to results
      </a>
      <ExplorerKeys closeHref={panel ? listHref : null} openId={panel?.openId ?? null} />
      <div className="page-head">
        <div>
          <h1>Events</h1>
          <p className="subtle">Copilot editor telemetry you may see. Times are UTC. Every page you open here is recorded in the audit trail.</p>
        </div>
        <div className="page-head__actions">
          <Link className="button button--secondary" href={withQuery("/events/insights", parsed.success ? filtersToSearchParams(parsed.data.filters) : new URLSearchParams())}>
            Charts for these filters
          </Link>
          <Link className="button button--secondary" href="/events/views">
            Saved views
          </Link>
        </div>
      </div>

      <QuickRangeLinks path="/events" raw={raw} />
      {parsed.success ? <FilterChips path="/events" filters={parsed.data.filters} query={compact.toString()} /> : null}

      <EventFilterForm
        key={listQuery.toString()} // uncontrolled fields: remount when a link changes the query
        action="/events"
        values={listRaw}
        kinds={kinds}
        visibleClasses={classes}
        facets={
          parsed.success
            ? { filterQuery: filtersToSearchParams(parsed.data.filters).toString(), pageQuery: listQueryToSearchParams(parsed.data).toString() }
            : undefined
        }
        columns={result.ok ? result.value.columns : undefined}
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
        <section aria-labelledby="results-heading" className="stack" id="results" tabIndex={-1}>
          <Histogram
            action="/events"
            filterQuery={filtersToSearchParams(parsed.data.filters).toString()}
            pageQuery={listQueryToSearchParams(parsed.data).toString()}
            initial={histogram}
          />
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
              isEmpty={result.value.items.length === 0 && !parsed.data.cursor}
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
            listQuery={listQuery.toString()}
            openId={panel?.openId ?? null}
          />
          <nav className="pager" aria-label="Pages">
            <span className="subtle" id="results-position" aria-live="polite">
              {positionText(result.value.offset, result.value.items.length, result.value.total, Boolean(parsed.data.cursor))}
            </span>
            <span className="pager-links">
              {parsed.data.cursor && (result.value.offset === null || result.value.offset > parsed.data.limit) ? (
                <Link className="button button--secondary" href={withQuery("/events", listQueryToSearchParams(parsed.data))}>
                  ⟲ First page
                </Link>
              ) : null}
              {result.value.prevCursor ? (
                <Link className="button button--secondary" rel="prev" href={withQuery("/events", listQueryToSearchParams(parsed.data, { cursor: result.value.prevCursor }))}>
                  ← Previous page
                </Link>
              ) : null}
              {result.value.nextCursor ? (
                <Link className="button" rel="next" href={withQuery("/events", listQueryToSearchParams(parsed.data, { cursor: result.value.nextCursor }))}>
                  Next page →
                </Link>
              ) : (
                <span className="subtle">End of results</span>
              )}
            </span>
          </nav>
        </section>
      )}
      {panel ? (
        panel.loaded.ok ? (
          <EventSidePanel
            result={panel.loaded.value}
            openId={panel.openId}
            closeHref={listHref}
            previousHref={panel.neighbours.previous}
            nextHref={panel.neighbours.next}
            position={panel.neighbours.index !== null ? `Event ${panel.neighbours.index} of ${result.ok ? result.value.items.length : 0} on this page` : null}
          />
        ) : (
          <aside className="side-panel" aria-label="Event">
            <p>
              <Link href={listHref}>✕ Close</Link>
            </p>
            <ErrorState error={panel.loaded.error} />
          </aside>
        )
      ) : null}
    </div>
  );
}

/** "Rows 51–100 of about 20,000", or without a known position "50 rows on this page (a later page)". */
function positionText(offset: number | null, rowCount: number, total: EventListResult["total"], isLaterPage: boolean): string {
  if (rowCount === 0) return "No rows";
  const position = pagePosition(offset, rowCount);
  if (position) return `${position} of ${total.exact ? "" : "about "}${formatCount(total.value)}`;
  return `${formatCount(rowCount)} rows on this page${isLaterPage ? " (a later page)" : " (first page)"}`;
}

/** The side panel: the event asked for (the page's first or last row for `first`/`last`), loaded through the audited event call, and its neighbours. */
async function sidePanel(
  path: string,
  open: NonNullable<ReturnType<typeof splitPanelParams>["open"]>,
  listQuery: string,
  list: EventListResult,
  query: EventListQuery,
) {
  const ids = list.items.map((item) => item.id);
  if (open.kind === "invalid") {
    const missing = `${OPEN_PARAM}: give one event id.`;
    return { openId: "", neighbours: { index: null, previous: null, next: null }, loaded: { ok: true as const, value: { missing } } };
  }
  const openId = open.kind === "id" ? open.id : open.kind === "first" ? ids[0] : open.kind === "last" ? ids.at(-1) : undefined;
  if (!openId) return null;
  const pageQuery = (cursor: string | null) => (cursor ? listQueryToSearchParams(query, { cursor }).toString() : null);
  const neighbours = panelNeighbours(ids, openId, listQuery, { previousPageQuery: pageQuery(list.prevCursor), nextPageQuery: pageQuery(list.nextCursor) });
  const loaded = await loadSidePanelEvent(path, openId);
  return { openId, neighbours, loaded };
}


/** Export CSV; with nothing to export (no row on the first page), shown disabled with the reason instead of a link to a header-only file. */
function ExportLink({ href, total, maxRows, isEmpty }: { href: string; total: number; maxRows: number; isEmpty: boolean }) {
  if (isEmpty) {
    return (
      <div className="export">
        {/* aria-disabled, not disabled: it stays focusable, so the reason is found by keyboard and screen reader */}
        <button type="button" className="button button--secondary" aria-disabled="true" aria-describedby="export-none">
          Export CSV
        </button>
        <p className="hint" id="export-none">
          Nothing to export: no events match these filters.
        </p>
      </div>
    );
  }
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
