import { formatCount, formatUtc } from "@/lib/telemetry/format";
import type { SiemSinkStatus, SinkStateName } from "@/server/siem/sink-status";

const STATE_BADGE: Record<SinkStateName, { label: string; className: string }> = {
  up_to_date: { label: "Up to date", className: "badge badge--ok" },
  behind: { label: "Catching up", className: "badge badge--warn" },
  failing: { label: "Failing", className: "badge badge--danger" },
  waiting: { label: "Not started yet", className: "badge" },
  retired: { label: "No longer configured", className: "badge" },
};

const KIND_LABELS: Record<string, string> = { syslog: "Syslog (RFC 5424)", hec: "HTTP Event Collector (Splunk HEC)" };

/** 0 s, 42 s, 3 min 12 s, 2 h 5 min, 3 d 4 h */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ""}`;
}

const at = (iso: string | null) => (iso ? `${formatUtc(iso, false)} UTC` : "never");

function lagText(sink: SiemSinkStatus): string {
  if (sink.lagRows === null) return "not known until the first delivery run";
  if (sink.lagRows === 0) return "none: every committed row was acknowledged";
  return `${formatCount(sink.lagRows)} ${sink.lagRows === 1 ? "row" : "rows"} waiting, the oldest written ${formatAge(sink.lagSeconds ?? 0)} ago`;
}

/** One card per SIEM sink: what it is, whether it keeps up, and what went wrong last. */
export function SiemDeliveryPanel({ sinks }: { sinks: readonly SiemSinkStatus[] }) {
  if (sinks.length === 0) {
    return (
      <section className="card" aria-labelledby="no-sinks">
        <h2 id="no-sinks" style={{ marginTop: 0 }}>
          No SIEM sink is configured
        </h2>
        <p className="subtle" style={{ marginBottom: 0 }}>
          The audit trail stays in the portal&apos;s database only. Operators stream it to a SIEM by setting <code>SIEM_SYSLOG_URL</code> (syslog over TCP or TLS)
          or <code>SIEM_HEC_URL</code> with <code>SIEM_HEC_TOKEN</code> (an HTTP Event Collector); see the README&apos;s configuration table and docs/SIEM.md.
        </p>
      </section>
    );
  }
  return (
    <div className="stack">
      {sinks.map((sink) => {
        const badge = STATE_BADGE[sink.state];
        const headingId = `sink-${sink.name}`;
        return (
          <section key={sink.name} className="card" aria-labelledby={headingId}>
            <div className="page-head" style={{ marginBottom: "0.75rem", alignItems: "center" }}>
              <h2 id={headingId} style={{ margin: 0, display: "flex", flexWrap: "wrap", gap: "0.5rem", alignItems: "center" }}>
                <span className="mono">{sink.name}</span>
                <span className={badge.className}>{badge.label}</span>
              </h2>
            </div>
            {sink.state === "failing" && sink.lastError ? (
              <p className="notice notice--error" role="status">
                <strong>
                  {sink.failures === 1 ? "The last attempt failed" : `The last ${formatCount(sink.failures)} attempts failed`}
                  {sink.lastErrorAt ? ` (latest ${at(sink.lastErrorAt)})` : ""}:
                </strong>{" "}
                <span style={{ overflowWrap: "anywhere" }}>{sink.lastError.replace(/[^.!?]$/, "$&.")}</span> Nothing is lost: the rows stay queued and are sent again every
                minute.
              </p>
            ) : null}
            <dl className="props">
              <dt>Kind</dt>
              <dd>{KIND_LABELS[sink.kind] ?? sink.kind}</dd>
              <dt>Destination</dt>
              <dd className="mono break">{sink.destination || "—"}</dd>
              <dt>Lag</dt>
              <dd>{lagText(sink)}</dd>
              <dt>Delivered up to</dt>
              <dd>{sink.deliveredThrough ? `rows written until ${at(sink.deliveredThrough)}` : "no row yet"}</dd>
              <dt>Last acknowledged batch</dt>
              <dd>{at(sink.lastSuccessAt)}</dd>
              <dt>Last attempt</dt>
              <dd>{at(sink.lastAttemptAt)}</dd>
              <dt>Rows acknowledged</dt>
              <dd>{formatCount(sink.deliveredTotal)} (resent rows counted again)</dd>
              <dt>Last error</dt>
              <dd style={{ overflowWrap: "anywhere" }}>{sink.lastError ? `${sink.lastError}${sink.lastErrorAt ? ` (${at(sink.lastErrorAt)})` : ""}` : "none"}</dd>
              <dt>Started</dt>
              <dd>{sink.since ? `${at(sink.since)}, from ${sink.startFrom === "beginning" ? "the beginning of the trail" : sink.startFrom === "now" ? "the rows written after that" : `the rows written from ${sink.startFrom}`}` : "not yet"}</dd>
            </dl>
          </section>
        );
      })}
    </div>
  );
}
