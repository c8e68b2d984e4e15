// Job `audit.siem-delivery`: sends committed audit rows to the configured SIEM
// sinks (server/siem/deliver-audit-rows.ts), every minute, looping in batches
// until each sink is caught up or DELIVERY_BUDGET_MS is spent (the next run
// continues). Idempotent: the per-sink, per-chain cursors say what was
// acknowledged, and a lease keeps one worker per sink across instances. A
// sink's failure is recorded and logged, not thrown: the run "succeeds" and
// the next one retries. Without SIEM_SYSLOG_URL or SIEM_HEC_URL it does nothing.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { getEnv } from "@/server/config/env";
import { deliverAuditRows } from "@/server/siem/deliver-audit-rows";
import { createConfiguredSinks } from "@/server/siem/siem-config";
import { detachSiemLagMetrics } from "@/server/siem/siem-lag-metrics";
import type { JobDefinition } from "./job-definition";

/** Within a minute's run, leaving room for the last batch (SIEM_TIMEOUT_SECONDS) before the next occurrence. */
export const DELIVERY_BUDGET_MS = 40_000;
/** Longer than any batch may take (SIEM_TIMEOUT_SECONDS ≤ 120 s), renewed before each. */
const LEASE_SECONDS = 180;

export const deliverToSiemJob: JobDefinition = {
  name: "audit.siem-delivery",
  cron: "* * * * *",
  description: "sends committed audit rows, in order per chain, to the SIEM sinks (syslog, HEC); each sink resumes from its cursors",
  retryLimit: 1,
  retryDelaySeconds: 15,
  timeoutSeconds: 240,
  run: async ({ prisma, logger }) => {
    const env = getEnv();
    const sinks = createConfiguredSinks(env);
    if (sinks.length === 0) return { sinks: 0 };
    try {
      return await deliverAuditRows(prisma, {
        sinks,
        start: env.SIEM_START_FROM,
        batchSize: env.SIEM_BATCH_SIZE,
        budgetMs: DELIVERY_BUDGET_MS,
        leaseSeconds: Math.max(LEASE_SECONDS, env.SIEM_TIMEOUT_SECONDS * 3),
        logger: logger.child({ queue: "audit.siem-delivery" }),
      });
    } finally {
      for (const sink of sinks) sink.close();
    }
  },
  // The lag gauges are attached by the job runner when it starts (server/siem/siem-lag-metrics.ts).
  resetMetrics: detachSiemLagMetrics,
};
