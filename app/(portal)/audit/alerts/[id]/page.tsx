// /audit/alerts/{id} — one alert and every audit row that triggered it, each
// linked to its row page (auditors only; audited as audit.alert_view).
import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { ALERT_RULE_LABELS, describeCount } from "@/lib/audit/alert-rules";
import { AUDIT_ACTION_LABELS, type AuditAction } from "@/lib/audit/actions";
import { formatUtc } from "@/lib/telemetry/format";
import { getAuditAlert } from "@/server/data/audit/audit-alerts";
import { loadForPage } from "@/server/http/page-guard";
import styles from "../alerts.module.css";

export const metadata: Metadata = { title: "Audit alert" };

const OUTCOME_BADGE = { allowed: "badge badge--ok", denied: "badge badge--danger", error: "badge badge--warn" } as const;

export default async function AuditAlertPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const result = await loadForPage(`/audit/alerts/${encodeURIComponent(id)}`, () => getAuditAlert(id));
  if (!result.ok) return <ErrorState error={result.error} />;
  const { alert, triggers } = result.value;

  return (
    <div className="stack">
      <p>
        <Link href="/audit/alerts">← Audit alerts</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>
            Alert {alert.id}: {ALERT_RULE_LABELS[alert.rule]}
          </h1>
          <p className="subtle">Raised {formatUtc(alert.createdAt, false)} UTC</p>
        </div>
      </div>
      <section className="card" aria-labelledby="what">
        <h2 id="what" style={{ marginTop: 0 }}>
          What was flagged
        </h2>
        <p className={styles.summary}>{alert.summary}</p>
        <dl className="props">
          <dt>Who</dt>
          <dd>{alert.subjectLabel}</dd>
          <dt>Counted</dt>
          <dd>
            {describeCount(alert.rule, alert.count)}
            {alert.rule === "break_glass" ? null : ` (threshold: more than ${alert.threshold.toLocaleString("en-US")})`}
          </dd>
          <dt>First row</dt>
          <dd className="mono">{formatUtc(alert.windowStart)} UTC</dd>
          <dt>Last row</dt>
          <dd className="mono">{formatUtc(alert.windowEnd)} UTC</dd>
          <dt>Rows</dt>
          <dd>
            {alert.triggerCount.toLocaleString("en-US")}
            {alert.triggerCount > triggers.length ? ` (the first ${triggers.length.toLocaleString("en-US")} are listed)` : null}
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="rows">
        <h2 id="rows" style={{ marginTop: 0 }}>
          The audit rows that triggered it
        </h2>
        {triggers.length === 0 ? (
          <p className="subtle">No rows are recorded for this alert.</p>
        ) : (
          <ul className={styles.rowList}>
            {triggers.map((row) => (
              <li key={row.id}>
                <Link href={`/audit/${row.id}`} prefetch={false}>
                  Audit row {row.id}</Link>
                <span className="mono">{formatUtc(row.occurredAt)} UTC</span>
                <span>{AUDIT_ACTION_LABELS[row.action as AuditAction] ?? row.action}</span>
                <span className={OUTCOME_BADGE[row.outcome]}>{row.outcome}</span>
                <span>{row.actorEmail ?? (row.actorIp ? `anonymous, ${row.actorIp}` : "anonymous")}</span>
                {row.eventCount > 0 ? <span>{row.eventCount.toLocaleString("en-US")} events</span> : row.rowCount !== null ? <span>{row.rowCount.toLocaleString("en-US")} rows</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
