// Job `audit.witness`: submits the newest signed checkpoint to every witness
// of AUDIT_WITNESS_URLS (server/audit/witness/submit-checkpoints.ts) and keeps
// their cosignatures. Idempotent: a checkpoint a witness already cosigned is
// not sent again. A witness that is unreachable or refuses is logged by name
// and counted (portal_audit_witness_submissions_total), and the run fails so
// pg-boss retries it with backoff; nothing else waits on it.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { loadCheckpointConfig } from "@/server/audit/checkpoints/checkpoint-config";
import { submitToWitnesses } from "@/server/audit/witness/submit-checkpoints";
import { loadWitnesses } from "@/server/audit/witness/witness-config";
import { getEnv } from "@/server/config/env";
import type { JobDefinition } from "./job-definition";

export const submitAuditWitnessesJob: JobDefinition = {
  name: "audit.witness",
  cron: "* * * * *",
  description: "submits the newest audit checkpoint to the witnesses of AUDIT_WITNESS_URLS and keeps their cosignatures",
  retryDelaySeconds: 15,
  timeoutSeconds: 120,
  run: async ({ prisma, logger }) => {
    const env = getEnv();
    const witnesses = loadWitnesses(env);
    if (witnesses.length === 0 || !loadCheckpointConfig(env).enabled) return { witnesses: 0, cosigned: 0 };
    const outcomes = await submitToWitnesses(prisma, witnesses);
    const failed = outcomes.filter((outcome) => outcome.result === "refused" || outcome.result === "unreachable");
    for (const outcome of failed) {
      logger.error({ queue: "audit.witness", witness: outcome.witness, result: outcome.result, treeSize: outcome.treeSize }, outcome.message ?? "witness submission failed");
    }
    if (failed.length > 0) throw new Error(`${failed.length} of ${outcomes.length} witnesses did not cosign checkpoint ${outcomes[0]?.treeSize}: ${failed.map((outcome) => outcome.message).join("; ")}`);
    return { witnesses: outcomes.length, cosigned: outcomes.filter((outcome) => outcome.result === "cosigned").length };
  },
};
