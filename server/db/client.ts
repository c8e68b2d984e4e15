// The Next.js server's database connection: the process's shared one
// (./shared.ts), so route bundles, the HTTP front and the job runner use one
// pool — and one PGlite instance per data directory, a hard rule.
import "server-only";
import type { Database } from "./connect";
import { getSharedDatabase } from "./shared";

export function getDatabase(): Promise<Database> {
  return getSharedDatabase();
}

export async function getPrisma() {
  return (await getDatabase()).prisma;
}
