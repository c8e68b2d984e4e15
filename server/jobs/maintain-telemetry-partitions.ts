// Job `telemetry.partitions`: keeps telemetry_event's monthly partitions
// TELEMETRY_PARTITIONS_AHEAD_MONTHS ahead, gives months caught by the default
// partition their own partition, and, when TELEMETRY_RETENTION_DAYS is set,
// drops what is past it with one audit row per purge
// (server/telemetry/partitions.ts). Hourly: creating ahead is cheap when
// nothing is missing, and a purge is due at most once a month.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { getEnv } from "@/server/config/env";
import { maintainTelemetryPartitions, type PartitionMaintenanceOptions } from "@/server/telemetry/partitions";
import type { JobDefinition } from "./job-definition";

export const TELEMETRY_PARTITIONS_JOB = "telemetry.partitions";

/** The job; `overrides` (tests) replace the environment's settings and the schedule. */
export function telemetryPartitionsJob(overrides: Partial<Pick<PartitionMaintenanceOptions, "aheadMonths" | "retentionDays" | "now">> & { cron?: string } = {}): JobDefinition {
  return {
    name: TELEMETRY_PARTITIONS_JOB,
    cron: overrides.cron ?? "23 * * * *",
    description: "creates telemetry partitions ahead, moves rows out of the default partition, drops partitions past TELEMETRY_RETENTION_DAYS (audited)",
    timeoutSeconds: 1_800,
    run: async ({ prisma, jobId }) => {
      const env = getEnv();
      return maintainTelemetryPartitions(prisma, {
        aheadMonths: overrides.aheadMonths ?? env.TELEMETRY_PARTITIONS_AHEAD_MONTHS,
        retentionDays: "retentionDays" in overrides ? overrides.retentionDays : env.TELEMETRY_RETENTION_DAYS,
        now: overrides.now,
        requestId: `job:${jobId}`,
      });
    },
  };
}

export const maintainTelemetryPartitionsJob = telemetryPartitionsJob();
