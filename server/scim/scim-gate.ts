// The gate of the SCIM endpoint. The caller is an identity provider holding a
// bearer token an admin issued (admin.scim_token_create), not a person, so
// the session gate (server/access/audited.ts) does not apply; this one keeps
// its rules: in ONE transaction it authenticates the token, runs the change
// and writes the audit row last. Refusals and errors are audited in a
// transaction of their own. Audit rows have no person as actor (actor null);
// the reason names the token (id and name) and the SCIM request (method, path).
import "server-only";
import type { AuditAction } from "@/lib/audit/actions";
import { getPrisma } from "@/server/db/client";
import type { Prisma } from "@/server/db/generated/client";
import { isDatabaseUnavailable } from "@/server/db/unavailable";
import { AuditWriteError, writeAuditEvent, type AuditEntry } from "@/server/audit/write-audit-event";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { getRequestContext, type RequestContext } from "@/server/http/request-context";
import { ScimError } from "./scim-error";
import { hashScimToken, sameDigest } from "./scim-token-secret";

export type ScimToken = { id: string; name: string };

export type ScimCall = { method: string; path: string; authorization: string | null };

export type ScimAuditDetails = Partial<Pick<AuditEntry, "targetType" | "targetId" | "before" | "after" | "filters" | "rowCount">> & {
  /** the action actually taken when it depends on the request (e.g. PATCH active=false → scim.user_deactivate) */
  action?: AuditAction;
  /** appended to the reason */
  note?: string;
};

export type ScimWork<T> = (context: { tx: Prisma.TransactionClient; token: ScimToken; now: Date; request: RequestContext }) => Promise<{ value: T; audit: ScimAuditDetails }>;

const TOKEN_SHAPE = /^Bearer ([A-Za-z0-9_\-]{10,200})$/;

function reasonFor(token: ScimToken | null, call: ScimCall, note?: string): string {
  const who = token ? `SCIM token ${token.id} (${token.name})` : "SCIM request with no token the portal issued";
  return `${who}: ${call.method} ${call.path}${note ? ` — ${note}` : ""}`;
}

/** The token's row when it names one (revoked included, so the refusal's audit row can name it). */
async function authenticate(tx: Prisma.TransactionClient, authorization: string | null, now: Date, seen: { token: ScimToken | null }): Promise<ScimToken> {
  const match = authorization ? TOKEN_SHAPE.exec(authorization.trim()) : null;
  if (!match) throw new ScimError(401, "Authenticate with the bearer token an admin issued on the portal's SCIM page.");
  const hash = hashScimToken(match[1] ?? "");
  const row = await tx.scimToken.findUnique({ where: { tokenHash: hash }, select: { id: true, name: true, tokenHash: true, revokedAt: true, lastUsedAt: true } });
  // The lookup is by hash (no timing signal about the token); compare again in constant time anyway.
  if (!row || !sameDigest(row.tokenHash, hash)) throw new ScimError(401, "The bearer token is not one the portal issued.");
  seen.token = { id: row.id, name: row.name };
  if (row.revokedAt) throw new ScimError(401, "The bearer token has been revoked.");
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await tx.scimToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, name: row.name };
}

async function auditFailure(call: ScimCall, request: RequestContext, action: AuditAction, token: ScimToken | null, error: ScimError, targetId?: string | null): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$transaction(
    (tx) =>
      writeAuditEvent(tx, {
        requestId: request.requestId,
        actor: null,
        actorIp: request.ip,
        actorUserAgent: request.userAgent,
        action: error.status === 401 ? "scim.refused" : action,
        outcome: error.status === 401 || error.status === 403 ? "denied" : "error",
        reason: reasonFor(token, call, `${error.status}${error.scimType ? ` ${error.scimType}` : ""}: ${error.detail}`),
        targetType: targetId ? "person" : "scim",
        targetId: targetId ?? null,
        filters: { scimTokenId: token?.id ?? null, method: call.method, path: call.path },
      }),
    AUDITED_TRANSACTION,
  );
}

/** Runs `work` for an authenticated identity provider, audited as `action` (or the action the work reports). */
export async function scimAudited<T>(call: ScimCall, action: AuditAction, work: ScimWork<T>, targetId?: string | null): Promise<T> {
  const request = await getRequestContext();
  const prisma = await getPrisma();
  const seen: { token: ScimToken | null } = { token: null };
  try {
    return await prisma.$transaction(async (tx) => {
      const now = new Date();
      const token = await authenticate(tx, call.authorization, now, seen);
      const { value, audit } = await work({ tx, token, now, request });
      const { action: taken, note, ...details } = audit;
      await writeAuditEvent(tx, {
        requestId: request.requestId,
        actor: null,
        actorIp: request.ip,
        actorUserAgent: request.userAgent,
        action: taken ?? action,
        outcome: "allowed",
        reason: reasonFor(token, call, note),
        targetType: "scim",
        ...details,
        filters: { scimTokenId: token.id, method: call.method, path: call.path, ...(isRecord(details.filters) ? details.filters : {}) },
      });
      return value;
    }, AUDITED_TRANSACTION);
  } catch (error) {
    if (error instanceof ScimError) {
      try {
        await auditFailure(call, request, action, seen.token, error, targetId);
      } catch (auditError) {
        console.error(`The SCIM refusal could not be audited (request ${request.requestId})`, auditError);
        throw new ScimError(503, "The audit trail cannot be written right now, so nothing was changed. Try again shortly.");
      }
      throw error;
    }
    if (error instanceof AuditWriteError || isDatabaseUnavailable(error)) {
      throw new ScimError(503, "The portal cannot record this change right now, so nothing was changed. Try again shortly.");
    }
    console.error(`Unexpected error in the SCIM endpoint (request ${request.requestId})`, error);
    throw new ScimError(500, `Something went wrong on the portal's side; nothing was changed. Request id ${request.requestId}.`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
