// Job `grants.expiry-reminders`: tells a grant's holder it expires soon, at
// each threshold of GRANT_REMINDER_DAYS (14 and 3 days by default), once per
// grant, threshold and expiry — recorded in `grant_reminder` (an extension
// moves the expiry, so the reminders come again before the new one) and in
// the outbox with a dedupe key. A grant first seen inside several thresholds
// (given for 10 days) gets one reminder, for the nearest. Each reminder has
// its audit row (`access.grant_reminder`). Idempotent.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { grantInForce } from "@/server/access/access-now";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { getEnv } from "@/server/config/env";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import type { PrismaClient } from "@/server/db/generated/client";
import { notifyExpiryReminder } from "@/server/data/access/notify";
import type { JobDefinition } from "./job-definition";

const DAY_MS = 86_400_000;

export async function sendGrantReminders(prisma: PrismaClient, options: { requestId: string; now?: Date; thresholds?: readonly number[] }): Promise<{ reminded: number }> {
  const now = options.now ?? new Date();
  const thresholds = [...(options.thresholds ?? getEnv().GRANT_REMINDER_DAYS)].sort((a, b) => a - b);
  const widest = thresholds.at(-1);
  if (widest === undefined) return { reminded: 0 };
  const grants = await prisma.grant.findMany({
    where: { ...grantInForce(now), expiresAt: { gt: now, lte: new Date(now.getTime() + widest * DAY_MS) }, person: { status: "active" } },
    include: { reminders: true },
    orderBy: { expiresAt: "asc" },
  });
  let reminded = 0;
  for (const grant of grants) {
    const left = grant.expiresAt.getTime() - now.getTime();
    const nearest = thresholds.find((days) => left <= days * DAY_MS);
    if (nearest === undefined) continue;
    const sameExpiry = grant.reminders.filter((reminder) => reminder.expiresAt.getTime() === grant.expiresAt.getTime());
    if (sameExpiry.some((reminder) => reminder.daysBefore <= nearest)) continue;
    const sent = await prisma.$transaction(async (tx) => {
      // Every threshold this reminder covers, so a later run does not send the wider ones late.
      const covered = thresholds.filter((days) => days >= nearest);
      const inserted = await tx.grantReminder.createMany({
        data: covered.map((days) => ({ grantId: grant.id, daysBefore: days, expiresAt: grant.expiresAt, sentAt: now })),
        skipDuplicates: true,
      });
      if (inserted.count === 0) return false;
      const label = grant.groupKey ? `telemetry access to ${GROUP_LABELS[grant.groupKey]}` : `the ${grant.role} role`;
      await notifyExpiryReminder(tx, { id: grant.id, personId: grant.personId, groupKey: grant.groupKey, label, expiresAt: grant.expiresAt }, nearest);
      await writeAuditEvent(tx, {
        requestId: options.requestId,
        actor: null,
        actorIp: null,
        actorUserAgent: null,
        action: "access.grant_reminder",
        outcome: "allowed",
        reason: `expires within ${nearest} days`,
        targetType: "grant",
        targetId: grant.id,
        after: { personId: grant.personId, expiresAt: grant.expiresAt, daysBefore: nearest },
      });
      return true;
    }, AUDITED_TRANSACTION);
    if (sent) reminded += 1;
  }
  return { reminded };
}

export const sendGrantRemindersJob: JobDefinition = {
  name: "grants.expiry-reminders",
  cron: "7 * * * *",
  description: "reminds holders of grants expiring within GRANT_REMINDER_DAYS (14 and 3 days by default), once per threshold",
  run: async ({ prisma, jobId }) => sendGrantReminders(prisma, { requestId: `job:${jobId}` }),
};
