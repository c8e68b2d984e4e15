// The job runner: pg-boss (a job queue in PostgreSQL, schema `pgboss`) working
// the portal's jobs (./registry.ts). One per process, started by
// scripts/start.ts once the database is migrated, stopped on shutdown.
//
// Every instance runs one, and each scheduled occurrence runs once across all
// of them: pg-boss lets one instance at a time turn due cron schedules into a
// job (a row lock on its `version` table, and one job per schedule and minute,
// enforced by a unique index), and a job is fetched by one worker only
// (`FOR UPDATE SKIP LOCKED`). A run that throws is logged and retried by
// pg-boss with backoff (`retryLimit`); one that outlives `timeoutSeconds` is
// failed and retried too. Should an instance die between enqueuing and
// finishing, the occurrence may run again: every job is idempotent.
//
// On PostgreSQL pg-boss has its own small pool; on the embedded database it
// shares the process's one PGlite instance (./queue-db.ts).
//
// Metrics: portal_job_runs_total{queue,result} per run, and
// portal_job_queue_depth{queue,state} read from the queue when scraped (as are
// portal_siem_lag_rows / _seconds, server/siem/siem-lag-metrics.ts).
//
// No "server-only": scripts/start.ts imports it.
import pg from "pg";
import PgBoss from "pg-boss";
import type { Logger } from "pino";
import type { Database } from "@/server/db/connect";
import { getLogger } from "@/server/observability/logger";
import { getMetrics } from "@/server/observability/metrics";
import { attachSiemLagMetrics } from "@/server/siem/siem-lag-metrics";
import { deliverToSiemJob } from "./deliver-to-siem";
import type { JobDefinition, JobResult } from "./job-definition";
import { type PgShapedResult, type QueueDb, pgliteQueueDb, postgresQueueDb } from "./queue-db";
import { JOBS } from "./registry";
import { JOB_QUEUE_SCHEMA } from "@/server/db/runtime-privileges";

export { JOB_QUEUE_SCHEMA } from "@/server/db/runtime-privileges";

/** How often pg-boss looks; the defaults suit jobs that run every few minutes. Tests lower them. */
export type JobTiming = {
  /** how often an instance checks for due cron schedules (1–45 s) */
  cronMonitorIntervalSeconds: number;
  /** how often due schedules are turned into jobs (1–45 s) */
  cronWorkerIntervalSeconds: number;
  /** how often each worker asks for a job (≥ 0.5 s) */
  pollingIntervalSeconds: number;
};

/** The advisory lock instances take, one after another, to set up their queues. */
const SETUP_LOCK = "telemetry-portal:job-queue-setup";

const DEFAULT_TIMING: JobTiming = { cronMonitorIntervalSeconds: 30, cronWorkerIntervalSeconds: 5, pollingIntervalSeconds: 10 };

export type JobRunnerOptions = {
  /** the process's database: its PGlite instance carries the queue when embedded */
  database: Database;
  /** PostgreSQL: the URL pg-boss opens its own pool on (required when `database` is PostgreSQL) */
  databaseUrl?: string;
  jobs?: readonly JobDefinition[];
  timing?: Partial<JobTiming>;
  /** pg-boss's pool on PostgreSQL (default 2) */
  poolSize?: number;
  logger?: Logger;
};

export type JobRunner = {
  start(): Promise<void>;
  /** Stops taking jobs, lets a running one finish for up to `timeoutMs`, then closes pg-boss's pool. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** Enqueues one run of a registered job now (operators, tests); its id. */
  runNow(name: string): Promise<string | null>;
};

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const jobs = options.jobs ?? JOBS;
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const logger = (options.logger ?? getLogger()).child({ component: "jobs" });
  const metrics = getMetrics();
  const { database } = options;

  let pool: pg.Pool | undefined;
  let db: QueueDb;
  if (database.kind === "embedded") {
    if (!database.pglite) throw new Error("The embedded database has no PGlite instance to run the job queue on.");
    db = pgliteQueueDb(database.pglite);
  } else {
    if (!options.databaseUrl) throw new Error("The job queue needs DATABASE_URL to open its own connections.");
    pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 2, application_name: "telemetry-portal-jobs", options: "-c TimeZone=UTC" });
    // An idle connection dropped by the server (a restart) must not take the process down.
    pool.on("error", (error) => logger.warn({ err: error }, "A job queue database connection failed; it will be replaced"));
    db = postgresQueueDb(pool);
  }

  const queueDb = closable(db);
  const boss = new PgBoss({ db: queueDb, schema: JOB_QUEUE_SCHEMA, ...timing });
  // pg-boss reports polling and maintenance failures (e.g. the database restarting) here; it keeps trying.
  boss.on("error", (error) => logger.error({ err: error }, "Job queue error"));

  const byName = new Map(jobs.map((job) => [job.name, job]));
  let bossStarted = false;
  let started = false;
  let stopping = false;

  async function runOne(job: JobDefinition, queued: Pick<PgBoss.JobWithMetadata, "id" | "retryCount" | "retryLimit">): Promise<JobResult> {
    const attempt = (queued.retryCount ?? 0) + 1;
    const startedAt = performance.now();
    try {
      // Fetched while stopping: left to expire and be retried by an instance that stays.
      if (stopping) throw new Error("The job runner is stopping.");
      const result = await job.run({ jobId: queued.id, attempt, prisma: database.prisma, logger });
      metrics.jobRuns.inc({ queue: job.name, result: "completed" });
      logger.info({ queue: job.name, jobId: queued.id, attempt, durationMs: Math.round(performance.now() - startedAt), result }, `Job ${job.name} finished`);
      return result;
    } catch (error) {
      metrics.jobRuns.inc({ queue: job.name, result: "failed" });
      const willRetry = attempt <= (queued.retryLimit ?? 0);
      logger.error(
        { err: error, queue: job.name, jobId: queued.id, attempt, willRetry, durationMs: Math.round(performance.now() - startedAt) },
        `Job ${job.name} failed${willRetry ? "; the queue retries it" : " for the last time"}`,
      );
      throw error;
    }
  }

  /** portal_job_queue_depth, read when Prometheus scrapes, so every instance reports the queue as it is now. */
  async function collectDepth(): Promise<void> {
    const gauge = metrics.jobQueueDepth;
    try {
      for (const job of jobs) {
        // pg-boss's states are ordered: created < retry < active < completed …
        const waiting = await boss.getQueueSize(job.name, { before: "active" });
        const unfinished = await boss.getQueueSize(job.name, { before: "completed" });
        gauge.set({ queue: job.name, state: "waiting" }, waiting);
        gauge.set({ queue: job.name, state: "active" }, unfinished - waiting);
      }
    } catch (error) {
      // No number is better than a stale one.
      gauge.reset();
      logger.debug({ err: error }, "Reading the job queue depth failed");
    }
    for (const job of jobs) {
      await job.collectMetrics?.(database.prisma).catch((error: unknown) => logger.debug({ err: error, queue: job.name }, "Reading a job's metrics failed"));
    }
  }
  /** prom-client calls a metric's `collect` before each scrape; metrics.ts declares the gauge without one. */
  const collectDepthOnScrape = (collect: (() => Promise<void>) | undefined) => Object.assign(metrics.jobQueueDepth, { collect });

  /** Queues, schedules and workers for this runner's jobs (idempotent: every instance runs it at start). */
  async function setUpQueues(): Promise<void> {
    for (const job of jobs) {
      const queue = {
        name: job.name,
        retryLimit: job.retryLimit ?? 3,
        retryDelay: job.retryDelaySeconds ?? 60,
        retryBackoff: true,
        expireInSeconds: job.timeoutSeconds ?? 300,
      };
      await boss.createQueue(job.name, queue);
      await boss.updateQueue(job.name, queue); // a queue created by an earlier version takes today's settings
      await boss.schedule(job.name, job.cron, {}, { tz: "UTC" });
      await boss.work(job.name, { pollingIntervalSeconds: timing.pollingIntervalSeconds, batchSize: 1, includeMetadata: true }, async ([queued]) =>
        queued ? runOne(job, queued) : undefined,
      );
    }
    // A job no longer in the registry stops being scheduled (its queue and history stay).
    for (const schedule of await boss.getSchedules()) {
      if (!byName.has(schedule.name)) await boss.unschedule(schedule.name);
    }
  }

  /**
   * Instances starting together would deadlock creating the same queue
   * (pg-boss attaches a partition per queue): on PostgreSQL, start-up holds
   * an advisory lock, on a connection of its own. The embedded database has
   * one process.
   */
  async function oneInstanceAtATime(work: () => Promise<void>): Promise<void> {
    if (!options.databaseUrl || database.kind === "embedded") return work();
    const client = new pg.Client({ connectionString: options.databaseUrl, application_name: "telemetry-portal-jobs" });
    // A connection lost meanwhile fails the query below; it must not also take the process down.
    client.on("error", (error) => logger.warn({ err: error }, "The job queue's start-up connection failed"));
    await client.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [SETUP_LOCK]);
      await work();
    } finally {
      await client.end(); // ends the session, and with it the lock
    }
  }

  return {
    async start() {
      if (started) return;
      await oneInstanceAtATime(async () => {
        await boss.start();
        bossStarted = true;
        await setUpQueues();
      });
      collectDepthOnScrape(collectDepth);
      // The SIEM delivery's lag gauges collect themselves on scrape (collectMetrics, called from the queue depth's
      // collect, would be serialized one scrape late: prom-client reads every metric at once); resetMetrics detaches them.
      if (byName.has(deliverToSiemJob.name)) attachSiemLagMetrics(database.prisma, logger);
      started = true;
      logger.info({ jobs: jobs.map(({ name, cron }) => ({ name, cron })), database: database.kind }, "Job runner started");
    },

    async stop({ timeoutMs = 10_000 } = {}) {
      if (started) {
        // This instance no longer reads the queue: no number rather than a stale one.
        collectDepthOnScrape(undefined);
        metrics.jobQueueDepth.reset();
        for (const job of jobs) job.resetMetrics?.();
      }
      started = false;
      stopping = true;
      if (bossStarted) {
        bossStarted = false;
        // Stops polling and scheduling; a running job finishes (or, after the timeout, is failed for a retry).
        await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
      }
      // pg-boss's last statements (a completion, a poll) finish; any later ones are dropped.
      await queueDb.close(Math.min(timeoutMs, 5_000));
      await pool?.end();
      pool = undefined;
    },

    async runNow(name: string) {
      if (!byName.has(name)) throw new Error(`There is no job named ${name}.`);
      return boss.send(name, {});
    },
  };
}

/**
 * The queue's connection, closable: once closed it answers every statement
 * with `undefined`, as pg-boss's own connection does once closed (pg-boss
 * expects that: a poll then finds no job, a completion changes nothing), so
 * nothing pg-boss still has in flight touches a database being shut down.
 */
function closable(db: QueueDb): QueueDb & { close(timeoutMs: number): Promise<void> } {
  let isOpen = true;
  let inFlight = 0;
  let settled: (() => void) | undefined;
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (!isOpen) return undefined as unknown as PgShapedResult;
      inFlight += 1;
      try {
        return await db.executeSql(text, values);
      } finally {
        inFlight -= 1;
        if (inFlight === 0) settled?.();
      }
    },
    async close(timeoutMs: number) {
      isOpen = false;
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        settled = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}

const runnerKey = Symbol.for("telemetry-portal.job-runner");
type Holder = typeof globalThis & { [runnerKey]?: JobRunner };

/** The process's one job runner: started once, however often this is called. */
export async function startJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const holder = globalThis as Holder;
  if (!holder[runnerKey]) {
    const runner = createJobRunner(options);
    try {
      await runner.start();
    } catch (error) {
      await runner.stop({ timeoutMs: 1_000 }).catch(() => undefined);
      throw error;
    }
    holder[runnerKey] = runner;
  }
  return holder[runnerKey];
}

/** Stops the process's job runner, if one was started. */
export async function stopJobRunner(options?: { timeoutMs?: number }): Promise<void> {
  const holder = globalThis as Holder;
  const runner = holder[runnerKey];
  delete holder[runnerKey];
  await runner?.stop(options);
}
