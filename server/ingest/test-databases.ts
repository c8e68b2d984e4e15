// Test helper for the intake's integration tests: fresh databases migrated
// with migrateDatabase and seeded with the demo access list (no events): a
// temporary PGlite directory always, and a freshly created PostgreSQL
// database when TEST_DATABASE_URL is set (dropped afterwards). Plus ingestion
// keys made for the test, and a scan for a string in every table.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { ContentKey } from "@/server/crypto/content";
import { hashIngestionKey } from "@/server/data/admin/ingestion-key-secret";
import { connectDatabase, type Database } from "@/server/db/connect";
import { migrateDatabase } from "@/server/db/migrate";
import { seedDatabase } from "@/server/seed/seed-database";

export type TestTarget = { name: string; open(): Promise<Database>; dispose(): Promise<void> };

const quiet = () => undefined;

function pgliteTarget(keys: readonly ContentKey[]): TestTarget {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-ingest-it-"));
  return {
    name: "PGlite",
    async open() {
      await migrateDatabase({ env: { ...process.env, DATABASE_URL: "", PGLITE_DATA_DIR: dir }, log: quiet });
      await seedDatabase({ pgliteDataDir: dir, events: 0, keys, log: quiet });
      return connectDatabase({ pgliteDataDir: dir });
    },
    async dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresTarget(serverUrl: string, keys: readonly ContentKey[]): TestTarget {
  const name = `tp_ingest_it_${randomBytes(5).toString("hex")}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    name: "PostgreSQL",
    async open() {
      await migrateDatabase({ env: { ...process.env, DATABASE_URL: databaseUrl }, log: quiet });
      await seedDatabase({ databaseUrl, events: 0, keys, log: quiet });
      return connectDatabase({ databaseUrl, pgliteDataDir: "(unused)", poolSize: 4 });
    },
    async dispose() {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function testTargets(keys: readonly ContentKey[]): TestTarget[] {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return [pgliteTarget(keys), ...(serverUrl ? [postgresTarget(serverUrl, keys)] : [])];
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
