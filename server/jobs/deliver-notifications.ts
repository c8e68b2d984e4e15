// Job `notify.deliver`: sends the notification outbox's due rows (e-mail and
// webhooks) and deletes delivered or failed rows past NOTIFY_RETENTION_DAYS
// (server/notify/deliver-notifications.ts). Idempotent: a row is claimed
// before it is sent and marked after, so overlapping runs never send the same
// row at once, and a delivered row is never sent again. Reports the outbox's
// depth and oldest pending age when Prometheus scrapes.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { getEnv } from "@/server/config/env";
import { collectOutboxMetrics, deliverDueNotifications, resetOutboxMetrics } from "@/server/notify/deliver-notifications";
import { loadNotifyConfig } from "@/server/notify/notify-config";
import type { JobDefinition } from "./job-definition";

export const deliverNotificationsJob: JobDefinition = {
  name: "notify.deliver",
  cron: "* * * * *",
  description: "delivers due notifications (SMTP, webhooks) from the outbox, retrying with backoff",
  // Each row has its own retry schedule; a failed run is simply the next minute's.
  retryLimit: 0,
  timeoutSeconds: 120,
  run: async ({ prisma, logger }) => deliverDueNotifications(prisma, { config: loadNotifyConfig(getEnv()), logger: logger.child({ queue: "notify.deliver" }) }),
  collectMetrics: (prisma) => collectOutboxMetrics(prisma),
  resetMetrics: resetOutboxMetrics,
};
