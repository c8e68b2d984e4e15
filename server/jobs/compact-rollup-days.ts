// Job `rollups.days.compact`: folds the per-day rollups' delta rows
// (migration 20261205010000_rollup_days; server/telemetry/rollup-maintenance.ts)
// so a day's counts stay one row per key. Every minute: the deltas of a busy
// minute are a few thousand rows, and the reads sum whatever is not folded
// yet, so a late or skipped run costs speed, never correctness.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { compactRollupDays } from "@/server/telemetry/rollup-maintenance";
import type { JobDefinition } from "./job-definition";

export const compactRollupDaysJob: JobDefinition = {
  name: "rollups.days.compact",
  cron: "* * * * *",
  description: "folds the per-day rollups' delta rows into one row per key and day",
  run: async ({ prisma }) => {
    // one statement (the function), so one transaction
    const folded = await compactRollupDays(prisma);
    return { folded };
  },
};
