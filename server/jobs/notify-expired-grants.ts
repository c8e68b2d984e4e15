// Job `grants.expired-notices`: when a grant expires (by time, not revoked),
// its holder and the people who decide its group's requests (the group's
// named approvers and the admins; the admins for a role) hear of it — once
// per grant and expiry. "Once" is recorded as a `grant_reminder` row with
// days_before = 0 (an extension moves the expiry, so a later expiry is told
// again) and backed by the outbox's dedupe key. Only grants that expired in
// the last GRANT_EXPIRED_LOOKBACK_DAYS are considered, so a first run on an
// old database does not flood anyone. Each notice has its audit row
// (`access.grant_expired`, no actor: the portal did it). Idempotent.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { grantInForce } from "@/server/access/access-now";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import type { PrismaClient } from "@/server/db/generated/client";
import { notifyGrantExpired } from "@/server/data/access/notify";
import type { JobDefinition } from "./job-definition";

const DAY_MS = 86_400_000;
/** How far back an expiry is still told (a missed run, a stopped queue). */
export const GRANT_EXPIRED_LOOKBACK_DAYS = 7;
/** The grant_reminder row that records "the expiry was told" (the reminders use days > 0). */
export const EXPIRED_NOTICE_DAYS = 0;
const BATCH = 200;

export async function notifyExpiredGrants(prisma: PrismaClient, options: { requestId: string; now?: Date }): Promise<{ notified: number }> {
  const now = options.now ?? new Date();
  let notified = 0;
  for (;;) {
    // Expired in the window, not revoked, and not yet told for THIS expiry (an extension moves it).
    const ids = await prisma.$queryRaw<Array<{ id: string }>>`
      SELECT g.id::text AS id FROM "grant" g
      WHERE g.revoked_at IS NULL
        AND g.expires_at <= ${now.toISOString()}::timestamptz
        AND g.expires_at > ${new Date(now.getTime() - GRANT_EXPIRED_LOOKBACK_DAYS * DAY_MS).toISOString()}::timestamptz
        AND NOT EXISTS (SELECT 1 FROM grant_reminder r WHERE r.grant_id = g.id AND r.days_before = ${EXPIRED_NOTICE_DAYS} AND r.expires_at = g.expires_at)
      ORDER BY g.expires_at
      LIMIT ${BATCH}`;
    const due = await prisma.grant.findMany({ where: { id: { in: ids.map((row) => row.id) } }, include: { person: { select: { name: true } } }, orderBy: { expiresAt: "asc" } });
    let sentThisRound = 0;
    for (const grant of due) {
      const sent = await prisma.$transaction(async (tx) => {
        const inserted = await tx.grantReminder.createMany({
          data: [{ grantId: grant.id, daysBefore: EXPIRED_NOTICE_DAYS, expiresAt: grant.expiresAt, sentAt: now }],
          skipDuplicates: true,
        });
        if (inserted.count === 0) return false;
        const admins = await tx.grant.findMany({ where: { role: "admin", ...grantInForce(now), person: { status: "active" } }, select: { personId: true } });
        const named = grant.groupKey ? await tx.groupApprover.findMany({ where: { groupKey: grant.groupKey, person: { status: "active" } }, select: { personId: true } }) : [];
        const approvers = [...new Set([...admins, ...named].map((row) => row.personId))].filter((id) => id !== grant.personId);
        const label = grant.groupKey ? `telemetry access to ${GROUP_LABELS[grant.groupKey]}` : `the ${grant.role} role`;
        await notifyGrantExpired(tx, { id: grant.id, personId: grant.personId, holderName: grant.person.name, label, expiresAt: grant.expiresAt }, approvers);
        await writeAuditEvent(tx, {
          requestId: options.requestId,
          actor: null,
          actorIp: null,
          actorUserAgent: null,
          action: "access.grant_expired",
          outcome: "allowed",
          reason: `expired on ${grant.expiresAt.toISOString().slice(0, 10)}`,
          targetType: "grant",
          targetId: grant.id,
          after: { personId: grant.personId, expiresAt: grant.expiresAt, notified: approvers.length + 1 },
        });
        return true;
      }, AUDITED_TRANSACTION);
      if (sent) {
        notified += 1;
        sentThisRound += 1;
      }
    }
    if (due.length < BATCH || sentThisRound === 0) return { notified };
  }
}

export const notifyExpiredGrantsJob: JobDefinition = {
  name: "grants.expired-notices",
  cron: "*/5 * * * *",
  description: "tells the holder and the approvers once when a grant expires (grant.expired)",
  run: async ({ prisma, jobId }) => notifyExpiredGrants(prisma, { requestId: `job:${jobId}` }),
};
