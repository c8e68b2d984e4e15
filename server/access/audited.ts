// The gate every data-layer function goes through. In ONE transaction it
// resolves the person behind the session, checks the policy, runs the read or
// change, and writes its audit row last; the caller gets the data only after
// that transaction commits. Refusals (401/403/428) are audited in a
// transaction of their own, since the refused one rolled back. If an audit row
// cannot be written the answer is 503 and no data: the gate fails closed.
import "server-only";
import { decide, permittedKinds, type Permission } from "@/lib/access/policy";
import type { AuditAction } from "@/lib/audit/actions";
import { getEnv } from "@/server/config/env";
import { getDatabase, getPrisma } from "@/server/db/client";
import { rawTransaction } from "@/server/db/raw-sql";
import type { Prisma } from "@/server/db/generated/client";
import { AuditWriteError, writeAuditEvent, writeAuditEvents, type AuditEntry } from "@/server/audit/write-audit-event";
import { readSessionToken } from "@/server/auth/session-cookie";
import { AppError, auditUnavailable, databaseUnavailable, isAppError } from "@/server/http/app-error";
import { isDatabaseUnavailable } from "@/server/db/unavailable";
import { getRequestContext, type RequestContext } from "@/server/http/request-context";
import { overrideStatus } from "@/server/http/status-override";
import { resolveRequestActor } from "./request-actor";
import { breakGlassMark, resolveActor, type Actor, type ActorResolution } from "./resolve-actor";
import { AUDITED_TRANSACTION } from "./transaction-budget";

/** What the work adds to its audit row (who/when/where/why are filled in by the gate). */
export type AuditDetails = Partial<
  Pick<AuditEntry, "targetType" | "targetId" | "eventIds" | "machineIds" | "fieldClasses" | "filters" | "rowCount" | "fileSha256" | "before" | "after" | "reason">
>;

export type GateSpec = {
  action: AuditAction;
  /** null: any person with an active grant (e.g. "who am I") */
  permission: Permission | null;
  /** telemetry reads need a declared purpose; defaults to true for telemetry.read */
  requirePurpose?: boolean;
  /** details known before the work runs, recorded on refusals too */
  details?: AuditDetails;
  /** skip the row for an allowed call; only for reads of one's own identity */
  auditAllowed?: boolean;
  /** skip the row for a refusal; only for page chrome whose page audits its own refusal */
  auditRefusals?: boolean;
  /**
   * The request area: also let in a listed, active person with no grant in
   * force (as an actor with no role, group or scope), so they can ask for
   * access and follow their requests. Only with `permission: null`.
   */
  allowWithoutGrant?: boolean;
  /**
   * Reads only: take the person from the request's one look-up
   * (./request-actor.ts, shared with the page's chrome) instead of resolving
   * the session again inside this transaction. The audit row is still written
   * in the transaction that reads, and the data returned only after it commits.
   * Never for changes (a server action followed by its page's render would see
   * the look-up from before the change).
   */
  sharedResolution?: boolean;
  /**
   * The work uses only `tx.$queryRaw` / `$queryRawUnsafe` (no ORM model): on
   * PostgreSQL the transaction then runs on a pooled pg connection directly
   * (server/db/raw-sql.ts: BEGIN, the work, the audit row, COMMIT), without
   * Prisma's interactive-transaction machinery. Same statements, same order,
   * same fail-closed rule; PGlite keeps Prisma's transaction. A model call on
   * such a `tx` fails (500, rolled back, nothing served).
   */
  rawSql?: boolean;
};

export type GateContext = { tx: Prisma.TransactionClient; actor: Actor; request: RequestContext };

export type WorkResult<T> = {
  value: T;
  audit?: AuditDetails;
  /**
   * Further disclosures of the same work, each its own "allowed" row (same
   * request, actor and purpose), written in the same transaction before the
   * gate's own row: e.g. the explorer page's histogram, read with its list.
   */
  alsoAudit?: ReadonlyArray<{ action: AuditAction; audit: AuditDetails }>;
};

/** What a 503 asks the client to wait (the API's Retry-After says the same, server/http/api-response.ts). */
const RETRY_AFTER_SECONDS = 5;


class Refusal extends Error {
  constructor(
    readonly error: AppError,
    readonly resolution: ActorResolution,
  ) {
    super(error.message);
  }
}

/** Who acted, for the audit row; a break-glass access in force marks the row (`breakglass:<id>` among the groups). */
function actorSnapshot(actor: Actor): AuditEntry["actor"] {
  const groups = [...actor.groups, ...actor.breakGlass.map((access) => breakGlassMark(access.id))];
  return { personId: actor.personId, email: actor.email, employer: actor.employer, groups, roles: actor.roles };
}

/** 401/403/428 deny a person; anything else (400, 404, 422, 5xx) is an error outcome. */
function isDenial(error: AppError): boolean {
  return error.status === 401 || error.status === 403 || error.status === 428;
}

function refusalFor(resolution: ActorResolution, spec: GateSpec): AppError | null {
  if (resolution.status === "anonymous") {
    return new AppError("unauthenticated", resolution.reason === "session-expired" ? "Your session has ended. Sign in again." : "Sign in to continue.");
  }
  if (resolution.status === "no-access") {
    return new AppError("forbidden", "You have no access to the Telemetry Portal.", [], resolution.reason);
  }
  const { actor } = resolution;
  if (spec.permission === "telemetry.read") {
    // actor.scope was derived through decide(): no permitted kind, no telemetry.
    if (permittedKinds(actor.scope).length === 0) {
      return new AppError("forbidden", "Your grants do not include browsing telemetry.");
    }
  } else if (spec.permission && !decide(actor.subject, { permission: spec.permission })) {
    return new AppError("forbidden", "Your role does not allow this.");
  }
  const needsPurpose = spec.requirePurpose ?? spec.permission === "telemetry.read";
  if (needsPurpose && !actor.purpose) return new AppError("purpose_required", "Declare the purpose of your access before viewing telemetry.");
  return null;
}

async function writeRefusal(spec: GateSpec, request: RequestContext, refusal: Refusal | { error: AppError; resolution: ActorResolution }): Promise<void> {
  const { resolution, error } = refusal;
  const actor = resolution.status === "active" ? actorSnapshot(resolution.actor) : null;
  const prisma = await getPrisma();
  await prisma.$transaction(
    (tx) =>
      writeAuditEvent(tx, {
        requestId: request.requestId,
        actor:
          actor ??
          (resolution.status === "no-access" && resolution.email
            ? { personId: resolution.personId, email: resolution.email, employer: null, groups: [], roles: [] }
            : null),
        actorIp: request.ip,
        actorUserAgent: request.userAgent,
        action: spec.action,
        outcome: isDenial(error) ? "denied" : "error",
        reason: `${error.code}: ${error.message}`,
        purpose: resolution.status === "active" ? resolution.actor.purpose : null,
        purposeDetail: resolution.status === "active" ? resolution.actor.purposeDetail : null,
        ...spec.details,
      }),
    AUDITED_TRANSACTION,
  );
}

/** An unexpected failure: logged in full here, answered without details but with the request id to quote. */
function internalError(error: unknown, request: RequestContext): AppError {
  console.error(`Unexpected error in the data layer (request ${request.requestId})`, error);
  return new AppError("internal", `Something went wrong on our side. Try again, or tell the portal's operators the request id ${request.requestId}.`);
}

/**
 * Database down or audit row unwritable: 503, whatever else went wrong. The
 * request's HTTP answer becomes 503 with Retry-After too (./status-override,
 * applied by the HTTP front): a page that lets this error escape, or renders an
 * error state for it, must not answer 500 or 200.
 */
function unavailableFor(error: unknown, request: RequestContext): AppError | null {
  const unavailable =
    error instanceof AuditWriteError
      ? isDatabaseUnavailable(error.cause)
        ? databaseUnavailable()
        : auditUnavailable()
      : isDatabaseUnavailable(error)
        ? databaseUnavailable()
        : null;
  if (unavailable) overrideStatus(request.requestId, { status: unavailable.status, retryAfterSeconds: RETRY_AFTER_SECONDS });
  return unavailable;
}

/**
 * Records a refusal decided before any data-layer work (the HTTP front's:
 * malformed path, cross-site or non-JSON request) for whoever the session
 * cookie names, or anonymously. Returns the error to answer with; 503 when
 * the row cannot be written.
 */
export async function recordRefusal(spec: GateSpec, error: AppError): Promise<AppError> {
  const env = getEnv();
  const request = await getRequestContext();
  const sessionToken = await readSessionToken();
  try {
    const prisma = await getPrisma();
    const resolution = await prisma.$transaction(
      (tx) => resolveActor(tx, sessionToken, { idleMinutes: env.SESSION_IDLE_MINUTES, maxHours: env.SESSION_MAX_HOURS }),
      AUDITED_TRANSACTION,
    );
    await writeRefusal(spec, request, { error, resolution });
  } catch (failure) {
    return unavailableFor(failure, request) ?? internalError(failure, request);
  }
  return error;
}

/** The actor this gate lets through, or a Refusal (thrown). */
function admit(resolution: ActorResolution, spec: GateSpec): { resolution: ActorResolution; actor: Actor } {
  if (spec.allowWithoutGrant && spec.permission === null && resolution.status === "no-access" && resolution.requester) {
    resolution = { status: "active", actor: resolution.requester };
  }
  const refusal = refusalFor(resolution, spec);
  if (refusal) throw new Refusal(refusal, resolution);
  if (resolution.status !== "active") throw new Error("unreachable: refusalFor lets only active actors through");
  return { resolution, actor: resolution.actor };
}

/** Run `work` for the current request under the policy, audited, fail-closed. */
export async function audited<T>(spec: GateSpec, work: (context: GateContext) => Promise<WorkResult<T>>): Promise<T> {
  const env = getEnv();
  const request = await getRequestContext();
  let sessionToken = await readSessionToken();
  let resolution: ActorResolution = { status: "anonymous", reason: "no-session" };
  try {
    const database = await getDatabase();
    const prisma = database.prisma;
    // A shared resolution is decided before any transaction opens: a refusal costs none.
    let shared: Actor | null = null;
    if (spec.sharedResolution) {
      const looked = await resolveRequestActor();
      sessionToken = looked.sessionToken;
      resolution = looked.resolution;
      ({ resolution, actor: shared } = admit(resolution, spec));
      // Nothing to write and nothing to read but the person: no transaction at all.
      if (spec.auditAllowed === false) return (await work({ tx: prisma, actor: shared, request })).value;
    }
    const inTransaction = async (tx: Prisma.TransactionClient): Promise<T> => {
      let actor = shared;
      if (!actor) {
        resolution = await resolveActor(tx, sessionToken, { idleMinutes: env.SESSION_IDLE_MINUTES, maxHours: env.SESSION_MAX_HOURS });
        ({ resolution, actor } = admit(resolution, spec));
      }
      const { value, audit, alsoAudit = [] } = await work({ tx, actor, request });
      if (spec.auditAllowed !== false) {
        const allowed = (action: AuditAction, details: AuditDetails | undefined): AuditEntry => ({
          requestId: request.requestId,
          actor: actorSnapshot(actor),
          actorIp: request.ip,
          actorUserAgent: request.userAgent,
          action,
          outcome: "allowed",
          purpose: actor.purpose,
          purposeDetail: actor.purposeDetail,
          ...spec.details,
          ...details,
        });
        // one chain lock and one INSERT for all of them (consecutive links of the request's chain)
        await writeAuditEvents(tx, [...alsoAudit.map((also) => allowed(also.action, also.audit)), allowed(spec.action, audit)]);
      } else if (alsoAudit.length > 0) {
        throw new Error("alsoAudit needs the gate's own row (auditAllowed is false)");
      }
      return value;
    };
    if (spec.rawSql && database.pool) {
      // Only raw SQL in the work (GateSpec.rawSql): the shim has Prisma's raw-query methods and nothing else.
      return await rawTransaction(
        database.pool,
        database.statementName,
        (tx) => inTransaction(tx as unknown as Prisma.TransactionClient),
        AUDITED_TRANSACTION.timeout,
      );
    }
    return await prisma.$transaction(inTransaction, AUDITED_TRANSACTION);
  } catch (error) {
    const unavailable = unavailableFor(error, request);
    if (unavailable) throw unavailable;
    const refusal = error instanceof Refusal ? error : { error: isAppError(error) ? error : internalError(error, request), resolution };
    if (spec.auditRefusals === false) throw refusal.error;
    try {
      // resolveActor deleted an expired session inside the transaction the refusal
      // rolled back: end it for good here. (Only on audited refusals, so that the
      // page's own audit row, not its header's look-up, says why the session ended.)
      if (sessionToken && refusal.resolution.status === "anonymous" && refusal.resolution.reason === "session-expired") {
        await (await getPrisma()).session.deleteMany({ where: { sessionToken } });
      }
      await writeRefusal(spec, request, refusal);
    } catch (auditError) {
      // Never the raw error: a 503 when the database or audit trail is unavailable, else a logged 500 with the request id.
      throw unavailableFor(auditError, request) ?? internalError(auditError, request);
    }
    throw refusal.error;
  }
}
