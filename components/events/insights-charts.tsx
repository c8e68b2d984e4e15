"use client";
// The explorer's charts, drawn with Recharts from numbers the server computed
// in SQL. Each chart has a heading, a one-sentence text summary (also its
// accessible name) and the same numbers as a table behind a disclosure, so
// nothing is conveyed by the drawing alone.
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatCompact, formatCount, formatNumber, formatPercent } from "@/lib/format/number";
import { categoryAxisWidth, niceScale, tickDecimals, truncateLabel } from "@/lib/format/ticks";
import { drillDownHref } from "@/lib/telemetry/drill-down";
import { isChartUnavailable, type EventInsights } from "@/lib/telemetry/event-types";
import { EVENT_KIND_LABELS, EVENT_KINDS, type EventKind } from "@/lib/telemetry/vocabulary";

export const KIND_COLORS: Record<EventKind, string> = {
  error: "#b42318",
  completion_requested: "#1f5fbf",
  completion_shown: "#5b8def",
  completion_redacted: "#8a5a00",
  completion_accepted: "#1a7f37",
  completion_rejected: "#9aa4b2",
  completion_persisted: "#6e40c9",
  other: "#3d4753",
};

const HEIGHT = 260;
const AXIS_TICK = { fontSize: 12, fill: "#5b6673" };

/**
 * A value axis with nice ticks (lib/format/ticks.ts) from 0 to the data's
 * maximum: `ticks`, `domain` and a tick formatter for Recharts. Counts get
 * whole-number steps and short labels (1.5k); ratios are percentages with
 * as many decimals as the step needs (0/10/20/30/40 %, not 0/10/19/28/38 %).
 */
function valueAxis(max: number, kind: "count" | "ratio" | "ms") {
  const scale = niceScale(0, max, kind === "ratio" ? { clamp: [0, 1] } : { integer: true });
  const digits = kind === "ratio" ? tickDecimals(Number((scale.step * 100).toFixed(6))) : 0;
  const format = (value: number) => (kind === "ratio" ? formatPercent(value, digits) : kind === "ms" ? `${formatNumber(value, 0)} ms` : formatCompact(value));
  const width = categoryAxisWidth(scale.ticks.map(format), { min: 40, max: 90 });
  return { ticks: scale.ticks, domain: [scale.min, scale.max] as [number, number], tickFormatter: format, width };
}

/** A category axis as wide as its longest label (within bounds), longer labels shortened with "…" (the table below has them whole). */
function categoryAxis(labels: readonly string[]) {
  const width = categoryAxisWidth(labels, { min: 60, max: 200 });
  return { width, tickFormatter: (label: string) => truncateLabel(String(label), width) };
}

/** Tooltip values in the same formats as the axes. */
const countTooltip = (value: unknown) => (typeof value === "number" ? formatCount(value) : String(value));
const ratioTooltip = (value: unknown) => (typeof value === "number" ? formatPercent(value) : String(value));
const msTooltip = (value: unknown) => (typeof value === "number" ? `${formatNumber(value, 0)} ms` : String(value));

function bucketLabel(iso: string, bucket: EventInsights["bucket"]): string {
  return bucket === "hour" ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

function checkLabel(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${seconds / 60} min`;
}

function ChartCard({ id, title, summary, note, table, children }: { id: string; title: string; summary: string; note?: string; table: ReactNode; children: ReactNode }) {
  return (
    <section className="card chart-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      <p className="subtle chart-summary">{summary}</p>
      {note ? <p className="subtle chart-note">{note}</p> : null}
      <div className="chart" role="img" aria-label={summary}>
        {children}
      </div>
      <details className="chart-data">
        <summary>The numbers as a table</summary>
        <div className="table-wrap">{table}</div>
      </details>
    </section>
  );
}

function Unavailable({ id, title, reason }: { id: string; title: string; reason: string }) {
  return (
    <section className="card chart-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      <p className="notice">{reason}</p>
    </section>
  );
}

function Empty({ id, title }: { id: string; title: string }) {
  return (
    <section className="card chart-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      <p className="empty">No events match these filters.</p>
    </section>
  );
}

function SimpleTable({ head, rows }: { head: string[]; rows: Array<Array<string | number | ReactNode>> }) {
  return (
    <table className="data">
      <thead>
        <tr>
          {head.map((cell, index) => (
            <th key={cell} scope="col" className={index > 0 ? "num" : undefined}>
              {cell}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, rowIndex) => (
          <tr key={rowIndex}>
            {row.map((cell, index) => (
              <td key={index} className={index > 0 ? "num" : undefined}>
                {typeof cell === "number" ? formatCount(cell) : cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VolumeChart({ insights, filterQuery }: { insights: EventInsights; filterQuery?: string }) {
  const router = useRouter();
  const kinds = EVENT_KINDS.filter((kind) => (insights.volume.totals[kind] ?? 0) > 0);
  const title = `Events by kind, per ${insights.bucket}`;
  if (insights.volume.buckets.length === 0) return <Empty id="volume" title={title} />;
  const data = insights.volume.buckets.map(({ bucket, counts }) => ({ label: bucketLabel(bucket, insights.bucket), ...counts }));
  const busiest = insights.volume.buckets.reduce(
    (best, entry) => {
      const total = Object.values(entry.counts).reduce((sum, n) => sum + (n ?? 0), 0);
      return total > best.total ? { bucket: entry.bucket, total } : best;
    },
    { bucket: "", total: 0 },
  );
  const summary = `${formatCount(insights.totalEvents)} events in ${insights.volume.buckets.length} ${insights.bucket}s: ${kinds
    .map((kind) => `${formatCount(insights.volume.totals[kind] ?? 0)} ${EVENT_KIND_LABELS[kind].toLowerCase()}`)
    .join(", ")}. Busiest ${insights.bucket}: ${bucketLabel(busiest.bucket, insights.bucket)} (${formatCount(busiest.total)}).`;
  return (
    <ChartCard
      id="volume"
      title={title}
      summary={summary}
      table={
        <SimpleTable
          head={[insights.bucket === "hour" ? "Hour (UTC)" : "Day (UTC)", ...kinds.map((kind) => EVENT_KIND_LABELS[kind])]}
          rows={insights.volume.buckets.map(({ bucket, counts }) => [
            bucketLabel(bucket, insights.bucket),
            ...kinds.map((kind) =>
              filterQuery !== undefined && (counts[kind] ?? 0) > 0 ? (
                <Link key={kind} href={drillDownHref(filterQuery, bucket, insights, kind)}>
                  {formatCount(counts[kind] ?? 0)}
                </Link>
              ) : (
                (counts[kind] ?? 0)
              ),
            ),
          ])}
        />
      }
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={AXIS_TICK} minTickGap={16} />
          <YAxis tick={AXIS_TICK} {...valueAxis(busiest.total, "count")} />
          <Tooltip formatter={countTooltip} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {kinds.map((kind) => (
            <Bar
              key={kind}
              dataKey={kind}
              name={EVENT_KIND_LABELS[kind]}
              stackId="kinds"
              fill={KIND_COLORS[kind]}
              isAnimationActive={false}
              cursor={filterQuery !== undefined ? "pointer" : undefined}
              onClick={(_, index) => {
                const entry = insights.volume.buckets[index];
                if (filterQuery !== undefined && entry) router.push(drillDownHref(filterQuery, entry.bucket, insights, kind));
              }}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function FunnelChart({ insights }: { insights: EventInsights }) {
  const title = "Completion funnel: requested → shown → accepted";
  const steps = insights.funnel.filter((step): step is { kind: EventKind; count: number } => step.count !== null);
  if (steps.length === 0) return <Unavailable id="funnel" title={title} reason="Completion events are outside your access or the current filter." />;
  // all zero: say so, rather than bars of nothing on a 0–1 axis
  if (steps.every((step) => step.count === 0)) return <Empty id="funnel" title={title} />;
  const base = steps[0]?.count ?? 0;
  const data = steps.map((step) => ({ label: EVENT_KIND_LABELS[step.kind].replace("Completion ", ""), count: step.count, kind: step.kind }));
  const summary = steps
    .map((step, index) => `${formatCount(step.count)} ${EVENT_KIND_LABELS[step.kind].replace("Completion ", "")}${index > 0 && base > 0 ? ` (${formatPercent(step.count / base)} of the first step)` : ""}`)
    .join(" → ");
  return (
    <ChartCard
      id="funnel"
      title={title}
      summary={`${summary}.`}
      table={<SimpleTable head={["Step", "Events", "Share of first step"]} rows={steps.map((step) => [EVENT_KIND_LABELS[step.kind], step.count, base > 0 ? formatPercent(step.count / base) : "—"])} />}
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tick={AXIS_TICK} {...valueAxis(Math.max(...steps.map((step) => step.count)), "count")} width={undefined} />
          <YAxis type="category" dataKey="label" tick={AXIS_TICK} {...categoryAxis(data.map((row) => row.label))} />
          <Tooltip formatter={countTooltip} />
          <Bar dataKey="count" name="Events" fill={KIND_COLORS.completion_shown} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function AcceptanceChart({ insights }: { insights: EventInsights }) {
  const title = `Acceptance rate (accepted ÷ shown), per ${insights.bucket}`;
  if (isChartUnavailable(insights.acceptance)) return <Unavailable id="acceptance" title={title} reason={insights.acceptance.reason} />;
  const points = insights.acceptance.filter((point) => point.rate !== null);
  if (points.length === 0) return <Empty id="acceptance" title={title} />;
  const shown = insights.acceptance.reduce((sum, point) => sum + point.shown, 0);
  const accepted = insights.acceptance.reduce((sum, point) => sum + point.accepted, 0);
  const rates = points.map((point) => point.rate ?? 0);
  const summary = `Overall ${shown > 0 ? formatPercent(accepted / shown) : "—"} of shown suggestions were accepted (${formatCount(accepted)} of ${formatCount(shown)}); per ${insights.bucket} between ${formatPercent(Math.min(...rates))} and ${formatPercent(Math.max(...rates))}.`;
  const data = insights.acceptance.map((point) => ({ label: bucketLabel(point.bucket, insights.bucket), rate: point.rate }));
  return (
    <ChartCard
      id="acceptance"
      title={title}
      summary={summary}
      table={
        <SimpleTable
          head={[insights.bucket === "hour" ? "Hour (UTC)" : "Day (UTC)", "Shown", "Accepted", "Rate"]}
          rows={insights.acceptance.map((point) => [bucketLabel(point.bucket, insights.bucket), point.shown, point.accepted, point.rate === null ? "—" : formatPercent(point.rate)])}
        />
      }
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={AXIS_TICK} minTickGap={16} />
          <YAxis tick={AXIS_TICK} {...valueAxis(Math.max(...rates), "ratio")} />
          <Tooltip formatter={ratioTooltip} />
          <Line type="linear" dataKey="rate" name="Acceptance rate" stroke={KIND_COLORS.completion_accepted} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function LatencyChart({ insights }: { insights: EventInsights }) {
  const relativeError = insights.approximate.latencyRelativeError;
  const approx = relativeError === null ? "" : "≈ ";
  // the title stays the same either way (links and tests name the region by it); the values say "≈"
  const title = `Latency p50 and p95 (ms), per ${insights.bucket}`;
  if (isChartUnavailable(insights.latency)) return <Unavailable id="latency" title={title} reason={insights.latency.reason} />;
  if (insights.latency.length === 0) return <Empty id="latency" title={title} />;
  const count = insights.latency.reduce((sum, point) => sum + point.count, 0);
  const p50s = insights.latency.map((point) => point.p50);
  const p95s = insights.latency.map((point) => point.p95);
  const summary = `${formatCount(count)} timed completions; median latency per ${insights.bucket} between ${approx}${formatNumber(Math.min(...p50s), 0)} and ${approx}${formatNumber(Math.max(...p50s), 0)} ms, p95 between ${approx}${formatNumber(Math.min(...p95s), 0)} and ${approx}${formatNumber(Math.max(...p95s), 0)} ms.`;
  const note =
    relativeError === null
      ? undefined
      : `≈ Approximate: estimated from per-hour latency buckets, within ${formatPercent(relativeError, 0)} of the exact percentile (exact below 20 ms). Filter on a field for exact values.`;
  const data = insights.latency.map((point) => ({ label: bucketLabel(point.bucket, insights.bucket), p50: point.p50, p95: point.p95 }));
  return (
    <ChartCard
      id="latency"
      title={title}
      summary={summary}
      note={note}
      table={
        <SimpleTable
          head={[insights.bucket === "hour" ? "Hour (UTC)" : "Day (UTC)", "Events", `${approx}p50 (ms)`, `${approx}p95 (ms)`]}
          rows={insights.latency.map((point) => [bucketLabel(point.bucket, insights.bucket), point.count, point.p50, point.p95])}
        />
      }
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={AXIS_TICK} minTickGap={16} />
          <YAxis tick={AXIS_TICK} {...valueAxis(Math.max(...p95s, ...p50s), "ms")} />
          <Tooltip formatter={msTooltip} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line type="linear" dataKey="p50" name="p50" stroke="#1f5fbf" strokeWidth={2} dot={false} isAnimationActive={false} />
          <Line type="linear" dataKey="p95" name="p95" stroke="#b42318" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function ErrorsChart({ insights }: { insights: EventInsights }) {
  const title = "Errors by kind";
  if (isChartUnavailable(insights.errors)) return <Unavailable id="errors" title={title} reason={insights.errors.reason} />;
  if (insights.errors.length === 0) return <Empty id="errors" title={title} />;
  const total = insights.errors.reduce((sum, row) => sum + row.count, 0);
  const top = insights.errors[0];
  const summary = `${formatCount(total)} errors of ${insights.errors.length} kinds; most frequent: ${top?.errorKind} (${formatCount(top?.count ?? 0)}, ${formatPercent((top?.count ?? 0) / total)}).`;
  return (
    <ChartCard
      id="errors"
      title={title}
      summary={summary}
      table={<SimpleTable head={["Error kind", "Errors", "Share"]} rows={insights.errors.map((row) => [row.errorKind, row.count, formatPercent(row.count / total)])} />}
    >
      <ResponsiveContainer width="100%" height={Math.max(160, 44 * insights.errors.length + 40)}>
        <BarChart data={insights.errors} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tick={AXIS_TICK} {...valueAxis(Math.max(...insights.errors.map((row) => row.count)), "count")} width={undefined} />
          <YAxis type="category" dataKey="errorKind" tick={AXIS_TICK} {...categoryAxis(insights.errors.map((row) => row.errorKind))} />
          <Tooltip formatter={countTooltip} />
          <Bar dataKey="count" name="Errors" fill={KIND_COLORS.error} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function RedactionChart({ insights }: { insights: EventInsights }) {
  const title = "Redaction rate by AI-safety filter";
  if (isChartUnavailable(insights.redaction)) return <Unavailable id="redaction" title={title} reason={insights.redaction.reason} />;
  const { candidates, filters } = insights.redaction;
  if (filters.length === 0) return <Empty id="redaction" title={title} />;
  const redacted = filters.reduce((sum, row) => sum + row.count, 0);
  const summary = `${formatCount(redacted)} suggestions redacted${candidates > 0 ? ` out of ${formatCount(candidates)} that would have been shown (${formatPercent(redacted / candidates, 2)})` : ""}: ${filters
    .map((row) => `${row.filter} ${formatCount(row.count)}${row.rate !== null ? ` (${formatPercent(row.rate, 2)})` : ""}`)
    .join(", ")}.`;
  const data = filters.map((row) => ({ filter: row.filter, rate: row.rate ?? 0, count: row.count }));
  return (
    <ChartCard
      id="redaction"
      title={title}
      summary={summary}
      table={
        <SimpleTable
          head={["Filter", "Redacted", "Rate"]}
          rows={filters.map((row) => [row.filter, row.count, row.rate === null ? "—" : formatPercent(row.rate, 2)])}
        />
      }
    >
      <ResponsiveContainer width="100%" height={Math.max(160, 44 * filters.length + 40)}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis
            type="number"
            tick={AXIS_TICK}
            {...valueAxis(Math.max(...data.map((row) => (candidates > 0 ? row.rate : row.count))), candidates > 0 ? "ratio" : "count")}
            width={undefined}
          />
          <YAxis type="category" dataKey="filter" tick={AXIS_TICK} {...categoryAxis(data.map((row) => row.filter))} />
          <Tooltip formatter={(value) => (typeof value === "number" ? (candidates > 0 ? formatPercent(value, 2) : formatCount(value)) : String(value))} />
          <Bar dataKey={candidates > 0 ? "rate" : "count"} name={candidates > 0 ? "Redaction rate" : "Redacted"} fill={KIND_COLORS.completion_redacted} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function PersistenceChart({ insights }: { insights: EventInsights }) {
  const title = "How much of accepted suggestions persists, by check interval";
  if (isChartUnavailable(insights.persistence)) return <Unavailable id="persistence" title={title} reason={insights.persistence.reason} />;
  if (insights.persistence.length === 0) return <Empty id="persistence" title={title} />;
  const first = insights.persistence[0];
  const last = insights.persistence.at(-1);
  const summary = `On average ${formatPercent(first?.meanRatio ?? 0)} of an accepted suggestion is still in the code after ${checkLabel(first?.checkSec ?? 0)}, ${formatPercent(last?.meanRatio ?? 0)} after ${checkLabel(last?.checkSec ?? 0)}; ${formatPercent(last?.fullyPersistedShare ?? 0)} are fully intact at the last check.`;
  const data = insights.persistence.map((row) => ({ label: checkLabel(row.checkSec), mean: row.meanRatio, full: row.fullyPersistedShare }));
  const medianError = insights.approximate.persistenceMedianError;
  const note =
    medianError === null
      ? undefined
      : `≈ The median is estimated from per-hour ratio buckets, within ${formatNumber(medianError * 100, 0)} percentage point of the exact median; the mean and the fully intact share (≥ 99.9 %) are exact.`;
  return (
    <ChartCard
      id="persistence"
      title={title}
      summary={summary}
      note={note}
      table={
        <SimpleTable
          head={["Checked after", "Checks", "Mean persisted", medianError === null ? "Median persisted" : "≈ Median persisted", "Fully intact"]}
          rows={insights.persistence.map((row) => [checkLabel(row.checkSec), row.count, formatPercent(row.meanRatio), formatPercent(row.medianRatio), formatPercent(row.fullyPersistedShare)])}
        />
      }
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={AXIS_TICK} />
          <YAxis tick={AXIS_TICK} {...valueAxis(1, "ratio")} />
          <Tooltip formatter={ratioTooltip} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="mean" name="Mean share persisted" fill={KIND_COLORS.completion_persisted} isAnimationActive={false} />
          <Bar dataKey="full" name="Fully intact" fill="#b8a4e3" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/**
 * `filterQuery`: the charts' filters as a query string; with it, the volume
 * chart's bars and its table's counts drill down to the events they count.
 */
export function InsightsCharts({ insights, filterQuery }: { insights: EventInsights; filterQuery?: string }) {
  return (
    <div className="charts-grid">
      <VolumeChart insights={insights} filterQuery={filterQuery} />
      <FunnelChart insights={insights} />
      <AcceptanceChart insights={insights} />
      <LatencyChart insights={insights} />
      <ErrorsChart insights={insights} />
      <RedactionChart insights={insights} />
      <PersistenceChart insights={insights} />
    </div>
  );
}
