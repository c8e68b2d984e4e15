// Fresh databases for integration tests: a temporary PGlite directory always,
// and a newly created PostgreSQL database when TEST_DATABASE_URL is set
// (dropped afterwards). Each is migrated with the real migrations and seeded
// with the demo access list and `events` demo events.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { ContentKey } from "@/server/crypto/content";
import { connectDatabase, type Database } from "@/server/db/connect";
import { migrateDatabase } from "@/server/db/migrate";
import { seedDatabase } from "@/server/seed/seed-database";

export type TestTarget = {
  name: "PGlite" | "PostgreSQL";
  /** set for PostgreSQL, for tests that spawn scripts against the same database */
  databaseUrl?: string;
  open(): Promise<Database>;
  dispose(): Promise<void>;
};

export type SeedSpec = {
  /** names the temporary directory / database, e.g. "admin" → tp_admin_it_… */
  label: string;
  keys: readonly ContentKey[];
  events?: number;
  seed?: number;
};

const quiet = () => undefined;

function pgliteTarget(spec: SeedSpec): TestTarget {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tp-${spec.label}-it-`));
  return {
    name: "PGlite",
    async open() {
      await migrateDatabase({ env: { ...process.env, DATABASE_URL: "", PGLITE_DATA_DIR: dir }, log: quiet });
      await seedDatabase({ pgliteDataDir: dir, events: spec.events ?? 0, seed: spec.seed, keys: spec.keys, log: quiet });
      return connectDatabase({ pgliteDataDir: dir });
    },
    async dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

function postgresTarget(serverUrl: string, spec: SeedSpec): TestTarget {
  const name = `tp_${spec.label}_it_${randomBytes(5).toString("hex")}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    name: "PostgreSQL",
    databaseUrl,
    async open() {
      await migrateDatabase({ env: { ...process.env, DATABASE_URL: databaseUrl }, log: quiet });
      await seedDatabase({ databaseUrl, events: spec.events ?? 0, seed: spec.seed, keys: spec.keys, log: quiet });
      return connectDatabase({ databaseUrl, pgliteDataDir: "(unused)", poolSize: 4 });
    },
    async dispose() {
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function seededTestTargets(spec: SeedSpec): TestTarget[] {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return [pgliteTarget(spec), ...(serverUrl ? [postgresTarget(serverUrl, spec)] : [])];
}
