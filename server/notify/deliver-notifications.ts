// Delivers the notification outbox (./enqueue.ts): run by the `notify.deliver`
// job every minute, on whichever instance pg-boss gives it to.
//
// At least once. A row is claimed with one UPDATE (attempts + 1, and
// `next_attempt_at` pushed a lease ahead) over `FOR UPDATE SKIP LOCKED`, so
// two runs never claim the same row at once; then it is sent, then marked.
//   - accepted by the relay / a 2xx from the webhook → delivered_at, done;
//   - refused for good (SMTP 5xx for the recipient or message, webhook
//     4xx other than 408/425/429, a webhook no longer configured) → failed_at;
//   - anything else → retried after NOTIFY_RETRY_BASE_SECONDS × 2^(attempt−1)
//     (at most NOTIFY_RETRY_MAX_SECONDS); at NOTIFY_MAX_ATTEMPTS → failed_at.
// A process that dies between sending and marking leaves the row claimed;
// when the lease ends it is due again and sent again. So a message can arrive
// twice (never zero times once committed); receivers drop duplicates by its
// Message-ID / Idempotency-Key (./senders.ts). A delivered row is never sent
// again.
//
// When the relay or a webhook is down (connection refused, timeout, 5xx), the
// rest of this run's messages for it are put back untried (their attempt not
// counted) until the same retry time, so an outage costs one timeout per run,
// not one per message.
//
// Rows delivered or failed are deleted NOTIFY_RETENTION_DAYS after they were
// written. Logs carry row ids and channels, never addresses or message text.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import type { Logger } from "pino";
import type { PrismaClient } from "@/server/db/generated/client";
import { getMetrics } from "@/server/observability/metrics";
import { retryDelaySeconds, type NotifyConfig } from "./notify-config";
import { createEmailSender, createWebhookSender, SendError, type OutboxMessage, type Sender, type SendFailure } from "./senders";

export const CHANNELS = ["email", "webhook"] as const;
export type Channel = (typeof CHANNELS)[number];

/** How long a claimed row stays invisible to other runs: well beyond the senders' timeouts. */
const LEASE_SECONDS = 300;

export type DeliveryOptions = {
  config: NotifyConfig;
  now?: () => Date;
  /** rows claimed at a time (default 20) */
  batchSize?: number;
  /** stop claiming after this long (default 50 s: the job runs every minute) */
  budgetMs?: number;
  logger?: Pick<Logger, "info" | "warn" | "error">;
};

export type DeliveryResult = { delivered: number; retried: number; failed: number; deferred: number; purged: number };

type ClaimedRow = {
  id: bigint;
  kind: string;
  channel: string;
  recipient: string;
  subject: string;
  text: string;
  link: string;
  created_at: Date;
  attempts: number;
};

const iso = (date: Date) => date.toISOString();
const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
/** Error texts from relays may quote an address; logs never carry one. */
const withoutAddresses = (text: string) => text.replace(/[^\s<>"'()]+@[^\s<>"'()]+/g, "<address>");

export async function deliverDueNotifications(prisma: PrismaClient, options: DeliveryOptions): Promise<DeliveryResult> {
  const { config, logger } = options;
  const clock = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 20;
  const budgetMs = options.budgetMs ?? 50_000;
  const metrics = getMetrics();
  const result: DeliveryResult = { delivered: 0, retried: 0, failed: 0, deferred: 0, purged: 0 };
  const startedAt = Date.now();
  /** a relay or webhook found down this run → when its messages are due again */
  const downUntil = new Map<string, Date>();
  const senders = new Map<Channel, Sender>();

  const senderFor = (channel: Channel): Sender | SendFailure => {
    const existing = senders.get(channel);
    if (existing) return existing;
    if (channel === "email" && !config.email) return { message: "No SMTP relay is configured (SMTP_URL or SMTP_HOST).", permanent: true, channelDown: false };
    const sender = channel === "email" && config.email ? createEmailSender({ ...config, email: config.email }) : createWebhookSender(config, { now: clock });
    senders.set(channel, sender);
    return sender;
  };

  try {
    while (Date.now() - startedAt < budgetMs) {
      const now = clock();
      const claimed = await prisma.$queryRaw<ClaimedRow[]>`
        UPDATE notification_outbox
           SET attempts = attempts + 1, next_attempt_at = ${iso(addSeconds(now, LEASE_SECONDS))}::timestamptz
         WHERE id IN (
           SELECT id FROM notification_outbox
            WHERE next_attempt_at <= ${iso(now)}::timestamptz
            ORDER BY next_attempt_at, id
            LIMIT ${batchSize}
            FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, channel, recipient, subject, text, link, created_at, attempts`;
      claimed.sort((a, b) => (a.id < b.id ? -1 : 1));
      for (const row of claimed) {
        const channel: Channel = row.channel === "webhook" ? "webhook" : "email";
        const target = channel === "email" ? "email" : row.recipient;
        const down = downUntil.get(target);
        if (down) {
          await prisma.$executeRaw`
            UPDATE notification_outbox SET attempts = attempts - 1, next_attempt_at = ${iso(down)}::timestamptz
             WHERE id = ${row.id} AND attempts = ${row.attempts} AND delivered_at IS NULL AND failed_at IS NULL`;
          result.deferred += 1;
          continue;
        }
        const message: OutboxMessage = { id: BigInt(row.id), kind: row.kind, channel, recipient: row.recipient, subject: row.subject, text: row.text, link: row.link, createdAt: new Date(row.created_at) };
        let failure: SendFailure | null = null;
        const sender = senderFor(channel);
        if ("send" in sender) {
          try {
            await sender.send(message);
          } catch (error) {
            failure = error instanceof SendError ? error.failure : { message: error instanceof Error ? error.message : String(error), permanent: false, channelDown: false };
          }
        } else {
          failure = sender;
        }
        const doneAt = clock();
        if (!failure) {
          // Delivered is the truth, whatever another run decided meanwhile.
          await prisma.$executeRaw`
            UPDATE notification_outbox SET delivered_at = ${iso(doneAt)}::timestamptz, failed_at = NULL, next_attempt_at = NULL, last_error = NULL
             WHERE id = ${row.id} AND delivered_at IS NULL`;
          metrics.notificationsDelivered.inc({ channel });
          result.delivered += 1;
          continue;
        }
        metrics.notificationAttemptErrors.inc({ channel });
        const lastError = failure.message.slice(0, 1000);
        const givesUp = failure.permanent || row.attempts >= config.maxAttempts;
        const log = { notificationId: String(row.id), channel, attempt: row.attempts, error: withoutAddresses(lastError) };
        if (givesUp) {
          await prisma.$executeRaw`
            UPDATE notification_outbox SET failed_at = ${iso(doneAt)}::timestamptz, next_attempt_at = NULL, last_error = ${lastError}
             WHERE id = ${row.id} AND attempts = ${row.attempts} AND delivered_at IS NULL AND failed_at IS NULL`;
          metrics.notificationsFailed.inc({ channel });
          result.failed += 1;
          logger?.error(log, failure.permanent ? "A notification was refused for good; it is marked failed" : "A notification reached NOTIFY_MAX_ATTEMPTS; it is marked failed");
        } else {
          const retryAt = addSeconds(doneAt, retryDelaySeconds(config, row.attempts));
          await prisma.$executeRaw`
            UPDATE notification_outbox SET next_attempt_at = ${iso(retryAt)}::timestamptz, last_error = ${lastError}
             WHERE id = ${row.id} AND attempts = ${row.attempts} AND delivered_at IS NULL AND failed_at IS NULL`;
          result.retried += 1;
          if (failure.channelDown) downUntil.set(target, retryAt);
          logger?.warn({ ...log, retryAt: retryAt.toISOString() }, "A notification could not be delivered; it will be retried");
        }
      }
      if (claimed.length < batchSize) break;
    }
  } finally {
    for (const sender of senders.values()) sender.close();
  }

  const cutoff = addSeconds(clock(), -config.retentionDays * 86_400);
  result.purged = await prisma.$executeRaw`DELETE FROM notification_outbox WHERE next_attempt_at IS NULL AND created_at < ${iso(cutoff)}::timestamptz`;
  return result;
}

/** Sets portal_notification_outbox_depth and _oldest_pending_seconds from the table (at scrape time). */
export async function collectOutboxMetrics(prisma: PrismaClient, now: Date = new Date()): Promise<void> {
  const metrics = getMetrics();
  try {
    const rows = await prisma.$queryRaw<Array<{ channel: string; pending: bigint; failed: bigint; oldest: Date | null }>>`
      SELECT channel,
             count(*) FILTER (WHERE next_attempt_at IS NOT NULL) AS pending,
             count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
             min(created_at) FILTER (WHERE next_attempt_at IS NOT NULL) AS oldest
        FROM notification_outbox
       WHERE next_attempt_at IS NOT NULL OR failed_at IS NOT NULL
       GROUP BY channel`;
    for (const channel of CHANNELS) {
      const row = rows.find((item) => item.channel === channel);
      metrics.notificationOutboxDepth.set({ channel, state: "pending" }, Number(row?.pending ?? 0));
      metrics.notificationOutboxDepth.set({ channel, state: "failed" }, Number(row?.failed ?? 0));
      metrics.notificationOldestPending.set({ channel }, row?.oldest ? Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000) : 0);
    }
  } catch (error) {
    resetOutboxMetrics();
    throw error;
  }
}

export function resetOutboxMetrics(): void {
  const metrics = getMetrics();
  metrics.notificationOutboxDepth.reset();
  metrics.notificationOldestPending.reset();
}
