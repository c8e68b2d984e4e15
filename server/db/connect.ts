// Opens a Prisma client on the configured database: PostgreSQL through
// @prisma/adapter-pg when DATABASE_URL is set, otherwise the embedded
// PostgreSQL (PGlite) in a data directory under the project. Used by the
// Next.js server (through server/db/client.ts) and by operator scripts.
import fs from "node:fs";
import { PrismaPg } from "@prisma/adapter-pg";
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
 */
export const SESSION_OPTIONS = "-c TimeZone=UTC -c search_path=public";

export type Database = {
  prisma: PrismaClient;
  kind: "postgresql" | "embedded";
  /** the embedded database itself (for the job queue's SQL), when kind is "embedded" */
  pglite?: PGlite;
  close(): Promise<void>;
};

export type ConnectOptions = {
  databaseUrl?: string;
  pgliteDataDir: string;
  /** pg pool size (PostgreSQL only) */
  poolSize?: number;
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
    // SESSION_OPTIONS: UTC sessions (adapter-pg misreads timestamptz otherwise, prisma/orm#26786) and a pinned search_path.
    // keepAlive: a connection whose server vanished is noticed by the OS, not at the next query.
    const adapter = new PrismaPg({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      options: SESSION_OPTIONS,
      connectionTimeoutMillis: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    const prisma = new PrismaClient({ adapter });
    return { prisma, kind: "postgresql", close: () => prisma.$disconnect() };
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
