// A group's access-review settings as they apply: its own cadence and
// consequence, or the defaults (ACCESS_REVIEW_CADENCE_DAYS,
// ACCESS_REVIEW_CONSEQUENCE); every campaign stays open
// ACCESS_REVIEW_DURATION_DAYS. Also the one definition of "unused".
//
// No "server-only": the access-review jobs, started by scripts/start.ts, use it.
import { getEnv } from "@/server/config/env";
import type { AccessReviewConsequence } from "@/server/db/generated/client";

/** A grant whose holder did not read, reveal or export with it for this many days is flagged "unused". */
export const UNUSED_DAYS = 30;

export const DAY_MS = 86_400_000;

export type ReviewSettings = {
  cadenceDays: number;
  consequence: AccessReviewConsequence;
  durationDays: number;
  reminderDays: number;
  /** true when the group has its own cadence or consequence */
  isCustom: boolean;
};

export function reviewSettingsOf(group: { reviewCadenceDays: number | null; reviewConsequence: AccessReviewConsequence | null }): ReviewSettings {
  const env = getEnv();
  return {
    cadenceDays: group.reviewCadenceDays ?? env.ACCESS_REVIEW_CADENCE_DAYS,
    consequence: group.reviewConsequence ?? env.ACCESS_REVIEW_CONSEQUENCE,
    durationDays: env.ACCESS_REVIEW_DURATION_DAYS,
    reminderDays: env.ACCESS_REVIEW_REMINDER_DAYS,
    isCustom: group.reviewCadenceDays !== null || group.reviewConsequence !== null,
  };
}
