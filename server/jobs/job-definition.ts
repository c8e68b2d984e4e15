// What a background job is: a pg-boss queue name, a cron schedule (UTC), and
// a handler. The registry (./registry.ts) lists the portal's jobs; the runner
// (./job-runner.ts) creates their queues, schedules them and works them.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import type { Logger } from "pino";
import type { PrismaClient } from "@/server/db/generated/client";

export type JobContext = {
  /** pg-boss's id of this job (one scheduled occurrence; retries keep it) */
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  prisma: PrismaClient;
  logger: Logger;
};

/** Counts only (stored as the job's output and logged): never a person, a session or any telemetry value. */
export type JobResult = Record<string, number>;

export type JobDefinition = {
  /** the queue's name: letters, digits, dots and hyphens */
  name: string;
  /** five-field cron, UTC; pg-boss runs at most one occurrence a minute */
  cron: string;
  /** what it does, for the logs and the docs */
  description: string;
  /** retries after a failure (pg-boss; default 3), with backoff from `retryDelaySeconds` (default 60) */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** a run taking longer fails (and is retried); default 300 */
  timeoutSeconds?: number;
  run(context: JobContext): Promise<JobResult>;
  /** Sets this job's own gauges when Prometheus scrapes (e.g. a backlog read from its table); a failure resets them. */
  collectMetrics?(prisma: PrismaClient): Promise<void>;
  /** Clears those gauges when the runner stops: no number rather than a stale one. */
  resetMetrics?(): void;
};
