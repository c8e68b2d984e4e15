// The signIn callback audits "signed in" when the identity check passes, but
// Auth.js still has to link the identity and create the session afterwards.
// If that fails (an adapter error, the database going away), the trail must
// not be left saying the person signed in: the auth route handler records a
// follow-up row, auth.sign_in_failed, for the same request and actor.
import "server-only";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { writeAuditEvent, type AuditEntry } from "@/server/audit/write-audit-event";
import { getPrisma } from "@/server/db/client";

type Pending = { actor: AuditEntry["actor"]; targetId: string; ip: string | null; userAgent: string | null };

const key = Symbol.for("telemetry-portal.unfinished-sign-ins");
type Holder = typeof globalThis & { [key]?: Map<string, Pending> };

function pending(): Map<string, Pending> {
  const holder = globalThis as Holder;
  holder[key] ??= new Map();
  return holder[key];
}

/** Called by checkSignIn after auditing an allowed sign-in. */
export function rememberAllowedSignIn(requestId: string, entry: Pending): void {
  const map = pending();
  map.set(requestId, entry);
  if (map.size > 1000) map.delete(map.keys().next().value as string);
}

/** Called by the auth route when its request ends: success forgets it; a failure is audited. */
export async function settleSignIn(requestId: string, failure: string | null): Promise<void> {
  const map = pending();
  const entry = map.get(requestId);
  map.delete(requestId);
  if (!entry || failure === null) return;
  try {
    const prisma = await getPrisma();
    await prisma.$transaction(
      (tx) =>
        writeAuditEvent(tx, {
          requestId,
          actor: entry.actor,
          actorIp: entry.ip,
          actorUserAgent: entry.userAgent,
          action: "auth.sign_in_failed",
          outcome: "error",
          reason: `the identity check passed but no session was started: ${failure}`,
          targetType: "identity",
          targetId: entry.targetId,
        }),
      AUDITED_TRANSACTION,
    );
  } catch (error) {
    console.error(`Could not audit the failed sign-in of request ${requestId}`, error);
  }
}
