// Job `access-requests.expire`: a request nobody answered within
// ACCESS_REQUEST_LAPSE_DAYS lapses (status `expired`), with its audit row
// (`access.request_expire`, no actor: the portal did it) and a notice to the
// requester, in one short transaction per request. A request decided or
// locked meanwhile (an approver deciding it now) is skipped, never lapsed
// over a decision: the update re-checks under `FOR UPDATE SKIP LOCKED`.
// Idempotent: a second run finds nothing left to lapse.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { getEnv } from "@/server/config/env";
import type { PrismaClient } from "@/server/db/generated/client";
import { notifyRequestDecided } from "@/server/data/access/notify";
import type { JobDefinition } from "./job-definition";

const BATCH = 200;

export async function expireAccessRequests(prisma: PrismaClient, options: { requestId: string; now?: Date }): Promise<{ expired: number; skipped: number }> {
  const now = options.now ?? new Date();
  let expired = 0;
  const skipped = new Set<string>();
  for (;;) {
    const due = await prisma.accessRequest.findMany({
      where: { status: "pending", lapsesAt: { lte: now }, id: { notIn: [...skipped] } },
      select: { id: true },
      orderBy: { lapsesAt: "asc" },
      take: BATCH,
    });
    for (const { id } of due) {
      const done = await prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<Array<{ id: string }>>`
          SELECT id FROM access_request WHERE id = ${id}::uuid AND status = 'pending' AND lapses_at <= ${now.toISOString()}::timestamptz
          FOR UPDATE SKIP LOCKED`;
        if (!row) return false;
        const request = await tx.accessRequest.update({
          where: { id },
          data: { status: "expired", decidedAt: now, decisionReason: `Nobody decided it within ${getEnv().ACCESS_REQUEST_LAPSE_DAYS} days.` },
          include: { requester: { select: { name: true, email: true, employer: true } } },
        });
        await notifyRequestDecided(tx, { ...request, requesterName: request.requester.name }, "expired");
        await writeAuditEvent(tx, {
          requestId: options.requestId,
          actor: null,
          actorIp: null,
          actorUserAgent: null,
          action: "access.request_expire",
          outcome: "allowed",
          reason: request.decisionReason,
          targetType: "access_request",
          targetId: id,
          before: { status: "pending", lapsesAt: request.lapsesAt },
          after: { status: "expired", requester: request.requester.email },
        });
        return true;
      }, AUDITED_TRANSACTION);
      if (done) expired += 1;
      else skipped.add(id);
    }
    if (due.length < BATCH) return { expired, skipped: skipped.size };
  }
}

export const expireAccessRequestsJob: JobDefinition = {
  name: "access-requests.expire",
  cron: "*/15 * * * *",
  description: "lapses access requests nobody answered within ACCESS_REQUEST_LAPSE_DAYS, each with its audit row and a notice",
  run: async ({ prisma, jobId }) => expireAccessRequests(prisma, { requestId: `job:${jobId}` }),
};
