// The Next.js server's single database connection. Route bundles may load this
// module more than once, so the connection lives on globalThis: one PGlite
// instance per data directory is a hard rule.
import "server-only";
import { getEnv } from "@/server/config/env";
import { connectDatabase, type Database } from "./connect";

const globalKey = Symbol.for("telemetry-portal.database");
type GlobalWithDatabase = typeof globalThis & { [globalKey]?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  const holder = globalThis as GlobalWithDatabase;
  holder[globalKey] ??= (async () => {
    const env = getEnv();
    return connectDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.pgliteDataDir });
  })();
  return holder[globalKey];
}

export async function getPrisma() {
  return (await getDatabase()).prisma;
}
