// /audit/alerts — the alerts the rules over the audit trail raised, newest
// first, each with the audit rows that triggered it (auditors only; audited
// as audit.alerts_list by the data layer).
import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { ALERT_RULES, ALERT_RULE_LABELS, describeCount } from "@/lib/audit/alert-rules";
import type { RawSearchParams } from "@/lib/http/query-params";
import { formatUtc } from "@/lib/telemetry/format";
import { toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";
import { listAuditAlerts, type AuditAlertDto, type AuditAlertListDto } from "@/server/data/audit/audit-alerts";
import { loadForPage } from "@/server/http/page-guard";
import styles from "./alerts.module.css";

export const metadata: Metadata = { title: "Audit alerts" };

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function when(alert: Pick<AuditAlertDto, "windowStart" | "windowEnd">): string {
  const start = formatUtc(alert.windowStart, false);
  const end = formatUtc(alert.windowEnd, false);
  return start === end ? `at ${end} UTC` : `${start} – ${end} UTC`;
}

function RuleSettings({ list }: { list: AuditAlertListDto }) {
  const describe = (rule: (typeof ALERT_RULES)[number], threshold: number | null, windowMinutes: number): string => {
    if (threshold === null) return "off";
    if (rule === "break_glass") return `every use of ${list.breakGlassActions.join(", ") || "(no action configured)"}`;
    if (rule === "off_hours") return `any disclosure outside ${list.workingHours.start}–${list.workingHours.end} on ${list.workingHours.days.map((day) => DAY_NAMES[day]).join(", ")}, in the person's time zone`;
    const span = windowMinutes === 60 ? "an hour" : windowMinutes === 1_440 ? "a day" : `${windowMinutes} minutes`;
    return `more than ${describeCount(rule, threshold)} within ${span}`;
  };
  return (
    <details className="card">
      <summary>
        <strong>Rules and thresholds</strong> <span className="subtle">(set by the operator: ALERT_* in the configuration)</span>
      </summary>
      <ul className={styles.rules}>
        {list.rules.map(({ rule, threshold, windowMinutes }) => (
          <li key={rule}>
            <strong>{ALERT_RULE_LABELS[rule]}</strong>: {describe(rule, threshold, windowMinutes)}
          </li>
        ))}
      </ul>
    </details>
  );
}

export default async function AuditAlertsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const params = toUrlSearchParams(await searchParams);
  const result = await loadForPage(withQuery("/audit/alerts", params), () => listAuditAlerts(params));
  const rule = params.get("rule") ?? "";
  const olderHref = (before: string) => withQuery("/audit/alerts", new URLSearchParams([...(rule ? [["rule", rule]] : []), ["before", before]]));

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Audit alerts</h1>
          <p className="subtle">What the rules over the audit trail flagged as it was written, newest first, with the rows behind each alert. Every alert is also an audit row and is sent to the auditors.</p>
        </div>
      </div>

      <form method="get" action="/audit/alerts" className={`card ${styles.filters}`} aria-label="Filter the alerts">
        <div className="field">
          <label htmlFor="f-rule">Rule</label>
          <select id="f-rule" name="rule" defaultValue={rule}>
            <option value="">Every rule</option>
            {ALERT_RULES.map((value) => (
              <option key={value} value={value}>
                {ALERT_RULE_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Show
        </button>
        {rule ? (
          <Link href="/audit/alerts" className="button button--secondary">
            Every rule
          </Link>
        ) : null}
      </form>

      {result.ok ? (
        <>
          <RuleSettings list={result.value} />
          {result.value.items.length === 0 ? (
            <div className="card empty" role="status">
              {rule || params.has("before") ? "No alerts here." : "No alert has been raised yet."}{" "}
              {rule || params.has("before") ? <Link href="/audit/alerts">Show every alert</Link> : "The rules are evaluated every minute as audit rows arrive."}
            </div>
          ) : (
            <ol className={styles.list} aria-label="Alerts, newest first">
              {result.value.items.map((alert) => (
                <li key={alert.id} className={styles.alert}>
                  <h2>
                    <Link href={`/audit/alerts/${alert.id}`} prefetch={false}>
                      Alert {alert.id}: {ALERT_RULE_LABELS[alert.rule]}
                    </Link>
                    <span className={styles.who}>{alert.subjectLabel}</span>
                  </h2>
                  <p className={styles.summary}>{alert.summary}</p>
                  <p className={styles.facts}>
                    <span>
                      Counted <strong>{describeCount(alert.rule, alert.count)}</strong>
                      {alert.rule === "break_glass" ? null : <> (threshold: more than {alert.threshold.toLocaleString("en-US")})</>}
                    </span>
                    <span>Rows {when(alert)}</span>
                    <span>Raised {formatUtc(alert.createdAt, false)} UTC</span>
                  </p>
                  <p className={styles.triggers}>
                    <span className="subtle">Triggered by:</span>
                    {alert.triggerIds.map((id) => (
                      <Link key={id} href={`/audit/${id}`} prefetch={false}>
                        <span className="visually-hidden">audit row </span>#{id}
                      </Link>
                    ))}
                    {alert.triggerCount > alert.triggerIds.length ? (
                      <Link href={`/audit/alerts/${alert.id}`} prefetch={false}>
                        all {alert.triggerCount.toLocaleString("en-US")} rows</Link>
                    ) : null}
                  </p>
                </li>
              ))}
            </ol>
          )}
          {result.value.nextBefore || params.has("before") ? (
            <nav className="pager" aria-label="Pages">
              <span className="subtle">{result.value.items.length} alerts on this page</span>
              <span style={{ display: "flex", gap: "0.5rem" }}>
                {params.has("before") ? (
                  <Link className="button button--secondary" href={rule ? `/audit/alerts?rule=${encodeURIComponent(rule)}` : "/audit/alerts"}>
                    Newest
                  </Link>
                ) : null}
                {result.value.nextBefore ? (
                  <Link className="button button--secondary" href={olderHref(result.value.nextBefore)}>
                    Older alerts
                  </Link>
                ) : null}
              </span>
            </nav>
          ) : null}
        </>
      ) : (
        <ErrorState error={result.error} />
      )}
    </div>
  );
}
