// The process's one database connection, shared by the HTTP front, the job
// runner (scripts/start.ts) and Next.js (./client.ts). It lives on globalThis
// because Next may load a module once per route bundle and the start script
// loads its own copy: one PGlite instance per data directory is a hard rule,
// and one pg pool per process keeps connection counts predictable.
//
// No "server-only": the start script imports it.
import { getEnv } from "@/server/config/env";
import { connectDatabase, type Database } from "./connect";

const globalKey = Symbol.for("telemetry-portal.database");
type GlobalWithDatabase = typeof globalThis & { [globalKey]?: Promise<Database> };

export function getSharedDatabase(): Promise<Database> {
  const holder = globalThis as GlobalWithDatabase;
  holder[globalKey] ??= (async () => {
    const env = getEnv();
    return connectDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.pgliteDataDir, poolSize: env.DATABASE_POOL_SIZE,
      // All of the pool kept open by default (DATABASE_POOL_MIN): a new connection's first query costs tens of milliseconds.
      poolMin: env.DATABASE_POOL_MIN ?? env.DATABASE_POOL_SIZE,
      preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    });
  })().catch((error: unknown) => {
    // A failed connection is retried by the next caller, not remembered.
    delete holder[globalKey];
    throw error;
  });
  return holder[globalKey];
}

/** Closes the shared connection (graceful shutdown); the next caller would open a new one. */
export async function closeSharedDatabase(): Promise<void> {
  const holder = globalThis as GlobalWithDatabase;
  const pending = holder[globalKey];
  delete holder[globalKey];
  if (pending) await (await pending.catch(() => null))?.close();
}
