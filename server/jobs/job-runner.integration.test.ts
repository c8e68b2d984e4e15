// The job runner (pg-boss) against real databases: the embedded PGlite (the
// queue shares its one connection) always, and a fresh PostgreSQL database
// when TEST_DATABASE_URL is set. A job runs through the queue, is counted in
// metrics, logged and retried when it fails; the queue depth is exported. On
// PostgreSQL, two runners — two instances, each with its own connections —
// run each scheduled occurrence once, and each sent job once. pg-boss's
// intervals are lowered so that a minute's schedule is seen within seconds.
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "@/server/db/connect";
import { getMetrics } from "@/server/observability/metrics";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import type { JobDefinition } from "./job-definition";
import { createJobRunner, type JobTiming } from "./job-runner";
import { purgeExpiredSessionsJob } from "./purge-expired-sessions";

const KEYS = [{ id: "jobs2", key: randomBytes(32) }];
const FAST: JobTiming = { cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1, pollingIntervalSeconds: 0.5 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A logger whose JSON lines the test can read. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

async function jobRuns(queue: string, result: "completed" | "failed"): Promise<number> {
  const metric = await getMetrics().jobRuns.get();
  return metric.values.find((value) => value.labels.queue === queue && value.labels.result === result)?.value ?? 0;
}

describe.each(seededTestTargets({ label: "jobs_runner", keys: KEYS }))("the job runner on $name", (target) => {
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
  });

  afterAll(async () => {
    await db?.close();
    await target.dispose();
  });

  it("runs jobs through the queue: counted, a failure logged and retried, the queue depth exported", async () => {
    let attempts = 0;
    const flaky: JobDefinition = {
      name: `test.flaky-${target.name.toLowerCase()}`,
      cron: "0 0 1 1 *",
      description: "fails once, then succeeds",
      retryDelaySeconds: 0,
      run: async ({ attempt }) => {
        attempts += 1;
        if (attempt === 1) throw new Error("first attempt fails on purpose");
        return { attempt };
      },
    };
    const { logger, lines } = capturedLogger();
    const runner = createJobRunner({ database: db, databaseUrl: target.databaseUrl, jobs: [flaky, purgeExpiredSessionsJob], timing: FAST, logger });
    await runner.start();
    try {
      const [failedBefore, completedBefore] = [await jobRuns(flaky.name, "failed"), await jobRuns(flaky.name, "completed")];
      const id = await runner.runNow(flaky.name);
      await waitFor("the retry to succeed", async () => (await jobRuns(flaky.name, "completed")) > completedBefore);
      expect(attempts).toBe(2);
      expect(await jobRuns(flaky.name, "failed")).toBe(failedBefore + 1);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 50, queue: flaky.name, jobId: id, attempt: 1, willRetry: true, err: expect.objectContaining({ message: "first attempt fails on purpose" }) }),
          expect.objectContaining({ level: 30, queue: flaky.name, jobId: id, attempt: 2, result: { attempt: 2 } }),
        ]),
      );

      // A real job through the queue: an idle session ends, audited under the job's id.
      const now = Date.now();
      const token = await signInForTest(db.prisma, "viewer.copilot@github.example", { createdAt: new Date(now - 3_600_000), expires: new Date(now - 1_000) });
      const jobId = await runner.runNow(purgeExpiredSessionsJob.name);
      await waitFor("the session to be purged", async () => (await db.prisma.session.count({ where: { sessionToken: token } })) === 0);
      await waitFor("the run to be counted", async () => (await jobRuns(purgeExpiredSessionsJob.name, "completed")) > 0);
      const audit = await db.prisma.$queryRawUnsafe<Array<{ actor_email: string }>>(
        `SELECT actor_email FROM audit_event WHERE action = 'auth.session_expired' AND request_id = $1`,
        `job:${jobId}`,
      );
      expect(audit).toEqual([{ actor_email: "viewer.copilot@github.example" }]);

      // Queue depth, as a scrape reads it: nothing waiting now; a job sent while no worker polls it waits.
      const depth = async () => (await getMetrics().registry.metrics()).split("\n").filter((line) => line.startsWith("portal_job_queue_depth{"));
      expect(await depth()).toEqual(expect.arrayContaining([`portal_job_queue_depth{queue="${flaky.name}",state="waiting"} 0`, `portal_job_queue_depth{queue="${flaky.name}",state="active"} 0`]));
    } finally {
      await runner.stop({ timeoutMs: 2_000 });
    }
  });

  it("reports waiting jobs in the queue depth", async () => {
    const idle: JobDefinition = { name: `test.idle-${target.name.toLowerCase()}`, cron: "0 0 1 1 *", description: "never polled in time", run: async () => ({}) };
    // A runner that polls rarely: sent jobs wait in the queue.
    const runner = createJobRunner({ database: db, databaseUrl: target.databaseUrl, jobs: [idle], timing: { ...FAST, pollingIntervalSeconds: 60 }, logger: pino({ level: "silent" }) });
    await runner.start();
    try {
      await sleep(1_000); // past the worker's first poll
      await runner.runNow(idle.name);
      await runner.runNow(idle.name);
      const text = await getMetrics().registry.metrics();
      expect(text).toContain(`portal_job_queue_depth{queue="${idle.name}",state="waiting"} 2`);
    } finally {
      await runner.stop({ timeoutMs: 1_000 });
    }
    // A stopped runner no longer reads the queue when scraped.
    expect(await getMetrics().registry.metrics()).not.toContain("portal_job_queue_depth{queue=");
  });

  // Several instances need PostgreSQL: the embedded database serves one process.
  if (target.name === "PostgreSQL") {
    it("runs each scheduled occurrence once across two instances, and each sent job once", async () => {
      const second = await connectDatabase({ databaseUrl: target.databaseUrl, pgliteDataDir: "(unused)", poolSize: 2 });
      const ticks: Array<{ instance: string; jobId: string; at: number }> = [];
      const sent: Array<{ instance: string; jobId: string }> = [];
      const jobsOf = (instance: string): JobDefinition[] => [
        { name: "test.every-minute", cron: "* * * * *", description: "records each run", run: async ({ jobId }) => (ticks.push({ instance, jobId, at: Date.now() }), {}) },
        { name: "test.sent", cron: "0 0 1 1 *", description: "records each run", run: async ({ jobId }) => (sent.push({ instance, jobId }), {}) },
      ];
      // A minute's occurrence is enqueued when its minute starts (or when a runner starts within it):
      // start early in a minute, so that this minute's and the next one's are two distinct occurrences.
      if (new Date().getUTCSeconds() >= 45) await sleep(60_000 - (Date.now() % 60_000) + 500);
      const quiet = pino({ level: "silent" });
      const one = createJobRunner({ database: db, databaseUrl: target.databaseUrl, jobs: jobsOf("one"), timing: FAST, logger: quiet });
      const two = createJobRunner({ database: second, databaseUrl: target.databaseUrl, jobs: jobsOf("two"), timing: FAST, logger: quiet });
      try {
        await Promise.all([one.start(), two.start()]);
        const startedMinute = Math.floor(Date.now() / 60_000);

        const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).runNow("test.sent")));
        await waitFor("every sent job to run", () => sent.length >= ids.length);

        // Both runners check the schedule every second; wait for the next minute's occurrence, then a while longer.
        await sleep((startedMinute + 1) * 60_000 + 6_000 - Date.now());
        expect(ticks).toHaveLength(2);
        expect(new Set(ticks.map((tick) => tick.jobId)).size).toBe(2);
        expect(ticks.map((tick) => Math.floor(tick.at / 60_000))).toEqual([startedMinute, startedMinute + 1]);

        expect(sent).toHaveLength(ids.length);
        expect(new Set(sent.map((run) => run.jobId))).toEqual(new Set(ids));
      } finally {
        await Promise.all([one.stop({ timeoutMs: 2_000 }), two.stop({ timeoutMs: 2_000 })]);
        await second.close();
      }
    }, 100_000);
  }
});
