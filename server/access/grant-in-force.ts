// The one definition of "a grant in force": not revoked and not expired.
// Every query that needs it uses these (see ./access-now.ts for who has access now).
//
// No "server-only": operator scripts (bootstrap-admin) use it too.
import { Prisma } from "@/server/db/generated/client";

/** A grant is in force when it is not revoked and has not expired. */
export function grantInForce(now: Date) {
  return { revokedAt: null, expiresAt: { gt: now } } satisfies Prisma.GrantWhereInput;
}

/** The same predicate for raw SQL over `"grant" <alias>`. */
export function grantInForceSql(alias: string, now: Date): Prisma.Sql {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new TypeError(`not an SQL alias: ${alias}`);
  const table = Prisma.raw(alias);
  return Prisma.sql`${table}.revoked_at IS NULL AND ${table}.expires_at > ${now.toISOString()}::timestamptz`;
}


/**
 * A break-glass access is in force from its start until it expires or is
 * ended early: time alone ends it, no job is needed for that.
 */
export function breakGlassInForce(now: Date) {
  return { startedAt: { lte: now }, expiresAt: { gt: now }, endedAt: null } satisfies Prisma.BreakGlassAccessWhereInput;
}
