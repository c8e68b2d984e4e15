// `npm test`: the whole suite, in the order that fails fastest.
//   1. lint and typecheck
//   2. unit tests (vitest project "unit")
//   3. integration tests against real databases (vitest project "integration"):
//      the embedded PGlite always, PostgreSQL too when TEST_DATABASE_URL is set
//      (each test file creates and drops its own database there)
//   4. the production build, then Playwright in Debian's Chromium against it,
//      on a fresh PostgreSQL database (tp_e2e_<random>, dropped afterwards) on
//      the server TEST_DATABASE_URL names, or on the local server
//      (postgresql://postgres@127.0.0.1:5432/postgres) when it is unset. The
//      browser tests need PostgreSQL: they read audit rows and change grants
//      beside the running portal, and the embedded PGlite allows one process.
// Any step failing stops the run with its exit code.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

/** A step failed; thrown (not process.exit) so that cleanup in `finally` blocks still runs. */
class StepFailed extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

function run(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n▶ ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed (exit ${result.status ?? result.signal}).`);
    throw new StepFailed(result.status || 1);
  }
  console.log(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new URL(serverUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

const LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";

async function canConnect(serverUrl: string): Promise<boolean> {
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
async function e2eDatabaseServer(testDatabaseUrl: string): Promise<string> {
  if (testDatabaseUrl) return testDatabaseUrl;
  if (await canConnect(LOCAL_POSTGRES)) return LOCAL_POSTGRES;
  console.error(
    `✖ The browser tests need PostgreSQL: set TEST_DATABASE_URL to a server where they may create a database (nothing answers at ${LOCAL_POSTGRES}).`,
  );
  process.exit(1);
}

async function main(): Promise<void> {
  const only = process.argv[2];
  // As the README says: TEST_DATABASE_URL, else the local PostgreSQL when it answers (so the
  // PostgreSQL-only integration tests — roles, restart, job queue — run in every full run).
  const testDatabaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || ((await canConnect(LOCAL_POSTGRES)) ? LOCAL_POSTGRES : "");
  // Next.js's anonymous usage telemetry stays off (builds included).
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, TEST_DATABASE_URL: testDatabaseUrl, NEXT_TELEMETRY_DISABLED: "1" };
  delete baseEnv.DATABASE_URL;
  // A developer's exported migration URL must not point the suite's own databases elsewhere.
  delete baseEnv.DATABASE_MIGRATION_URL;
  // checked first: no point linting and building for a browser run that cannot start
  const e2eServer = !only || only === "e2e" ? await e2eDatabaseServer(testDatabaseUrl) : "";

  if (!only || only === "static") {
    run("lint", bin("eslint"), ["--max-warnings=0", "."]);
    run("typecheck", bin("tsc"), ["--noEmit"]);
  }
  if (!only || only === "unit") run("unit tests", bin("vitest"), ["run", "--project", "unit"], baseEnv);
  if (!only || only === "integration") {
    if (!testDatabaseUrl) console.log("(TEST_DATABASE_URL is not set: integration tests run on the embedded database only)");
    run("integration tests", bin("vitest"), ["run", "--project", "integration"], baseEnv);
  }
  if (!only || only === "e2e") {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-e2e-"));
    const e2eEnv: NodeJS.ProcessEnv = { ...baseEnv, DATA_DIR: dataDir, PORTAL_ENV: "development" };
    delete e2eEnv.TEST_DATABASE_URL;
    delete e2eEnv.AUTH_SECRET;
    delete e2eEnv.CONTENT_ENCRYPTION_KEYS;
    const database = `tp_e2e_${randomBytes(4).toString("hex")}`;
    e2eEnv.DATABASE_URL = await createDatabase(e2eServer, database);
    e2eEnv.SEED_IF_EMPTY = "true";
    try {
      run("production build", bin("next"), ["build"], e2eEnv);
      run("browser tests (Playwright, Chromium)", bin("playwright"), ["test"], e2eEnv);
    } finally {
      await dropDatabase(e2eServer, database);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log("\nAll tests passed.");
}

main().catch((error: unknown) => {
  if (error instanceof StepFailed) process.exit(error.exitCode);
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
