// Job `audit.alerts`: reads the audit rows committed since its last run (one
// cursor per chain) and raises the alerts they trigger: a row in audit_alert,
// an audit row written by the system (audit.alert_raised) and a notification
// to every active auditor (server/audit/alerts/evaluate-audit-alerts.ts).
// Idempotent: the cursors move in the transaction that raises the alerts, and
// one alert per rule, subject and window is a unique key.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { loadAlertConfig } from "@/server/audit/alerts/alert-config";
import { evaluateAuditAlerts } from "@/server/audit/alerts/evaluate-audit-alerts";
import { getEnv } from "@/server/config/env";
import type { JobDefinition } from "./job-definition";

export const evaluateAuditAlertsJob: JobDefinition = {
  name: "audit.alerts",
  cron: "* * * * *",
  description: "evaluates the alert rules over newly committed audit rows; raises, audits and notifies each alert",
  retryLimit: 1,
  retryDelaySeconds: 10,
  timeoutSeconds: 120,
  run: async ({ prisma, jobId }) => evaluateAuditAlerts(prisma, { config: loadAlertConfig(getEnv()), requestId: `job:${jobId}` }),
};
