"use client";
// The histogram above the events table: events per time bucket, stacked by
// kind, for the current filters over the whole time range (one audited GET
// /api/v1/events/histogram, counted from the per-hour rollups where it can).
// Dragging across it, or choosing buckets with the keyboard, narrows the
// page's time range to them (from/to in the URL; the rest of the view kept).
// The drawing has a text summary and a live description of the selection, so
// nothing is conveyed by the bars alone.
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useState, type KeyboardEvent, type PointerEvent } from "react";
import { KIND_COLORS } from "@/components/events/insights-charts";
import { announceNavigation } from "@/components/portal-main";
import { formatCount, formatUtc } from "@/lib/telemetry/format";
import { formatBucketWidth, type EventHistogram } from "@/lib/telemetry/histogram";
import { withQuery } from "@/lib/telemetry/search-params";
import { EVENT_KIND_LABELS, EVENT_KINDS } from "@/lib/telemetry/vocabulary";

export type HistogramProps = {
  /** the current filters as a query string (what the bars count) */
  filterQuery: string;
  /** the page's current query: the brush sets from/to in it */
  pageQuery: string;
  /** the page the brush navigates (/events) */
  action: string;
  /**
   * The histogram of these filters as the page read it with its list (one
   * audited transaction), or null: then the one already drawn for the same
   * filters stays (a later page, an opened panel), or it is fetched.
   */
  initial?: EventHistogram | null;
};

type State = { status: "loading" } | { status: "loaded"; histogram: EventHistogram } | { status: "failed"; message: string };
/** What was fetched, and for which filters (another query shows as loading until its answer arrives). */
type Fetched = { query: string; state: State } | null;
type Selection = { anchor: number; focus: number } | null;

const WIDTH = 1000;
const HEIGHT = 140;
const AXIS = 18;

const minute = (iso: string) => formatUtc(iso, false).slice(0, 16);

export function Histogram({ filterQuery, pageQuery, action, initial = null }: HistogramProps) {
  const router = useRouter();
  const [fetched, setFetched] = useState<Fetched>(initial ? { query: filterQuery, state: { status: "loaded", histogram: initial } } : null);
  // A new page render brought this query's histogram: keep it (state adjusted during render: React renders
  // again at once, before committing, so what follows always sees it).
  if (initial && (fetched?.query !== filterQuery || fetched.state.status !== "loaded" || fetched.state.histogram !== initial)) {
    setFetched({ query: filterQuery, state: { status: "loaded", histogram: initial } });
  }
  const state: State = fetched?.query === filterQuery ? fetched.state : { status: "loading" };
  const needsFetch = fetched?.query !== filterQuery;
  const [chosen, setSelection] = useState<{ query: string; selection: Selection }>({ query: filterQuery, selection: null });
  const selection = chosen.query === filterQuery ? chosen.selection : null;
  const [dragging, setDragging] = useState(false);
  const headingId = useId();
  const summaryId = useId();

  useEffect(() => {
    if (!needsFetch) return;
    let cancelled = false;
    const setState = (next: State) => setFetched({ query: filterQuery, state: next });
    fetch(withQuery("/api/v1/events/histogram", new URLSearchParams(filterQuery)), { headers: { accept: "application/json" } })
      .then(async (response) => {
        const body = (await response.json()) as EventHistogram & { error?: { message?: string } };
        if (cancelled) return;
        if (!response.ok) setState({ status: "failed", message: body.error?.message ?? `The histogram could not be drawn (${response.status}).` });
        else setState({ status: "loaded", histogram: body });
      })
      .catch(() => {
        if (!cancelled) setState({ status: "failed", message: "The histogram could not be drawn: the portal did not answer." });
      });
    return () => {
      cancelled = true;
    };
  }, [filterQuery, needsFetch]);

  const histogram = state.status === "loaded" ? state.histogram : null;
  const buckets = useMemo(() => histogram?.buckets ?? [], [histogram]);
  const kinds = useMemo(() => EVENT_KINDS.filter((kind) => buckets.some((bucket) => (bucket.counts[kind] ?? 0) > 0)), [buckets]);
  const max = Math.max(1, ...buckets.map((bucket) => bucket.total));
  const barWidth = buckets.length > 0 ? WIDTH / buckets.length : WIDTH;

  const range = selection ? [Math.min(selection.anchor, selection.focus), Math.max(selection.anchor, selection.focus)] : null;
  const rangeTimes = (first: number, last: number) => {
    if (!histogram?.from || histogram.bucketSeconds === null) return null;
    const start = new Date(buckets[first]!.start);
    const end = new Date(Math.min(new Date(buckets[last]!.start).getTime() + histogram.bucketSeconds * 1000, new Date(histogram.to).getTime()));
    const from = new Date(Math.max(start.getTime(), new Date(histogram.from).getTime()));
    return { from, to: end };
  };
  const selected = range ? rangeTimes(range[0]!, range[1]!) : null;
  const selectedCount = range ? buckets.slice(range[0], range[1]! + 1).reduce((sum, bucket) => sum + bucket.total, 0) : 0;

  const narrow = (first: number, last: number) => {
    const times = rangeTimes(first, last);
    if (!times) return;
    const params = new URLSearchParams(pageQuery);
    params.delete("range");
    params.delete("cursor");
    params.set("from", times.from.toISOString());
    params.set("to", times.to.toISOString());
    announceNavigation("Loading events…");
    router.push(withQuery(action, params));
  };

  const indexAt = (event: PointerEvent<SVGSVGElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const x = ((event.clientX - box.left) / Math.max(1, box.width)) * WIDTH;
    return Math.min(buckets.length - 1, Math.max(0, Math.floor(x / barWidth)));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (buckets.length === 0) return;
    const last = buckets.length - 1;
    const current = selection ?? { anchor: last, focus: last };
    const step = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
    if (step !== 0 || event.key === "Home" || event.key === "End") {
      event.preventDefault();
      const focus = event.key === "Home" ? 0 : event.key === "End" ? last : Math.min(last, Math.max(0, (selection ? current.focus : last + (step > 0 ? -1 : 1)) + step));
      setSelection({ query: filterQuery, selection: event.shiftKey && selection ? { anchor: current.anchor, focus } : { anchor: focus, focus } });
    } else if (event.key === "Enter" && range) {
      event.preventDefault();
      narrow(range[0]!, range[1]!);
    } else if (event.key === "Escape") {
      setSelection({ query: filterQuery, selection: null });
    }
  };

  return (
    <section className="histogram" aria-labelledby={headingId}>
      <div className="histogram-head">
        <h2 id={headingId} className="histogram-title">
          Events over time
        </h2>
        {histogram?.from && histogram.bucketSeconds !== null ? (
          <p id={summaryId} className="subtle">
            {formatCount(histogram.total)} {histogram.total === 1 ? "event" : "events"} from {minute(histogram.from)} to {minute(histogram.to)} UTC, per{" "}
            {formatBucketWidth(histogram.bucketSeconds)}.
          </p>
        ) : null}
      </div>
      {state.status === "loading" ? (
        <div className="histogram-placeholder" role="status">
          Counting events over the whole time range…
        </div>
      ) : state.status === "failed" ? (
        <p className="notice" role="note">
          {state.message}
        </p>
      ) : histogram && histogram.total === 0 ? (
        <div className="histogram-placeholder histogram-empty" role="status">
          <p>{histogram.from === null ? "No events match these filters at any time, so there is nothing to draw." : "No events in this time range for these filters."}</p>
          <p className="subtle">{histogram.from === null ? "Remove a filter, or check a value's spelling." : "Widen the time range, or remove a filter."}</p>
        </div>
      ) : (
        <>
          <div
            className="histogram-plot"
            tabIndex={0}
            role="group"
            aria-roledescription="histogram"
            aria-label="Events over time. Left and Right choose a bucket, Shift extends the choice, Enter narrows the time range to it, Escape clears it. Dragging does the same."
            aria-describedby={summaryId}
            onKeyDown={onKeyDown}
          >
            <svg
              viewBox={`0 0 ${WIDTH} ${HEIGHT + AXIS}`}
              preserveAspectRatio="none"
              width="100%"
              height={HEIGHT + AXIS}
              aria-hidden="true"
              onPointerDown={(event) => {
                event.currentTarget.setPointerCapture(event.pointerId);
                const index = indexAt(event);
                setSelection({ query: filterQuery, selection: { anchor: index, focus: index } });
                setDragging(true);
              }}
              onPointerMove={(event) => {
                if (!dragging) return;
                const index = indexAt(event);
                setSelection({ query: filterQuery, selection: selection ? { ...selection, focus: index } : { anchor: index, focus: index } });
              }}
              onPointerUp={(event) => {
                if (!dragging) return;
                setDragging(false);
                const index = indexAt(event);
                const anchor = selection?.anchor ?? index;
                narrow(Math.min(anchor, index), Math.max(anchor, index));
              }}
            >
              {range ? <rect className="histogram-selection" x={range[0]! * barWidth} y={0} width={(range[1]! - range[0]! + 1) * barWidth} height={HEIGHT} /> : null}
              {buckets.map((bucket, index) => {
                let y = HEIGHT;
                return (
                  <g key={bucket.start} data-bucket={bucket.start}>
                    {kinds.map((kind) => {
                      const count = bucket.counts[kind] ?? 0;
                      if (count === 0) return null;
                      const height = (count / max) * (HEIGHT - 4);
                      y -= height;
                      return <rect key={kind} x={index * barWidth + barWidth * 0.08} width={Math.max(0.5, barWidth * 0.84)} y={y} height={height} fill={KIND_COLORS[kind]} />;
                    })}
                  </g>
                );
              })}
              <line x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} className="histogram-axis" />
            </svg>
            <div className="histogram-ticks subtle" aria-hidden="true">
              <span>{minute(histogram!.from!)}</span>
              <span>max {formatCount(max)} per bucket</span>
              <span>{minute(histogram!.to)}</span>
            </div>
          </div>
          <p className="histogram-selection-text subtle" aria-live="polite">
            {selected
              ? `Selected ${minute(selected.from.toISOString())} – ${minute(selected.to.toISOString())} UTC: ${formatCount(selectedCount)} events. Press Enter to show them.`
              : "Drag across the bars, or focus them and use the arrow keys, to narrow the time range."}
          </p>
          <ul className="histogram-legend" aria-label="Kinds">
            {kinds.map((kind) => (
              <li key={kind}>
                <span className="histogram-swatch" style={{ background: KIND_COLORS[kind] }} aria-hidden="true" />
                {EVENT_KIND_LABELS[kind]} ({formatCount(buckets.reduce((sum, bucket) => sum + (bucket.counts[kind] ?? 0), 0))})
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
