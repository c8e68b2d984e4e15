// Migrates a fresh embedded database (and, when TEST_DATABASE_URL is set, a
// fresh PostgreSQL database on that server) through `prisma migrate deploy`
// and the wasm schema engine, then checks what the migrations promise: every
// table exists, every migration is recorded with the checksum of its file, the
// hand-written CHECK constraints hold, and no column is shaped to hold an IP
// address except audit_event.actor_ip (the portal user's own address).
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "./migrate";

// every migration on a fresh PGlite: ~20 s idle, more than 60 s on a loaded 2-core machine
const TIMEOUT_MS = 180_000;
const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

const EXPECTED_TABLES = [
  "telemetry_event",
  "ingestion_key",
  "event_name_mapping",
  "property_classification",
  "person",
  "access_group",
  "grant",
  "auth_user",
  "auth_account",
  "auth_session",
  "auth_verification_token",
  "audit_event",
  "audit_chain_head",
  "_prisma_migrations",
];

/** Runs SQL against the migrated database; returns the rows. */
type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

function migrationFiles(): Array<{ name: string; checksum: string }> {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({
      name: entry.name,
      checksum: createHash("sha256").update(fs.readFileSync(path.join(MIGRATIONS_DIR, entry.name, "migration.sql"))).digest("hex"),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs the migration twice: the second run must find nothing to do. */
async function migrateTwice(env: NodeJS.ProcessEnv): Promise<string[]> {
  const lines: string[] = [];
  await migrateDatabase({ env, log: (line) => lines.push(line) });
  await migrateDatabase({ env, log: (line) => lines.push(line) });
  return lines;
}

async function expectMigratedSchema(query: Query): Promise<void> {
  const tables = await query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  expect(tables.map((row) => row.table_name)).toEqual(expect.arrayContaining(EXPECTED_TABLES));

  const applied = await query(
    "SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name",
  );
  expect(applied.map((row) => ({ name: row.migration_name, checksum: row.checksum }))).toEqual(migrationFiles());

  // Only the portal user's own address may be stored; `scope`, `description`
  // and the like merely contain the letters.
  const ipColumns = await query(`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public'
      AND column_name ~* '^ip$|_ip$|^ip_|ip_address'
      AND NOT (table_name = 'audit_event' AND column_name = 'actor_ip')`);
  expect(ipColumns).toEqual([]);

  const person = "00000000-0000-4000-8000-000000000001";
  await query(
    `INSERT INTO person (id, name, email, employer, employment_type) VALUES ('${person}', 'Test Person', 'test@example.com', 'github', 'employee')`,
  );
  const insertGrant = (target: string, justification: string) =>
    query(
      `INSERT INTO "grant" (id, person_id, group_key, role, justification, expires_at)
       VALUES (gen_random_uuid(), '${person}', ${target}, '${justification}', now() + interval '1 day')`,
    );
  await expect(insertGrant("NULL, 'viewer'", "on-call rotation")).resolves.toBeDefined();
  await expect(insertGrant("NULL, NULL", "neither group nor role")).rejects.toThrow(/grant_target/);
  // a group may come with the viewer role only (telemetry access); with any other role it is refused
  await expect(insertGrant("'copilot_team', 'admin'", "group and admin role")).rejects.toThrow(/grant_target/);
  await expect(insertGrant("NULL, 'viewer'", " \t ")).rejects.toThrow(/grant_justification_not_blank/);
}

describe("migrateDatabase on the embedded database", () => {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-migrate-"));
  afterAll(() => fs.rmSync(tempDir, { recursive: true, force: true }));

  it(
    "applies every migration to a fresh data directory, then finds none pending",
    async () => {
      const dataDir = path.join(tempDir, "pglite");
      const lines = await migrateTwice({ ...process.env, DATABASE_URL: "", PGLITE_DATA_DIR: dataDir });
      expect(lines[0]).toMatch(new RegExp(`^Applied ${migrationFiles().length} migrations? to the embedded database`));
      expect(lines[1]).toMatch(/^No pending migrations/);

      // migrateDatabase resolves only once the engine has let go of the directory.
      const db = new PGlite(dataDir);
      try {
        await expectMigratedSchema(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
      } finally {
        await db.close();
      }
    },
    TIMEOUT_MS,
  );
});

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)("migrateDatabase on PostgreSQL (TEST_DATABASE_URL)", () => {
  const database = `tp_it_${randomBytes(6).toString("hex")}`;
  const urlFor = (name: string) => {
    const url = new URL(serverUrl ?? "postgresql://localhost/postgres");
    url.pathname = `/${name}`;
    return url.toString();
  };
  const onMaintenanceDatabase = async (sql: string) => {
    const client = new pg.Client({ connectionString: urlFor("postgres") });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  afterAll(() => onMaintenanceDatabase(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`), TIMEOUT_MS);

  it(
    "applies every migration to a fresh database, then finds none pending",
    async () => {
      await onMaintenanceDatabase(`CREATE DATABASE "${database}"`);
      const lines = await migrateTwice({ ...process.env, DATABASE_URL: urlFor(database) });
      expect(lines[0]).toMatch(/^Applied \d+ migrations? to PostgreSQL database/);
      expect(lines[1]).toMatch(/^No pending migrations/);

      const client = new pg.Client({ connectionString: urlFor(database) });
      await client.connect();
      try {
        await expectMigratedSchema(async (sql) => (await client.query(sql)).rows);
      } finally {
        await client.end();
      }
    },
    TIMEOUT_MS,
  );
});
