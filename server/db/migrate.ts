// Applies the pending migrations in prisma/migrations to the configured
// database: PostgreSQL when DATABASE_URL is set (as the role in
// DATABASE_MIGRATION_URL when that is set too), otherwise the embedded
// PostgreSQL (PGlite) in PGLITE_DATA_DIR (default DATA_DIR/pglite, i.e.
// .data/pglite). It runs `prisma migrate deploy`, whose schema engine is the
// project's wasm stand-in (scripts/prisma/schema-engine.mjs), prints one
// summary line, and turns every failure into a MigrationError holding one
// sentence for the operator.
//
// No "server-only" here: `npm run db:migrate` and `npm start` use it from
// scripts. PGlite allows one process per data directory, so stop the portal
// before migrating its embedded database.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { EmbeddedDatabaseInUse, lockEmbeddedDatabase } from "./embedded-lock";

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PRISMA_BIN = path.join(PROJECT_DIR, "node_modules", ".bin", "prisma");

export class MigrationError extends Error {
  override name = "MigrationError";
}

export type MigrateOptions = {
  /** Environment to read the configuration from and to run Prisma with (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the summary line goes (default: console.log). */
  log?: (line: string) => void;
};

type PostgresTarget = {
  kind: "postgresql";
  url: string;
  /** the variable the URL came from: DATABASE_MIGRATION_URL when set, else DATABASE_URL */
  variable: "DATABASE_URL" | "DATABASE_MIGRATION_URL";
  location: string;
  database: string;
};
type EmbeddedTarget = { kind: "embedded"; dataDir: string };
type MigrationTarget = PostgresTarget | EmbeddedTarget;

/**
 * Which database to migrate, and as whom, with the same rules as
 * server/config/env.ts: DATABASE_MIGRATION_URL (the role that owns the schema,
 * see `npm run db:roles`) when set, else DATABASE_URL, else the embedded
 * database. The migration URL must name DATABASE_URL's database, so that a
 * stray variable can never migrate some other database.
 */
export function resolveMigrationTarget(env: Readonly<Record<string, string | undefined>> = process.env): MigrationTarget {
  const runtimeUrl = env.DATABASE_URL?.trim();
  const migrationUrl = env.DATABASE_MIGRATION_URL?.trim();
  if (migrationUrl && !runtimeUrl) {
    throw new MigrationError("DATABASE_MIGRATION_URL is set, so DATABASE_URL (the portal's runtime role) is required too.");
  }
  if (!runtimeUrl) {
    const dataDir = path.resolve(env.PGLITE_DATA_DIR || path.join(env.DATA_DIR || ".data", "pglite"));
    return { kind: "embedded", dataDir };
  }
  const runtime = parsePostgresUrl(runtimeUrl, "DATABASE_URL");
  if (!migrationUrl) return runtime;
  const migration = parsePostgresUrl(migrationUrl, "DATABASE_MIGRATION_URL");
  if (migration.database !== runtime.database) {
    throw new MigrationError(
      `DATABASE_MIGRATION_URL names database ${migration.database} but DATABASE_URL names ${runtime.database}; both must point at the portal's database.`,
    );
  }
  return migration;
}

function parsePostgresUrl(url: string, variable: PostgresTarget["variable"]): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MigrationError(invalidUrlSentence(variable));
  }
  const database = decodeURIComponent(parsed.pathname.slice(1));
  if (!["postgresql:", "postgres:"].includes(parsed.protocol) || parsed.hostname === "" || database === "") {
    throw new MigrationError(invalidUrlSentence(variable));
  }
  return { kind: "postgresql", url, variable, location: `${parsed.hostname}:${parsed.port || 5432}`, database };
}

const invalidUrlSentence = (variable: PostgresTarget["variable"] = "DATABASE_URL") =>
  `${variable} is not a valid postgresql:// URL (expected postgresql://user:password@host:port/database).`;

function describeTarget(target: MigrationTarget): string {
  if (target.kind === "postgresql") return `PostgreSQL database ${target.database} at ${target.location}`;
  const relative = path.relative(process.cwd(), target.dataDir);
  return `the embedded database at ${relative && !relative.startsWith("..") ? relative : target.dataDir}`;
}

/** Applies pending migrations; resolves when the database is up to date. */
export async function migrateDatabase(options: MigrateOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const target = resolveMigrationTarget(env);
  const startedAt = performance.now();

  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    // No update checks or telemetry calls: the machines may be offline.
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    NO_COLOR: "1",
  };
  if (target.kind === "embedded") {
    fs.mkdirSync(path.dirname(target.dataDir), { recursive: true });
    // Absolute, because Prisma runs from the project directory.
    childEnv.PGLITE_DATA_DIR = target.dataDir;
    delete childEnv.DATABASE_URL;
    // Another process (a running portal) has it open: refuse now with the lock's one sentence,
    // rather than after the schema engine's wait, Prisma's failure and the release wait (~40 s).
    // (Not when this process holds it: the probe would take its lock away.)
    try {
      if (readLockOwner(target.dataDir) !== process.pid) (await lockEmbeddedDatabase(target.dataDir)).release();
    } catch (error) {
      if (error instanceof EmbeddedDatabaseInUse) throw new MigrationError(error.message);
      throw error;
    }
  } else {
    await checkServerReachable(target);
    // prisma.config.ts hands Prisma DATABASE_URL: the migration role's, when there is one.
    childEnv.DATABASE_URL = target.url;
  }

  const { code, output } = await runPrisma(["migrate", "deploy"], childEnv);
  // Prisma exits while its schema engine may still be closing PGlite; the
  // caller (npm start) opens the same directory next.
  if (target.kind === "embedded") await waitForEmbeddedDatabaseRelease(target.dataDir);
  if (code !== 0) throw new MigrationError(describePrismaFailure(output, target));

  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const applied = [...output.matchAll(/└─ (\S+)\/\s*$/gm)].map((match) => match[1]);
  const created = /database .* created/i.test(output) ? " (database created)" : "";
  log(
    applied.length === 0
      ? `No pending migrations: ${describeTarget(target)} is up to date (${seconds} s).`
      : `Applied ${applied.length} migration${applied.length > 1 ? "s" : ""} to ${describeTarget(target)}${created} in ${seconds} s: ${applied.join(", ")}.`,
  );
}

/**
 * Connects once before running Prisma, because pg tells why a server cannot
 * be reached (refused, unknown host, timeout, credentials) and Prisma does not.
 * A missing database is fine: `migrate deploy` creates it.
 */
async function checkServerReachable(target: PostgresTarget): Promise<void> {
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {}); // reported through connect()'s rejection
  try {
    await client.connect();
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === "3D000") return;
    const reach = `Cannot reach the database at ${target.location}`;
    switch (code) {
      case "ECONNREFUSED":
        throw new MigrationError(`${reach}: connection refused.`);
      case "ENOTFOUND":
      case "EAI_AGAIN":
        throw new MigrationError(`${reach}: unknown host.`);
      case "EHOSTUNREACH":
      case "ENETUNREACH":
        throw new MigrationError(`${reach}: no route to host.`);
      case "28P01": // wrong password
      case "28000": // unknown role, or pg_hba.conf refuses it
        throw new MigrationError(`The database at ${target.location} refused the login in ${target.variable}: ${message.replace(/\.$/, "")}.`);
      default:
        if (/timeout/i.test(message)) throw new MigrationError(`${reach}: connection timed out.`);
        throw new MigrationError(`${reach}: ${message.replace(/\.$/, "")}.`);
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The schema engine stand-in holds `<dataDir>.lock` (its pid) while it has the
 * embedded database open; Prisma kills it the moment it has its answer, and it
 * closes PGlite on the way out. Wait for that, so that nobody opens the
 * directory twice (PGlite allows one process per data directory).
 */
async function waitForEmbeddedDatabaseRelease(dataDir: string, timeoutMs = 15_000): Promise<void> {
  const lockPath = `${dataDir}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let owner: number;
    try {
      owner = Number(fs.readFileSync(lockPath, "utf8").trim());
    } catch {
      return; // no lock: released
    }
    if (!isProcessAlive(owner)) return; // stale: the engine clears it next time
    if (Date.now() > deadline) {
      throw new MigrationError(`The embedded database at ${dataDir} is still held by process ${owner}; stop it and try again.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readLockOwner(dataDir: string): number | null {
  try {
    return Number(fs.readFileSync(`${dataDir}.lock`, "utf8").trim());
  } catch {
    return null;
  }
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function runPrisma(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PRISMA_BIN, args, { cwd: PROJECT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) =>
      reject(new MigrationError(`Could not run Prisma (${PRISMA_BIN}): ${error.message}; run npm install first.`)),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Prisma's error output, reduced to one sentence. */
export function describePrismaFailure(output: string, target: MigrationTarget): string {
  const sentence = describePrismaError(output, target);
  // A role without the schema's ownership: say which role migrations need.
  if (target.kind !== "postgresql" || !/permission denied|must be (the )?owner/i.test(output)) return sentence;
  const hint =
    target.variable === "DATABASE_URL"
      ? "migrations run as the role that owns the schema: set DATABASE_MIGRATION_URL to it (see npm run db:roles)"
      : "the role in DATABASE_MIGRATION_URL must own the schema: run npm run db:roles";
  return `${sentence.replace(/\.$/, "")}; ${hint}.`;
}

function describePrismaError(output: string, target: MigrationTarget): string {
  const text = output.replace(/\x1b\[[0-9;]*m/g, "");
  const error = text.slice(Math.max(0, text.lastIndexOf("Error:"))).replace(/^Error:\s*/, "");
  const oneLine = (value: string) => value.replace(/\s+/g, " ").trim().replace(/\.?$/, ".");
  const where = describeTarget(target);

  if (/datasource\.url property is required/.test(text)) {
    return 'prisma.config.ts has no datasource.url; set it to process.env.DATABASE_URL || "pglite:".';
  }
  if (/in use by another process/.test(error)) {
    return `${capitalize(where)} is in use by another process; stop the portal and try again.`;
  }
  if (/\bP1001\b/.test(error)) return `Cannot reach ${where}.`;
  const variable = target.kind === "postgresql" ? target.variable : "DATABASE_URL";
  if (/\bP1000\b/.test(error)) return `${capitalize(where)} refused the login in ${variable}.`;
  if (/\bP1013\b/.test(error)) return invalidUrlSentence(variable);
  if (/\bP3005\b/.test(error)) {
    return `${capitalize(where)} already has tables but no migration history; baseline it first (https://pris.ly/d/migrate-baseline).`;
  }
  if (/\bP3009\b/.test(error)) {
    const name = error.match(/The `([^`]+)` migration/)?.[1];
    return `A previous migration${name ? ` (${name})` : ""} failed on ${where}; fix it and mark it with \`prisma migrate resolve\` before applying new ones.`;
  }
  if (/\bP3018\b/.test(error)) {
    const name = error.match(/Migration name: (\S+)/)?.[1] ?? "?";
    const cause = error.match(/Database error:\s*\n([^\n]+)/)?.[1] ?? "see the Prisma output";
    return `Migration ${name} failed on ${where}: ${oneLine(cause.replace(/^ERROR:\s*/, ""))}`;
  }
  // Anything else: Prisma's first meaningful line (skipping a bare error code).
  const lines = error.split("\n").map((line) => line.trim()).filter((line) => line && !/^P\d{4}$/.test(line));
  return `Migrating ${where} failed: ${oneLine((lines[0] ?? "prisma migrate deploy exited with an error").replace(/^ERROR:\s*/, ""))}`;
}

const capitalize = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
