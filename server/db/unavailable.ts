// Is this error "the database cannot be reached right now" (restart, network,
// pool exhausted) rather than a bug or a refused statement? Those become a 503
// with Retry-After, never a 500, and the portal recovers by itself when the
// database is back (the pool reconnects on the next query).
//
// No "server-only": the HTTP front and the scripts use it too.

/** Prisma's codes for "cannot reach / lost / timed out waiting for / too many connections to" the database. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1011", "P1017", "P2024", "P2028", "P2037"]);
/**
 * PostgreSQL SQLSTATEs: connection exceptions (class 08), insufficient resources
 * (class 53: too many connections, disk full, out of memory), the session ended
 * by a shutdown, a crash restart, start-up or an idle timeout (57P01–57P03,
 * 57P05), and a read-only server (25006: a standby during failover).
 */
const SQLSTATE = /^(08\d{3}|53\d{3}|57P0[1235]|25006)$/;
/** @prisma/adapter-pg's kinds for the same (DriverAdapterError.cause.kind). */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
const MESSAGES = [
  /Connection terminated/i,
  /connect ECONNREFUSED/i,
  /Can't reach database server/i,
  /server closed the connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /timeout exceeded when trying to connect/i,
  /Unable to start a transaction in the given time/i,
  /Timed out fetching a new connection/i,
  /Client has encountered a connection error/i,
];

/**
 * Prisma reports a driver adapter's error as P2039 ("Database error") or P2010
 * ("Raw query failed") whatever the SQLSTATE: the SQLSTATE and the adapter's
 * kind are only in `meta.driverAdapterError.cause`, which is read here too.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 8 || error === null || typeof error !== "object") return false;
  const record = error as { code?: unknown; errorCode?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown; name?: unknown; kind?: unknown; meta?: unknown };
  // a transaction past its budget (Prisma's is P2028 below; server/db/raw-sql.ts's raw one by name)
  if (record.name === "PrismaClientInitializationError" || record.name === "RawTransactionTimeout") return true;
  if (typeof record.kind === "string" && ADAPTER_KINDS.has(record.kind)) return true;
  const adapterError = (record.meta as { driverAdapterError?: unknown } | null | undefined)?.driverAdapterError;
  if (adapterError !== undefined && isDatabaseUnavailable(adapterError, depth + 1)) return true;
  for (const code of [record.code, record.errorCode, record.originalCode]) {
    if (typeof code !== "string") continue;
    if (PRISMA_CODES.has(code) || SQLSTATE.test(code) || NODE_CODES.has(code)) return true;
  }
  if (typeof record.message === "string" && MESSAGES.some((pattern) => pattern.test(record.message as string))) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(record.cause, depth + 1);
}
