// Job `intake.rate-buckets.purge`: deletes the intake's token buckets that
// have refilled (server/ingest/rate-limit.ts). A missing bucket is a full one,
// so this changes no key's limit; it only keeps the table as small as the set
// of keys sending right now.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { getEnv } from "@/server/config/env";
import { purgeRefilledBuckets } from "@/server/ingest/rate-limit";
import type { JobDefinition } from "./job-definition";

export const purgeRateBucketsJob: JobDefinition = {
  name: "intake.rate-buckets.purge",
  cron: "*/15 * * * *",
  description: "deletes intake rate-limit buckets that have refilled (an absent bucket is a full one)",
  run: async ({ prisma }) => {
    const env = getEnv();
    const purged = await purgeRefilledBuckets(prisma, { ratePerSecond: env.INGEST_RATE_LIMIT_PER_SECOND, burst: env.INGEST_RATE_LIMIT_BURST });
    return { purged };
  },
};
