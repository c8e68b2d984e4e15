// The break-glass notification: to every admin and auditor, by e-mail and
// webhook, enqueued IN THE TRANSACTION that takes the access (so it exists
// exactly when the access does). Names and portal links only.
import "server-only";
import { GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";
import type { Prisma } from "@/server/db/generated/client";
import { enqueueNotification } from "@/server/notify/enqueue";
import { formatUtc } from "./rules";

export async function notifyBreakGlassUsed(
  tx: Prisma.TransactionClient,
  access: { id: string; groupKey: GroupKey; holderName: string; holderEmail: string; expiresAt: Date },
  recipientPersonIds: string[],
): Promise<void> {
  await enqueueNotification(tx, {
    kind: "break_glass.used",
    subject: `Break-glass: ${access.holderName} took emergency access to ${GROUP_LABELS[access.groupKey]}`,
    text:
      `${access.holderName} (${access.holderEmail}) took break-glass access to ${GROUP_LABELS[access.groupKey]} until ${formatUtc(access.expiresAt)}. ` +
      `Every audit row made under it is marked. Once it ends, an auditor or admin other than ${access.holderName} must post-review it in the portal.`,
    link: `/access/break-glass/${access.id}`,
    recipientPersonIds,
    dedupeKey: `break-glass:${access.id}`,
  });
}
