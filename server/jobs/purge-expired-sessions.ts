// Job `sessions.purge-expired`: deletes the session rows that can no longer be
// used — past their idle expiry (`expires`, rolled forward by activity up to
// SESSION_IDLE_MINUTES) or their absolute lifetime (SESSION_MAX_HOURS after
// sign-in) — by the same rule server/access/resolve-actor.ts applies on each
// request. Every one ends audited (`auth.session_expired`, the session's
// person as actor), in the transaction that deletes it, through the one path
// every session ending takes (server/auth/end-session-row.ts).
//
// One short transaction per session: each takes one audit chain lock only for
// its commit, and a session used or ended meanwhile (its row locked by a
// request, or gone) is skipped, never audited twice.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import type { SessionLimits } from "@/server/access/resolve-actor";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { endSessionInTransaction } from "@/server/auth/end-session-row";
import { getEnv } from "@/server/config/env";
import type { PrismaClient } from "@/server/db/generated/client";
import type { JobDefinition } from "./job-definition";

const BATCH = 200;

export async function purgeExpiredSessions(
  prisma: PrismaClient,
  options: { limits: SessionLimits; requestId: string; now?: () => Date },
): Promise<{ purged: number; skipped: number }> {
  const clock = options.now ?? (() => new Date());
  const { idleMinutes, maxHours } = options.limits;
  const request = { requestId: options.requestId, ip: null, userAgent: null };
  let purged = 0;
  const skipped = new Set<string>();
  for (;;) {
    const now = clock();
    const bornBefore = new Date(now.getTime() - maxHours * 3_600_000);
    const due = await prisma.session.findMany({
      where: { OR: [{ expires: { lte: now } }, { createdAt: { lte: bornBefore } }], sessionToken: { notIn: [...skipped] } },
      select: { sessionToken: true },
      orderBy: { expires: "asc" },
      take: BATCH,
    });
    for (const { sessionToken } of due) {
      const ended = await prisma.$transaction(async (tx) => {
        // Still due, and nobody else holding it (a request rolling it forward, another purge)?
        const [row] = await tx.$queryRaw<Array<{ created_at: Date }>>`
          SELECT created_at FROM auth_session
           WHERE session_token = ${sessionToken}
             AND (expires <= ${now.toISOString()}::timestamptz OR created_at <= ${bornBefore.toISOString()}::timestamptz)
           FOR UPDATE SKIP LOCKED`;
        if (!row) return false;
        const reason =
          new Date(row.created_at) <= bornBefore
            ? `reached its absolute lifetime (SESSION_MAX_HOURS = ${maxHours} h)`
            : `idle for more than SESSION_IDLE_MINUTES = ${idleMinutes} min`;
        return endSessionInTransaction(tx, sessionToken, request, reason, "auth.session_expired");
      }, AUDITED_TRANSACTION);
      if (ended) purged += 1;
      else skipped.add(sessionToken);
    }
    if (due.length < BATCH) return { purged, skipped: skipped.size };
  }
}

export const purgeExpiredSessionsJob: JobDefinition = {
  name: "sessions.purge-expired",
  cron: "*/5 * * * *",
  description: "deletes sessions past their idle expiry or absolute lifetime, each with its audit row",
  run: async ({ prisma, jobId }) => {
    const env = getEnv();
    return purgeExpiredSessions(prisma, { limits: { idleMinutes: env.SESSION_IDLE_MINUTES, maxHours: env.SESSION_MAX_HOURS }, requestId: `job:${jobId}` });
  },
};
