// The one way to send a notification: `enqueueNotification(tx, input)` writes
// outbox rows IN THE CALLER'S TRANSACTION, so a notification exists if and
// only if the change it reports committed. The `notify.deliver` job
// (./deliver-notifications.ts) sends them later, at least once, retried with
// backoff. Messages carry a link to the portal, never telemetry or content.
//
// One row per channel and recipient: an e-mail row per active person named
// (their address as it is now), a webhook row per configured webhook. A
// channel that is not configured (no SMTP relay, no NOTIFY_WEBHOOK_URL) gets
// no rows. With `dedupeKey`, a second enqueue for the same channel and
// recipient is a no-op (unique index, ON CONFLICT DO NOTHING).
//
// Server side only. It does not import "server-only" because jobs run by
// scripts/start.ts (the audit alerts) enqueue too; nothing in components/ or
// lib/ may import it.
import { z } from "zod";
import type { Prisma } from "@/server/db/generated/client";
import { getEnv } from "@/server/config/env";
import { loadNotifyConfig, type NotifyConfig } from "./notify-config";

export const NOTIFICATION_KINDS = [
  "access_request.created", // a request waits for approvers
  "access_request.decided", // approved / denied / cancelled / expired, to the requester
  "grant.expiry_reminder", // 14 and 3 days before (configurable)
  "grant.expired",
  "review.campaign", // campaign opened / reminder / closed
  "review.opened", // an access review campaign opened, to its reviewers
  "review.reminder", // a campaign is open with grants left to review
  "review.closed", // a campaign closed (and what befell the unreviewed grants)
  "break_glass.used", // to every admin and auditor, immediately
  "audit.alert", // an alert rule fired
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type NotificationInput = {
  kind: NotificationKind;
  /** short, no telemetry, no content, no personal data beyond names/emails of portal staff */
  subject: string;
  /** plain text body; never telemetry or content */
  text: string;
  /** a portal PATH (e.g. "/access/requests/42"); made absolute from PORTAL_URL at delivery */
  link: string;
  /** people (access-list person ids) to e-mail; their current email is resolved at enqueue */
  recipientPersonIds: string[];
  /** also post to the configured webhook(s) (NOTIFY_WEBHOOK_URL); default true */
  webhook?: boolean;
  /** idempotency: a second enqueue with the same key is a no-op (e.g. "reminder:<grantId>:14d") */
  dedupeKey?: string;
};

const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** A path on the portal: one leading slash (not `//` or `/\`), no control characters or blanks. */
const portalPath = z
  .string()
  .max(2000)
  .regex(/^\/(?![/\\])[^\s\u0000-\u001F\u007F]*$/, "must be a portal path such as /access/requests/42");

export const notificationInputSchema = z.strictObject({
  kind: z.enum(NOTIFICATION_KINDS),
  subject: z
    .string()
    .trim()
    .min(1, "is empty")
    .max(200)
    .refine((text) => !/[\r\n]/.test(text) && !CONTROL.test(text), "must be one line without control characters"),
  text: z
    .string()
    .max(10_000)
    .refine((text) => !CONTROL.test(text), "must not contain control characters other than line breaks and tabs"),
  link: portalPath,
  recipientPersonIds: z.array(z.guid().transform((id) => id.toLowerCase())).max(1_000),
  webhook: z.boolean().optional(),
  dedupeKey: z.string().min(1).max(300).optional(),
});

/** The input was not a valid notification (a bug in the caller): names the field. */
export class NotificationInputError extends Error {
  override name = "NotificationInputError";
}

export type EnqueueOptions = {
  /** defaults to the process's configuration (server/config/env.ts) */
  config?: NotifyConfig;
};

/** Writes outbox rows IN THE CALLER'S TRANSACTION (so a notification exists iff the change committed). */
export async function enqueueNotification(tx: Prisma.TransactionClient, input: NotificationInput, options: EnqueueOptions = {}): Promise<void> {
  // A bare client would commit the notification on its own, whatever becomes of the change.
  if (typeof (tx as { $disconnect?: unknown }).$disconnect === "function") {
    throw new TypeError("enqueueNotification must run inside the caller's transaction (pass the transaction client)");
  }
  const parsed = notificationInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NotificationInputError(`Invalid notification: ${issue?.path.join(".") || "input"} ${issue?.message ?? "is invalid"}.`);
  }
  const valid = parsed.data;
  const config = options.config ?? loadNotifyConfig(getEnv());

  const message = { kind: valid.kind, subject: valid.subject, text: valid.text, link: valid.link, dedupeKey: valid.dedupeKey ?? null };
  const rows: Prisma.NotificationOutboxCreateManyInput[] = [];
  const personIds = [...new Set(valid.recipientPersonIds)];
  if (config.email && personIds.length > 0) {
    // Their address now; people disabled (left, deprovisioned) are not written to.
    const people = await tx.person.findMany({ where: { id: { in: personIds }, status: "active" }, select: { id: true, email: true }, orderBy: { email: "asc" } });
    for (const person of people) rows.push({ ...message, channel: "email", recipient: person.email, recipientPersonId: person.id });
  }
  if (valid.webhook !== false) {
    for (const hook of config.webhooks) rows.push({ ...message, channel: "webhook", recipient: hook.id });
  }
  if (rows.length === 0) return;
  await tx.notificationOutbox.createMany({ data: rows, skipDuplicates: true });
}
