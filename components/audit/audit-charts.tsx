// Reveals, exports and denials per person over time, drawn as plain SVG from
// the numbers the data layer counted in SQL (server/data/audit/audit-overview.ts).
// Each column is stacked by person (the busiest five, then everyone else);
// every part of it, every legend entry and every row of the table behind the
// disclosure links to the audit rows it counts. The drawing is not the only
// way in: each chart has a one-sentence summary and the same numbers, with
// the same links, as a table.
import Link from "next/link";
import { AUDIT_CHART_METRIC_SPECS, niceTicks, type AuditChartUnit } from "@/lib/audit/chart-metrics";
import { chartDrillHref } from "@/lib/audit/console-links";
import { actorLabel } from "@/lib/audit/labels";
import { formatCount } from "@/lib/telemetry/format";
import type { AuditCharts as AuditChartsDto, AuditChartSeries, ChartPerson } from "@/server/data/audit/audit-overview";

/** Okabe–Ito: tells the five people apart for most forms of colour blindness; others in grey. */
const PERSON_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"] as const;
const OTHERS_COLOR = "#9aa4b2";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const WIDTH = 420;
const HEIGHT = 200;
const MARGIN = { top: 10, right: 22, bottom: 26, left: 40 };

export function bucketText(iso: string, unit: AuditChartUnit): string {
  const date = new Date(iso);
  const month = MONTHS[date.getUTCMonth()];
  if (unit === "month") return `${month} ${date.getUTCFullYear()}`;
  return `${month} ${date.getUTCDate()}`;
}

function rangeText(from: string, to: string): string {
  const day = (iso: string) => {
    const date = new Date(iso);
    return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
  };
  return `${day(from)} – ${day(to)}`;
}

function personName(person: ChartPerson): string {
  return person.name ? `${person.name} (${person.email ?? person.key})` : actorLabel(person);
}

function Chart({ series, charts, params }: { series: AuditChartSeries; charts: AuditChartsDto; params: URLSearchParams }) {
  const spec = AUDIT_CHART_METRIC_SPECS[series.metric];
  const within = { from: charts.from, to: charts.to };
  const keys = [...series.people.map((person) => person.key), ""];
  const colorOf = (key: string) => (key === "" ? OTHERS_COLOR : (PERSON_COLORS[series.people.findIndex((person) => person.key === key)] ?? OTHERS_COLOR));
  const nameOf = (key: string) => {
    const person = series.people.find((one) => one.key === key);
    return person ? personName(person) : "everyone else";
  };
  const totals = series.counts.map((counts) => Object.values(counts).reduce((sum, n) => sum + n, 0));
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks.at(-1) ?? 1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const band = plotWidth / Math.max(1, charts.buckets.length);
  const barWidth = Math.max(2, Math.min(28, band * 0.72));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const labelEvery = Math.max(1, Math.ceil(charts.buckets.length / 6));
  const [singular, plural] = spec.noun;
  const people = series.people.length + (series.others > 0 ? 1 : 0);
  const summary =
    series.total === 0
      ? `No ${plural} ${rangeText(charts.from, charts.to)}.`
      : `${formatCount(series.total)} ${series.total === 1 ? singular : plural} by ${series.people.length}${series.others > 0 ? "+" : ""} ${people === 1 ? "person" : "people"}, ${rangeText(charts.from, charts.to)} (UTC, per ${charts.unit}).`;
  const id = `chart-${series.metric}`;

  return (
    <section className="card chart-card audit-chart" aria-labelledby={`${id}-heading`}>
      <div className="audit-chart__head">
        <h3 id={`${id}-heading`}>{spec.title}</h3>
        {series.total > 0 ? (
          <Link href={chartDrillHref(params, series.metric, { within })}>
            List them<span className="visually-hidden"> ({spec.title.toLowerCase()})</span>
          </Link>
        ) : null}
      </div>
      <p className="subtle chart-summary">{summary}</p>
      {series.total === 0 ? null : (
        <>
          <svg className="audit-chart__svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
            {ticks.map((tick) => (
              <g key={tick}>
                <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} stroke={tick === 0 ? "#8a96a3" : "#e3e7ec"} />
                <text x={MARGIN.left - 6} y={y(tick)} dy="0.32em" textAnchor="end" className="audit-chart__tick">
                  {formatCount(tick)}
                </text>
              </g>
            ))}
            {charts.buckets.map((bucket, index) => {
              const x = MARGIN.left + index * band + (band - barWidth) / 2;
              const counts = series.counts[index] ?? {};
              let stacked = 0;
              return (
                <g key={bucket}>
                  {keys.map((key) => {
                    const n = counts[key] ?? 0;
                    if (n === 0) return null;
                    const y0 = y(stacked);
                    stacked += n;
                    const y1 = y(stacked);
                    const text = `${bucketText(bucket, charts.unit)}: ${formatCount(n)} ${n === 1 ? singular : plural} by ${nameOf(key)}`;
                    return (
                      <a key={key || "others"} href={chartDrillHref(params, series.metric, { person: key || null, within, bucket: { start: bucket, unit: charts.unit } })} tabIndex={-1} aria-label={text}>
                        <rect x={x} y={y1} width={barWidth} height={Math.max(1, y0 - y1)} fill={colorOf(key)} className="audit-chart__bar">
                          <title>{text}</title>
                        </rect>
                      </a>
                    );
                  })}
                  {index % labelEvery === 0 ? (
                    <text x={MARGIN.left + index * band + band / 2} y={HEIGHT - 8} textAnchor="middle" className="audit-chart__tick">
                      {bucketText(bucket, charts.unit)}
                    </text>
                  ) : null}
                </g>
              );
            })}
          </svg>
          <ul className="audit-chart__legend">
            {series.people.map((person) => (
              <li key={person.key}>
                <span className="swatch" style={{ background: colorOf(person.key) }} aria-hidden="true" />
                <Link href={chartDrillHref(params, series.metric, { person: person.key, within })} title={personName(person)}>
                  {person.email ?? actorLabel(person)}
                </Link>
                <span className="audit-chart__total">{formatCount(person.total)}</span>
              </li>
            ))}
            {series.others > 0 ? (
              <li>
                <span className="swatch" style={{ background: OTHERS_COLOR }} aria-hidden="true" />
                <span>Everyone else</span>
                <span className="audit-chart__total">{formatCount(series.others)}</span>
              </li>
            ) : null}
          </ul>
          <details className="chart-data">
            <summary>The numbers as a table</summary>
            <div className="table-wrap">
              <table className="data">
                <caption className="visually-hidden">{spec.title} per {charts.unit}</caption>
                <thead>
                  <tr>
                    <th scope="col">{charts.unit === "month" ? "Month" : charts.unit === "week" ? "Week of" : "Day"} (UTC)</th>
                    <th scope="col" className="num">
                      {spec.title}
                    </th>
                    <th scope="col">By</th>
                  </tr>
                </thead>
                <tbody>
                  {charts.buckets.map((bucket, index) =>
                    (totals[index] ?? 0) === 0 ? null : (
                      <tr key={bucket}>
                        <td>
                          <Link href={chartDrillHref(params, series.metric, { within, bucket: { start: bucket, unit: charts.unit } })}>{bucketText(bucket, charts.unit)}</Link>
                        </td>
                        <td className="num">{formatCount(totals[index] ?? 0)}</td>
                        <td className="wrap">
                          {keys
                            .filter((key) => (series.counts[index]?.[key] ?? 0) > 0)
                            .map((key) => `${key === "" ? "everyone else" : (series.people.find((one) => one.key === key)?.email ?? actorLabel({ key, email: null }))} ${series.counts[index]?.[key]}`)
                            .join(", ")}
                        </td>
                      </tr>
                    ),
                  )}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

export function AuditCharts({ charts, params }: { charts: AuditChartsDto; params: URLSearchParams }) {
  return (
    <section aria-labelledby="charts-heading" className="audit-charts">
      <h2 id="charts-heading">Reveals, exports and denials per person</h2>
      <p className="subtle chart-summary">
        Counted under the other filters{params.has("from") || params.has("to") ? "" : ", over the last 30 days"}; each chart chooses its own action and outcome. Select a column, a
        person or a day to list the rows.
      </p>
      <div className="charts-grid audit-charts__grid">
        {charts.series.map((series) => (
          <Chart key={series.metric} series={series} charts={charts} params={params} />
        ))}
      </div>
    </section>
  );
}
