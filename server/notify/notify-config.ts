// What the notification outbox needs from the environment (server/config/env.ts):
// the SMTP relay and sender, the webhooks, and the retry schedule. A channel
// that is not configured gets no outbox rows (server/notify/enqueue.ts).
//
// No "server-only": the job runner (scripts/start.ts) delivers notifications.
import { createHash } from "node:crypto";
import type { PortalEnv } from "@/server/config/env";

export type SmtpSettings = {
  host: string;
  port: number;
  /** TLS from the first byte (smtps, usually port 465); otherwise STARTTLS when the relay offers it */
  secure: boolean;
  /** refuse to send unless STARTTLS succeeds */
  requireTls: boolean;
  auth: { user: string; pass: string } | null;
};

export type WebhookTarget = {
  /** stored as the outbox row's recipient: "webhook:" + the first 16 hex digits of SHA-256(url); the URL itself may hold a secret */
  id: string;
  url: string;
};

export type NotifyConfig = {
  /** the portal's origin: every link is made absolute from it */
  portalUrl: string;
  email: { smtp: SmtpSettings; from: string } | null;
  webhooks: WebhookTarget[];
  /** HMAC-SHA256 key for the webhook signature header, when set */
  webhookSecret: string | null;
  maxAttempts: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  retentionDays: number;
};

export function webhookId(url: string): string {
  return `webhook:${createHash("sha256").update(url).digest("hex").slice(0, 16)}`;
}

function smtpFromEnv(env: PortalEnv): SmtpSettings | null {
  if (env.SMTP_URL) {
    const url = new URL(env.SMTP_URL);
    const secure = url.protocol === "smtps:";
    const user = decodeURIComponent(url.username);
    return {
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      requireTls: env.SMTP_REQUIRE_TLS,
      auth: user ? { user, pass: decodeURIComponent(url.password) } : null,
    };
  }
  if (env.SMTP_HOST) {
    return {
      host: env.SMTP_HOST,
      port: env.SMTP_PORT ?? (env.SMTP_SECURE ? 465 : 587),
      secure: env.SMTP_SECURE,
      requireTls: env.SMTP_REQUIRE_TLS,
      auth: env.SMTP_USER && env.SMTP_PASSWORD ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD } : null,
    };
  }
  return null;
}

export function loadNotifyConfig(env: PortalEnv): NotifyConfig {
  const smtp = smtpFromEnv(env);
  const host = new URL(env.PORTAL_URL).hostname;
  return {
    portalUrl: env.PORTAL_URL,
    email: smtp ? { smtp, from: env.NOTIFY_FROM ?? `Telemetry Portal <telemetry-portal@${host}>` } : null,
    webhooks: [...new Set(env.NOTIFY_WEBHOOK_URL ?? [])].map((url) => ({ id: webhookId(url), url })),
    webhookSecret: env.NOTIFY_WEBHOOK_SECRET ?? null,
    maxAttempts: env.NOTIFY_MAX_ATTEMPTS,
    retryBaseSeconds: env.NOTIFY_RETRY_BASE_SECONDS,
    retryMaxSeconds: Math.max(env.NOTIFY_RETRY_MAX_SECONDS, env.NOTIFY_RETRY_BASE_SECONDS),
    retentionDays: env.NOTIFY_RETENTION_DAYS,
  };
}

/** Seconds to wait after failed attempt number `attempt` (1, 2, …): base × 2^(attempt−1), at most the cap. */
export function retryDelaySeconds(config: Pick<NotifyConfig, "retryBaseSeconds" | "retryMaxSeconds">, attempt: number): number {
  return Math.min(config.retryMaxSeconds, config.retryBaseSeconds * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
}
