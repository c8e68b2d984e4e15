// Test helpers for the intake's integration tests: fresh seeded databases
// (test/test-databases.ts), ingestion keys made for the test, and a scan for
// a string in every table.
import { randomBytes, randomUUID } from "node:crypto";
import type { ContentKey } from "@/server/crypto/content";
import { hashIngestionKey } from "@/server/data/admin/ingestion-key-secret";
import type { Database } from "@/server/db/connect";
import { seededTestTargets, type TestTarget } from "@/test/test-databases";

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function testTargets(keys: readonly ContentKey[]): TestTarget[] {
  return seededTestTargets({ label: "ingest", keys });
}

/** Issues an ingestion key straight into the database (as the admin console would), optionally revoked. */
export async function createTestKey(db: Database, name: string, options: { revoked?: boolean } = {}): Promise<{ id: string; key: string }> {
  const key = `tpk_${randomBytes(24).toString("base64url")}`;
  const id = randomUUID();
  await db.prisma.ingestionKey.create({
    data: { id, name, keyPrefix: key.slice(0, 12), keyHash: hashIngestionKey(key), revokedAt: options.revoked ? new Date() : null },
  });
  return { id, key };
}

/** Every table and column (of any type, as text) in which `needle` occurs: [] when it is nowhere. */
export async function findInDatabase(db: Database, needle: string): Promise<string[]> {
  const tables = await db.prisma.$queryRawUnsafe<Array<{ table_name: string }>>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const hits: string[] = [];
  for (const { table_name: table } of tables) {
    const rows = await db.prisma.$queryRawUnsafe<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "${table}" t WHERE strpos(t::text, $1) > 0`,
      needle,
    );
    if (Number(rows[0]?.n) > 0) hits.push(table);
  }
  return hits;
}
