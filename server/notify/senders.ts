// How one outbox row leaves the portal: an e-mail through the SMTP relay
// (nodemailer) or a Slack-compatible JSON POST to a webhook. Each send
// answers delivered, or an error saying whether a retry could help and
// whether the whole channel looks down (so the rest of the run's batch for
// it waits instead of timing out one by one).
//
// Receivers can drop the duplicates at-least-once delivery allows: every
// e-mail has the Message-ID `<notification-<id>@<portal host>>`, every
// webhook POST the headers `X-Portal-Notification-Id` and `Idempotency-Key`.
//
// No "server-only": the job runner (scripts/start.ts) delivers notifications.
import { createHmac } from "node:crypto";
import nodemailer from "nodemailer";
import type { NotifyConfig, SmtpSettings } from "./notify-config";

export type OutboxMessage = {
  id: bigint;
  kind: string;
  channel: "email" | "webhook";
  recipient: string;
  subject: string;
  text: string;
  /** a portal path */
  link: string;
  createdAt: Date;
};

export type SendFailure = {
  message: string;
  /** a retry cannot help (the address or webhook was refused for good) */
  permanent: boolean;
  /** the relay or webhook itself is unreachable or refusing: skip its other messages this run */
  channelDown: boolean;
};

export class SendError extends Error {
  override name = "SendError";
  constructor(readonly failure: SendFailure) {
    super(failure.message);
  }
}

export type Sender = {
  send(message: OutboxMessage): Promise<void>;
  close(): void;
};

const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
const WEBHOOK_TIMEOUT_MS = 10_000;

export function absoluteLink(config: Pick<NotifyConfig, "portalUrl">, path: string): string {
  return new URL(path, config.portalUrl).toString();
}

function messageId(config: Pick<NotifyConfig, "portalUrl">, id: bigint): string {
  return `<notification-${id}@${new URL(config.portalUrl).hostname}>`;
}

export function emailBody(config: Pick<NotifyConfig, "portalUrl">, message: Pick<OutboxMessage, "text" | "link">): string {
  const text = message.text.trim();
  return `${text ? `${text}\n\n` : ""}Open in the Telemetry Portal: ${absoluteLink(config, message.link)}\n\n-- \nSent by the Telemetry Portal. This message carries no telemetry; sign in to see details.\n`;
}

type SmtpError = Error & { code?: string; responseCode?: number };

/** 5xx for a recipient or the message is final; anything about the connection, TLS or authentication is the relay's. */
function classifySmtpError(error: unknown): SendFailure {
  const { code, responseCode, message } = (error ?? {}) as SmtpError;
  const reply = typeof responseCode === "number" ? ` (SMTP ${responseCode})` : "";
  const text = `${code ?? "SMTP"}: ${String(message ?? error).split("\n")[0]}${reply}`.slice(0, 500);
  const aboutThisMessage = code === "EENVELOPE" || code === "EMESSAGE";
  return {
    message: text,
    permanent: aboutThisMessage && typeof responseCode === "number" && responseCode >= 500 && responseCode < 600,
    channelDown: !aboutThisMessage,
  };
}

export function createEmailSender(config: NotifyConfig & { email: { smtp: SmtpSettings; from: string } }): Sender {
  const { smtp, from } = config.email;
  // One pooled connection per delivery run, closed at its end.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 1,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    auth: smtp.auth ?? undefined,
    ...SMTP_TIMEOUTS,
  });
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from,
          to: message.recipient,
          subject: message.subject,
          text: emailBody(config, message),
          messageId: messageId(config, message.id),
          date: message.createdAt,
          headers: { "Auto-Submitted": "auto-generated", "X-Portal-Notification-Kind": message.kind, "X-Portal-Notification-Id": String(message.id) },
        });
      } catch (error) {
        throw new SendError(classifySmtpError(error));
      }
    },
    close() {
      transport.close();
    },
  };
}

/** Slack's mrkdwn needs &, < and > escaped; everything else passes. */
function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The webhook's JSON: Slack-compatible `text`, plus the notification as fields for other receivers. */
export function webhookPayload(config: Pick<NotifyConfig, "portalUrl">, message: OutboxMessage): string {
  const link = absoluteLink(config, message.link);
  const body = message.text.trim();
  return JSON.stringify({
    text: `*${slackEscape(message.subject)}*\n${body ? `${slackEscape(body)}\n` : ""}<${link}|Open in the Telemetry Portal>`,
    notification: { id: String(message.id), kind: message.kind, subject: message.subject, text: message.text, link, createdAt: message.createdAt.toISOString() },
  });
}

/** `v1=` + HMAC-SHA256(secret, "<timestamp>.<body>") in hex, as in X-Portal-Signature. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export function createWebhookSender(config: NotifyConfig, options: { now?: () => Date } = {}): Sender {
  const urls = new Map(config.webhooks.map((hook) => [hook.id, hook.url]));
  const now = options.now ?? (() => new Date());
  return {
    async send(message) {
      const url = urls.get(message.recipient);
      if (!url) throw new SendError({ message: "This webhook is no longer configured (NOTIFY_WEBHOOK_URL).", permanent: true, channelDown: false });
      const body = webhookPayload(config, message);
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        "User-Agent": "telemetry-portal-notify",
        "X-Portal-Notification-Id": String(message.id),
        "X-Portal-Notification-Kind": message.kind,
        "Idempotency-Key": `notification-${message.id}`,
      };
      if (config.webhookSecret) {
        const timestamp = String(Math.floor(now().getTime() / 1000));
        headers["X-Portal-Timestamp"] = timestamp;
        headers["X-Portal-Signature"] = webhookSignature(config.webhookSecret, timestamp, body);
      }
      let response: Response;
      try {
        // A redirect is not followed: the configured URL is the one that was approved.
        response = await fetch(url, { method: "POST", body, headers, redirect: "manual", signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : (cause ?? (error instanceof Error ? error.message : String(error)));
        throw new SendError({ message: `webhook unreachable: ${reason}`.slice(0, 500), permanent: false, channelDown: true });
      }
      // Read (and drop) the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return;
      const status = response.status;
      const transient = status === 408 || status === 425 || status === 429 || status >= 500;
      throw new SendError({ message: `webhook answered HTTP ${status}`, permanent: !transient, channelDown: transient });
    },
    close() {},
  };
}
