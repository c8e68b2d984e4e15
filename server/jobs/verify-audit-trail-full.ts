// Job `audit.verify-full`: the daily FULL verification (every row re-hashed,
// every leaf recomputed, every checkpoint), which sees what incremental
// verification cannot: an old row edited while its hashes were left alone
// (server/audit/verify-trail.ts). On PostgreSQL the rows are streamed with
// COPY on a connection of its own. A success becomes the next incremental
// run's resume point; a failure is logged with every finding and fails the
// run (portal_job_runs_total{result="failed"}), without retries.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import pg from "pg";
import { loadCheckpointConfig } from "@/server/audit/checkpoints/checkpoint-config";
import { verifierOf } from "@/server/audit/checkpoints/signed-note";
import { verifyAuditTrail } from "@/server/audit/verify-trail";
import { loadWitnesses } from "@/server/audit/witness/witness-config";
import { getEnv } from "@/server/config/env";
import { SESSION_OPTIONS } from "@/server/db/connect";
import type { JobDefinition } from "./job-definition";

export const verifyAuditTrailFullJob: JobDefinition = {
  name: "audit.verify-full",
  cron: "17 3 * * *",
  description: "verifies the whole audit trail (every row, leaf and checkpoint) and records it as the next incremental starting point",
  retryLimit: 0,
  timeoutSeconds: 3_600,
  run: async ({ prisma, logger }) => {
    const env = getEnv();
    const config = loadCheckpointConfig(env);
    let copyClient: pg.Client | undefined;
    try {
      if (env.DATABASE_URL) {
        copyClient = new pg.Client({ connectionString: env.DATABASE_URL, options: SESSION_OPTIONS });
        await copyClient.connect();
      }
      const result = await verifyAuditTrail(prisma, {
        full: true,
        verifier: config.enabled ? verifierOf(config.signer) : null,
        directory: config.directory,
        witnesses: loadWitnesses(env),
        copyClient,
      });
      if (!result.ok) {
        for (const failure of result.failures) logger.error({ queue: "audit.verify-full" }, `Audit trail verification FAILED: ${failure}`);
        throw new Error(`the full audit verification found ${result.failures.length} problems (logged above)`);
      }
      return { rows: result.chains.rowsChecked, leaves: result.leavesChecked, checkpoints: result.checkpointsChecked, durationMs: result.durationMs };
    } finally {
      await copyClient?.end().catch(() => undefined);
    }
  },
};
