// Sign-out from the portal's own button: the session row is deleted and the
// sign-out audited in one transaction. Works for people whose access was
// revoked meanwhile too.
import "server-only";
import { getPrisma } from "@/server/db/client";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { endSessionInTransaction } from "@/server/auth/end-session-row";
import { readSessionToken } from "@/server/auth/session-cookie";
import { getRequestContext } from "@/server/http/request-context";

export async function endSession(): Promise<void> {
  const sessionToken = await readSessionToken();
  if (!sessionToken) return;
  const request = await getRequestContext();
  const prisma = await getPrisma();
  await prisma.$transaction((tx) => endSessionInTransaction(tx, sessionToken, request, "signed out"), AUDITED_TRANSACTION);
}
