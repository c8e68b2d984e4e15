// Fresh databases for integration tests: a temporary PGlite directory always,
// and a newly created PostgreSQL database when TEST_DATABASE_URL is set
// (dropped afterwards). Each is migrated with the real migrations and seeded
// with the demo access list and `events` demo events. The PostgreSQL database
// is then set up as `npm run db:roles` sets up production, and the test
// connects as the least-privilege runtime role (its roles are dropped
// afterwards), so a feature that needs a privilege the runtime policy
// (server/db/runtime-privileges.ts) lacks fails here, not in production.
// `runtimeRole: false` (or TEST_DATABASE_RUNTIME_ROLE=false for every file)
// connects as TEST_DATABASE_URL's own role instead.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { ContentKey } from "@/server/crypto/content";
import { connectDatabase, type Database } from "@/server/db/connect";
import { applyDatabaseRoles } from "@/server/db/database-roles";
import { migrateDatabase } from "@/server/db/migrate";
import { seedDatabase } from "@/server/seed/seed-database";

export type TestTarget = {
  name: "PGlite" | "PostgreSQL";
  /** set for PostgreSQL, for tests that spawn scripts against the same database (as the runtime role, by default) */
  databaseUrl?: string;
  /** as the runtime role: the migration role's URL (owner of the schema) */
  migrationUrl?: string;
  open(): Promise<Database>;
  dispose(): Promise<void>;
};

export type SeedSpec = {
  /** names the temporary directory / database, e.g. "admin" → tp_admin_it_… */
  label: string;
  keys: readonly ContentKey[];
  events?: number;
  seed?: number;
  /** PostgreSQL: connect as a runtime role made by `npm run db:roles`'s code, as in production (default true) */
  runtimeRole?: boolean;
};

const quiet = () => undefined;

function pgliteTarget(spec: SeedSpec): TestTarget {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tp-${spec.label}-it-`));
  return {
    name: "PGlite",
    async open() {
      await migrateDatabase({ env: { ...process.env, DATABASE_URL: "", DATABASE_MIGRATION_URL: "", PGLITE_DATA_DIR: dir }, log: quiet });
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
  const suffix = randomBytes(5).toString("hex");
  const name = `tp_${spec.label}_it_${suffix}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const ownerUrl = url.toString();
  const asRuntimeRole = spec.runtimeRole ?? process.env.TEST_DATABASE_RUNTIME_ROLE !== "false";
  // Roles are cluster-wide: unique names, dropped in dispose().
  const roles = { runtimeRole: `tp_it_app_${suffix}`, migrationRole: `tp_it_mig_${suffix}` };
  const urlAs = (role: string) => {
    const roleUrl = new URL(ownerUrl);
    roleUrl.username = role;
    roleUrl.password = "";
    return roleUrl.toString();
  };
  const databaseUrl = asRuntimeRole ? urlAs(roles.runtimeRole) : ownerUrl;
  return {
    name: "PostgreSQL",
    databaseUrl,
    migrationUrl: asRuntimeRole ? urlAs(roles.migrationRole) : undefined,
    async open() {
      await migrateDatabase({ env: { ...process.env, DATABASE_URL: ownerUrl, DATABASE_MIGRATION_URL: "" }, log: quiet });
      await seedDatabase({ databaseUrl: ownerUrl, events: spec.events ?? 0, seed: spec.seed, keys: spec.keys, log: quiet });
      if (asRuntimeRole) {
        const admin = new pg.Client({ connectionString: ownerUrl });
        await admin.connect();
        try {
          await applyDatabaseRoles(admin, roles);
        } finally {
          await admin.end();
        }
      }
      return connectDatabase({ databaseUrl, pgliteDataDir: "(unused)", poolSize: 4 });
    },
    async dispose() {
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (asRuntimeRole) await onServer(serverUrl, `DROP ROLE IF EXISTS ${roles.runtimeRole}; DROP ROLE IF EXISTS ${roles.migrationRole}`);
    },
  };
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function seededTestTargets(spec: SeedSpec): TestTarget[] {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return [pgliteTarget(spec), ...(serverUrl ? [postgresTarget(serverUrl, spec)] : [])];
}
