// Decisions on access (approving or denying a request, keeping or revoking a
// grant in an access review) need a recent sign-in: a session started more
// than APPROVAL_FRESHNESS_MINUTES ago is refused with 401
// reauthentication_required, which sends the person to sign in again
// (prompt=login) and back.
import "server-only";
import { getEnv } from "@/server/config/env";
import { AppError } from "@/server/http/app-error";
import type { Actor } from "./resolve-actor";

/** Whether this session is too old to decide on access now. */
export function needsFreshSignIn(actor: Pick<Actor, "sessionStartedAt">, now: Date): boolean {
  return now.getTime() - actor.sessionStartedAt.getTime() > getEnv().APPROVAL_FRESHNESS_MINUTES * 60_000;
}

/** Refuses (401 reauthentication_required) a session too old to decide on access; `what` names the decision, e.g. "Deciding access". */
export function refuseStaleSignIn(actor: Pick<Actor, "sessionStartedAt">, now: Date, what: string): void {
  if (needsFreshSignIn(actor, now)) {
    const minutes = getEnv().APPROVAL_FRESHNESS_MINUTES;
    throw new AppError("reauthentication_required", `${what} needs a sign-in from the last ${minutes} minutes: sign in again, then decide.`);
  }
}
