// What `npm test` (scripts/test.ts) and `npm run fuzz` (scripts/fuzz.ts) share
// to run Playwright against the production build: a fresh PostgreSQL database
// (tp_e2e_<random>, dropped afterwards) on the server TEST_DATABASE_URL names,
// or on the local server when it is unset, and a temporary data directory.
// The browser tests and the fuzz stage need PostgreSQL: they read audit rows
// and change grants beside the running portal, and the embedded PGlite allows
// one process.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export const root = path.resolve(import.meta.dirname, "..");
export const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

/** A step failed; thrown (not process.exit) so that cleanup in `finally` blocks still runs. */
export class StepFailed extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

export function run(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n▶ ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed (exit ${result.status ?? result.signal}).`);
    throw new StepFailed(result.status || 1);
  }
  console.log(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export const LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";

export async function canConnect(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The PostgreSQL server the browser tests create their database on; exits with one sentence if there is none. */
export async function e2eDatabaseServer(testDatabaseUrl: string): Promise<string> {
  if (testDatabaseUrl) return testDatabaseUrl;
  if (await canConnect(LOCAL_POSTGRES)) return LOCAL_POSTGRES;
  console.error(
    `✖ The browser tests need PostgreSQL: set TEST_DATABASE_URL to a server where they may create a database (nothing answers at ${LOCAL_POSTGRES}).`,
  );
  process.exit(1);
}

/**
 * Runs `body` with the environment of a portal under test: a fresh database
 * on `server`, a temporary DATA_DIR, development mode with generated secrets
 * and the demo identity provider, seeded on start. Both are removed afterwards.
 */
export async function withE2eEnvironment(server: string, baseEnv: NodeJS.ProcessEnv, body: (env: NodeJS.ProcessEnv) => Promise<void> | void): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-e2e-"));
  const env: NodeJS.ProcessEnv = { ...baseEnv, DATA_DIR: dataDir, PORTAL_ENV: "development", SEED_IF_EMPTY: "true" };
  delete env.TEST_DATABASE_URL;
  delete env.AUTH_SECRET;
  delete env.CONTENT_ENCRYPTION_KEYS;
  const database = `tp_e2e_${randomBytes(4).toString("hex")}`;
  await adminQuery(server, `CREATE DATABASE "${database}"`);
  const url = new URL(server);
  url.pathname = `/${database}`;
  env.DATABASE_URL = url.toString();
  try {
    await body(env);
  } finally {
    await adminQuery(server, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** True when there is no production build, or a source file is newer than it. */
export function isBuildStale(): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const builtAt = fs.statSync(buildId).mtimeMs;
  const newer = (dir: string): boolean => {
    if (!fs.existsSync(dir)) return false;
    return fs.readdirSync(dir, { withFileTypes: true }).some((entry) => {
      if (entry.name === "generated" || entry.name.startsWith(".")) return false;
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newer(full) : fs.statSync(full).mtimeMs > builtAt;
    });
  };
  return ["app", "components", "lib", "server"].some((dir) => newer(path.join(root, dir)));
}
