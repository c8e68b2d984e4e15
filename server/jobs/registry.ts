// The portal's background jobs: everything periodic runs here, on the
// PostgreSQL job queue (./job-runner.ts), once per occurrence across all
// instances — never on a timer inside the web process.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { deliverNotificationsJob } from "./deliver-notifications";
import { evaluateAuditAlertsJob } from "./evaluate-audit-alerts";
import { deliverToSiemJob } from "./deliver-to-siem";
import type { JobDefinition } from "./job-definition";
import { expireAccessRequestsJob } from "./expire-access-requests";
import { purgeExpiredSessionsJob } from "./purge-expired-sessions";
import { purgeRateBucketsJob } from "./purge-rate-buckets";
import { sealAuditLogJob } from "./seal-audit-log";
import { submitAuditWitnessesJob } from "./submit-audit-witnesses";
import { verifyAuditTrailFullJob } from "./verify-audit-trail-full";
import { sendGrantRemindersJob } from "./send-grant-reminders";
import { closeAccessReviewsJob, openAccessReviewsJob, remindAccessReviewsJob } from "./access-reviews";
import { notifyExpiredGrantsJob } from "./notify-expired-grants";
import { maintainTelemetryPartitionsJob } from "./maintain-telemetry-partitions";
import { compactRollupDaysJob } from "./compact-rollup-days";

export const JOBS: readonly JobDefinition[] = [
  purgeExpiredSessionsJob,
  purgeRateBucketsJob,
  sealAuditLogJob,
  deliverNotificationsJob,
  evaluateAuditAlertsJob,
  deliverToSiemJob,
  submitAuditWitnessesJob,
  verifyAuditTrailFullJob,
  expireAccessRequestsJob,
  sendGrantRemindersJob,
  openAccessReviewsJob,
  remindAccessReviewsJob,
  closeAccessReviewsJob,
  notifyExpiredGrantsJob,
  maintainTelemetryPartitionsJob,
  compactRollupDaysJob,
];
