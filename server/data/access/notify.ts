// The request area's notifications, one function per event, each with ONE
// call into the outbox (server/notify/enqueue.ts): it writes in the caller's
// transaction, so a notification exists exactly when
// the change committed. Subjects and texts carry names and portal links only,
// never telemetry or content.
//
// No "server-only": the jobs (server/jobs/), started by scripts/start.ts, use it.
import { GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";
import type { Prisma } from "@/server/db/generated/client";
import { enqueueNotification, type NotificationInput } from "@/server/notify/enqueue";

/** The one place the request area hands a notification to the outbox (in the caller's transaction). */
async function enqueue(tx: Prisma.TransactionClient, input: NotificationInput): Promise<void> {
  await enqueueNotification(tx, input);
}


type RequestFacts = { id: string; kind: "access" | "extension"; groupKey: GroupKey; durationDays: number; requesterName: string };

const what = (request: RequestFacts) =>
  `${request.kind === "extension" ? "an extension of telemetry access" : "telemetry access"} to ${GROUP_LABELS[request.groupKey]} for ${request.durationDays} days`;

export async function notifyRequestCreated(tx: Prisma.TransactionClient, request: RequestFacts, approverIds: string[]): Promise<void> {
  await enqueue(tx, {
    kind: "access_request.created",
    subject: `Access request from ${request.requesterName}`,
    text: `${request.requesterName} asks for ${what(request)}. Decide it in the portal (approvals are only made there).`,
    link: `/access/requests/${request.id}`,
    recipientPersonIds: approverIds,
  });
}

export async function notifyRequestDecided(
  tx: Prisma.TransactionClient,
  request: RequestFacts & { requesterId: string },
  outcome: "approved" | "denied" | "cancelled" | "expired",
): Promise<void> {
  await enqueue(tx, {
    kind: "access_request.decided",
    subject: `Your access request was ${outcome}`,
    text: `Your request for ${what(request)} was ${outcome}. Details are in the portal.`,
    link: `/access/requests/${request.id}`,
    recipientPersonIds: [request.requesterId],
    dedupeKey: `request:${request.id}:${outcome}`,
  });
}

export async function notifyExpiryReminder(
  tx: Prisma.TransactionClient,
  grant: { id: string; personId: string; groupKey: GroupKey | null; label: string; expiresAt: Date },
  daysBefore: number,
): Promise<void> {
  await enqueue(tx, {
    kind: "grant.expiry_reminder",
    subject: `Your access (${grant.label}) expires on ${grant.expiresAt.toISOString().slice(0, 10)}`,
    text: `Your grant ${grant.label} expires on ${grant.expiresAt.toISOString().slice(0, 10)} (in about ${daysBefore} days). Ask for an extension in the portal if you still need it.`,
    link: "/access",
    recipientPersonIds: [grant.personId],
    webhook: false,
    dedupeKey: `reminder:${grant.id}:${grant.expiresAt.toISOString()}:${daysBefore}d`,
  });
}

export async function notifyGrantExpired(
  tx: Prisma.TransactionClient,
  grant: { id: string; personId: string; holderName: string; label: string; expiresAt: Date },
  approverIds: string[],
): Promise<void> {
  const day = grant.expiresAt.toISOString().slice(0, 10);
  await enqueue(tx, {
    kind: "grant.expired",
    subject: `Access expired: ${grant.holderName}, ${grant.label}`,
    text: `The grant of ${grant.label} to ${grant.holderName} expired on ${day}. Its history stays in the portal; the holder may ask for access again there.`,
    link: "/access",
    recipientPersonIds: [grant.personId, ...approverIds],
    dedupeKey: `expired:${grant.id}:${grant.expiresAt.toISOString()}`,
  });
}
