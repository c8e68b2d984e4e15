// Opens a Prisma client on the configured database: PostgreSQL through
// @prisma/adapter-pg when DATABASE_URL is set, otherwise the embedded
// PostgreSQL (PGlite) in a data directory under the project. Used by the
// Next.js server (through server/db/client.ts) and by operator scripts.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { lockEmbeddedDatabase } from "./embedded-lock";
import { PrismaClient } from "./generated/client";

/**
 * Startup options of every portal session on PostgreSQL (they take precedence
 * over role and database defaults):
 * - UTC: adapter-pg misreads timestamptz when the server's TimeZone is not UTC
 *   (prisma/orm#26786).
 * - search_path = public only: without "$user", a role allowed to create a
 *   schema named after itself could put its own audit_event in front of the
 *   real one (server/db/check-runtime-role.ts explains the rest).
 * - plan_cache_mode = force_custom_plan: statements are prepared once per
 *   connection (named), and after five runs PostgreSQL may switch a statement
 *   to a generic plan that does not see its parameters. For `time >= $1` over
 *   the partitioned events that plan guesses a third of the table: the list's
 *   bounded count of "Last 24 hours" then scanned a month's partition from its
 *   old end (5 ms → 180 ms on 1M events, from the sixth page on). A custom
 *   plan per execution costs well under a millisecond of planning.
 */
export const SESSION_OPTIONS = "-c TimeZone=UTC -c search_path=public -c plan_cache_mode=force_custom_plan";

export type Database = {
  prisma: PrismaClient;
  kind: "postgresql" | "embedded";
  /** the embedded database itself (for the job queue's SQL), when kind is "embedded" */
  pglite?: PGlite;
  /** the pg pool under the adapter, when kind is "postgresql" */
  pool?: pg.Pool;
  /** the prepared-statement names the adapter uses (statementNames), for raw SQL on `pool` (./raw-sql.ts) */
  statementName?: (query: { sql: string }) => string;
  close(): Promise<void>;
};

export type ConnectOptions = {
  databaseUrl?: string;
  pgliteDataDir: string;
  /** pg pool size (PostgreSQL only) */
  poolSize?: number;
  /** PostgreSQL only: connections opened at once and kept open (default 0: opened on demand, closed when idle) */
  poolMin?: number;
  /** PostgreSQL only: how many distinct SQL texts become named prepared statements (default 0: none) */
  preparedStatements?: number;
  /** PostgreSQL only: how long a new connection, or a wait for a pooled one, may take (default CONNECT_TIMEOUT_MS) */
  connectTimeoutMs?: number;
};

/**
 * A server that accepts connections but never answers (a network partition, a
 * failover moving an address) would otherwise hold every pooled connection
 * for the operating system's TCP timeout (about two minutes): then the answer
 * is a 503 after this long, the same budget an audited transaction has to
 * start (AUDITED_TRANSACTION.maxWait).
 */
export const CONNECT_TIMEOUT_MS = 10_000;

export async function connectDatabase(options: ConnectOptions): Promise<Database> {
  if (options.databaseUrl) {
    const poolSize = options.poolSize ?? 10;
    const poolMin = Math.min(options.poolMin ?? 0, poolSize);
    // SESSION_OPTIONS: UTC sessions (adapter-pg misreads timestamptz otherwise, prisma/orm#26786) and a pinned search_path.
    // keepAlive: a connection whose server vanished is noticed by the OS, not at the next query.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: poolSize,
      min: poolMin,
      options: SESSION_OPTIONS,
      connectionTimeoutMillis: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    // An idle connection that breaks (server restart) is dropped by the pool; without a listener the error would crash the process.
    pool.on("error", () => undefined);
    const names = statementNames(options.preparedStatements ?? 0);
    const adapter = new PrismaPg(pool, names ? { statementNameGenerator: names } : undefined);
    const prisma = new PrismaClient({ adapter });
    if (poolMin > 0) warmPool(pool, poolMin);
    return {
      prisma,
      kind: "postgresql",
      pool,
      statementName: names,
      close: async () => {
        await prisma.$disconnect();
        await pool.end().catch(() => undefined);
      },
    };
  }
  fs.mkdirSync(options.pgliteDataDir, { recursive: true });
  const lock = await lockEmbeddedDatabase(options.pgliteDataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(options.pgliteDataDir);
  } catch (error) {
    lock.release();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: "embedded",
    pglite,
    // $disconnect does not close PGlite, and an open PGlite keeps the process alive.
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
      lock.release();
    },
  };
}

/**
 * Opens `count` connections now, each running one query, and hands them back
 * to the pool (which keeps `min` of them): the first request does not pay for
 * connecting, authenticating and the backend's first catalog look-ups. Best
 * effort: a database that is down is reported by the requests, not here.
 */
function warmPool(pool: pg.Pool, count: number): void {
  void Promise.all(
    Array.from({ length: count }, async () => {
      const client = await pool.connect();
      try {
        await client.query("SELECT 1");
      } finally {
        client.release();
      }
    }),
  ).catch(() => undefined);
}

/**
 * Names for prepared statements: the same SQL text gets the same name, so
 * each pooled connection parses and plans a statement once and then only
 * binds and executes it (pg keeps the names it prepared per connection).
 * Bounded: past `limit` distinct texts, new ones run unnamed (parsed each
 * time), so generated SQL with many shapes cannot grow every backend's
 * memory without end. Returns undefined when `limit` is 0.
 */
export function statementNames(limit: number): ((query: { sql: string }) => string) | undefined {
  if (limit <= 0) return undefined;
  const named = new Map<string, string>();
  return (query) => {
    let name = named.get(query.sql);
    if (name === undefined && named.size < limit) {
      name = `tp_${createHash("sha1").update(query.sql).digest("hex").slice(0, 24)}`;
      named.set(query.sql, name);
    }
    // pg runs a query without a name as an unnamed statement (the adapter's type says string; undefined is what pg expects for "none").
    return name as string;
  };
}
