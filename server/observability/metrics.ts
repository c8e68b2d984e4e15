// Prometheus metrics (prom-client), served at GET /metrics to a scraper
// holding METRICS_TOKEN, or from loopback / TRUSTED_PROXIES. Labels are
// routes, methods, statuses, outcomes and queue names: never a person, an
// email, an event or machine id, or any telemetry value.
//
// Kept on globalThis: Next.js bundles its own copy of this module, and
// prom-client's registry refuses a metric registered twice.
// No "server-only": the start script and the audit writer import it.
import client from "prom-client";

export type PortalMetrics = {
  registry: client.Registry;
  httpRequests: client.Counter<"route" | "method" | "status">;
  httpDuration: client.Histogram<"route" | "method" | "status">;
  auditWrites: client.Counter<"outcome">;
  auditWriteFailures: client.Counter;
  intakeEvents: client.Counter<"endpoint" | "result">;
  jobQueueDepth: client.Gauge<"queue" | "state">;
  jobRuns: client.Counter<"queue" | "result">;
  notificationsDelivered: client.Counter<"channel">;
  notificationsFailed: client.Counter<"channel">;
  notificationAttemptErrors: client.Counter<"channel">;
  notificationOutboxDepth: client.Gauge<"channel" | "state">;
  notificationOldestPending: client.Gauge<"channel">;
  auditAlerts: client.Counter<"rule">;
  siemRowsDelivered: client.Counter<"sink">;
  siemDeliveryFailures: client.Counter<"sink">;
  siemLagRows: client.Gauge<"sink">;
  siemLagSeconds: client.Gauge<"sink">;
  auditWitnessSubmissions: client.Counter<"witness" | "result">;
  replicaHealthy: client.Gauge<"replica">;
  replicaLagSeconds: client.Gauge<"replica">;
  telemetryReads: client.Counter<"target">;
};

const key = Symbol.for("telemetry-portal.metrics");
type Holder = typeof globalThis & { [key]?: PortalMetrics };

export function getMetrics(): PortalMetrics {
  const holder = globalThis as Holder;
  if (!holder[key]) {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    holder[key] = {
      registry,
      httpRequests: new client.Counter({ name: "portal_http_requests_total", help: "HTTP requests answered, by route pattern, method and status", labelNames: ["route", "method", "status"], registers: [registry] }),
      httpDuration: new client.Histogram({
        name: "portal_http_request_duration_seconds",
        help: "Time from request to the end of the response, by route pattern, method and status",
        labelNames: ["route", "method", "status"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
      auditWrites: new client.Counter({ name: "portal_audit_rows_written_total", help: "Audit rows inserted, by outcome (allowed, denied, error)", labelNames: ["outcome"], registers: [registry] }),
      auditWriteFailures: new client.Counter({ name: "portal_audit_write_failures_total", help: "Audit rows that could not be written (the access they vouch for was not served)", registers: [registry] }),
      intakeEvents: new client.Counter({ name: "portal_intake_events_total", help: "Telemetry events received, by endpoint and result (accepted, refused)", labelNames: ["endpoint", "result"], registers: [registry] }),
      jobQueueDepth: new client.Gauge({ name: "portal_job_queue_depth", help: "Jobs waiting or running, by queue", labelNames: ["queue", "state"], registers: [registry] }),
      jobRuns: new client.Counter({ name: "portal_job_runs_total", help: "Background jobs finished, by queue and result", labelNames: ["queue", "result"], registers: [registry] }),
      notificationsDelivered: new client.Counter({ name: "portal_notifications_delivered_total", help: "Notifications accepted by the SMTP relay or webhook, by channel", labelNames: ["channel"], registers: [registry] }),
      notificationsFailed: new client.Counter({
        name: "portal_notifications_failed_total",
        help: "Notifications given up (NOTIFY_MAX_ATTEMPTS reached, or refused for good), by channel",
        labelNames: ["channel"],
        registers: [registry],
      }),
      notificationAttemptErrors: new client.Counter({
        name: "portal_notification_attempt_errors_total",
        help: "Delivery attempts that failed (retried or given up), by channel",
        labelNames: ["channel"],
        registers: [registry],
      }),
      notificationOutboxDepth: new client.Gauge({
        name: "portal_notification_outbox_depth",
        help: "Notification outbox rows still to deliver (pending) or given up (failed, kept NOTIFY_RETENTION_DAYS), by channel; read when scraped",
        labelNames: ["channel", "state"],
        registers: [registry],
      }),
      auditAlerts: new client.Counter({ name: "portal_audit_alerts_total", help: "Audit alerts raised, by rule", labelNames: ["rule"], registers: [registry] }),
      notificationOldestPending: new client.Gauge({
        name: "portal_notification_outbox_oldest_pending_seconds",
        help: "Age of the oldest notification not yet delivered, by channel (0 when none); read when scraped",
        labelNames: ["channel"],
        registers: [registry],
      }),
      // SIEM delivery (server/siem/). The lag gauges are read from the database when scraped, so every instance reports the same, current figure.
      siemRowsDelivered: new client.Counter({ name: "portal_siem_rows_delivered_total", help: "Audit rows a SIEM sink acknowledged (resent rows counted again), by sink", labelNames: ["sink"], registers: [registry] }),
      siemDeliveryFailures: new client.Counter({ name: "portal_siem_delivery_failures_total", help: "Delivery attempts a SIEM sink did not acknowledge (unreachable, refused, timed out), by sink", labelNames: ["sink"], registers: [registry] }),
      siemLagRows: new client.Gauge({ name: "portal_siem_lag_rows", help: "Audit rows committed but not yet acknowledged by the SIEM sink", labelNames: ["sink"], registers: [registry] }),
      siemLagSeconds: new client.Gauge({ name: "portal_siem_lag_seconds", help: "Age of the oldest audit row the SIEM sink has not acknowledged (0 when caught up)", labelNames: ["sink"], registers: [registry] }),
      auditWitnessSubmissions: new client.Counter({
        name: "portal_audit_witness_submissions_total",
        help: "Audit checkpoints submitted to witnesses, by witness (key name) and result (cosigned, refused, unreachable)",
        labelNames: ["witness", "result"],
        registers: [registry],
      }),
      replicaHealthy: new client.Gauge({ name: "portal_replica_healthy", help: "1 when the read replica answered its last check within REPLICA_MAX_LAG_SECONDS, else 0", labelNames: ["replica"], registers: [registry] }),
      replicaLagSeconds: new client.Gauge({ name: "portal_replica_lag_seconds", help: "How far the read replica was behind the primary at its last check (seconds; -1 unreachable)", labelNames: ["replica"], registers: [registry] }),
      telemetryReads: new client.Counter({ name: "portal_telemetry_reads_total", help: "Telemetry reads by where they ran: a replica (host:port/database), primary, or primary-fallback (a replica failed mid-read)", labelNames: ["target"], registers: [registry] }),
    };
  }
  return holder[key];
}

/** The words route patterns are made of (app/ folders); any other segment is an id or a value. */
const ROUTE_WORDS = new Set([
  "api", "v1", "v2", "auth", "callback", "signin", "signout", "session", "csrf", "providers", "error",
  "events", "insights", "export", "reveal", "audit", "verify", "admin", "people", "new", "expiring", "groups",
  "import-export", "ingestion-keys", "access-list", "me", "purpose", "telemetry", "track", "no-access",
  "healthz", "readyz", "metrics", "portal-front", "refusal", "favicon.ico", "disclosures", "delivery", "alerts",
]);

/** A route pattern with bounded cardinality: known words stay, every other segment is ":id", static assets one label. */
export function routeLabel(path: string): string {
  const segments = (path.split("?", 1)[0] ?? "/").split("/").slice(1);
  if (segments[0] === "_next") return "/_next";
  if (segments.length === 1 && segments[0] === "") return "/";
  if (!ROUTE_WORDS.has(segments[0] ?? "")) return "other";
  return `/${segments.slice(0, 6).map((segment) => (ROUTE_WORDS.has(segment) ? segment : ":id")).join("/")}`;
}
