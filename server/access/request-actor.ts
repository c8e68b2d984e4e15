// The person behind this request, looked up once per request: a page's
// layout, its data call and its own viewer look-up share one resolution (one
// statement, no transaction) instead of each opening a transaction to resolve
// the same session. React's cache() is scoped to one server render, so the
// next request resolves again and a revocation, an expired grant or an ended
// session still takes effect on the very next request. Outside a render (route
// handlers, tests) cache() does not memoize: each call resolves afresh. It
// reads the primary, never a replica.
import "server-only";
import { cache } from "react";
import { getEnv } from "@/server/config/env";
import { getDatabase } from "@/server/db/client";
import { rawSqlClient } from "@/server/db/raw-sql";
import { readSessionToken } from "@/server/auth/session-cookie";
import { resolveActor, type ActorResolution } from "./resolve-actor";

export const resolveRequestActor = cache(async (): Promise<{ sessionToken: string | null; resolution: ActorResolution }> => {
  const env = getEnv();
  const sessionToken = await readSessionToken();
  const database = await getDatabase();
  // On PostgreSQL the one statement runs on the pg pool directly (server/db/raw-sql.ts), not through Prisma.
  const db = database.pool ? rawSqlClient(database.pool, database.statementName) : database.prisma;
  const resolution = await resolveActor(db, sessionToken, { idleMinutes: env.SESSION_IDLE_MINUTES, maxHours: env.SESSION_MAX_HOURS });
  return { sessionToken, resolution };
});
