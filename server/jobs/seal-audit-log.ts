// Job `audit.checkpoint`: appends newly committed audit rows to the Merkle log
// and signs a checkpoint of it (server/audit/checkpoints/seal-audit-log.ts),
// written to the table and to AUDIT_CHECKPOINT_DIR. Idempotent: a rerun seals
// only rows without a leaf and writes only a checkpoint file that is missing.
// In production without AUDIT_SIGNING_KEY_FILE it logs, every run, that
// checkpoints are disabled.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { loadCheckpointConfig } from "@/server/audit/checkpoints/checkpoint-config";
import { sealAuditLog } from "@/server/audit/checkpoints/seal-audit-log";
import { getEnv } from "@/server/config/env";
import type { JobDefinition } from "./job-definition";

export const sealAuditLogJob: JobDefinition = {
  name: "audit.checkpoint",
  cron: "* * * * *",
  description: "appends committed audit rows to the Merkle log and signs a checkpoint (table and AUDIT_CHECKPOINT_DIR)",
  retryDelaySeconds: 10,
  timeoutSeconds: 120,
  run: async ({ prisma, logger }) => {
    const config = loadCheckpointConfig(getEnv());
    if (!config.enabled) {
      logger.error({ queue: "audit.checkpoint" }, config.reason);
      return { disabled: 1 };
    }
    return sealAuditLog(prisma, { signer: config.signer, directory: config.directory });
  },
};
