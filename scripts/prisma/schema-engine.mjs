#!/usr/bin/env node
// A stand-in for Prisma's native schema-engine binary, built on the WebAssembly
// build of the same engine (@prisma/schema-engine-wasm).
//
// Why: the Prisma CLI (`migrate *`, `db push`, `db pull`) drives a native
// binary that it downloads from binaries.prisma.sh, which this project's
// networks cannot reach. The CLI honours PRISMA_SCHEMA_ENGINE_BINARY, and
// prisma.config.ts points it here. This script speaks the binary's protocol:
//
//   schema-engine [--datamodels <file>]… [--datasource <json>]
//       JSON-RPC 2.0 server, one JSON message per line on stdin/stdout.
//   schema-engine [--datasource <json>] cli <can-connect-to-database|create-database|drop-database>
//       one-shot; results and errors are JSON log lines on stderr.
//   schema-engine --version
//
// Which database: the datasource URL the CLI passes (prisma.config.ts
// `datasource.url`), else DATABASE_URL.
//   - postgres:// or postgresql://  → that PostgreSQL server, through @prisma/adapter-pg;
//   - empty, or the `pglite:` scheme → the embedded database (PGlite), stored in
//     the directory after `pglite:`, else PGLITE_DATA_DIR, else DATA_DIR/pglite,
//     else <project>/.data/pglite.
//
// Differences from the native engine (the wasm build lacks a few commands):
//   - createMigration is emulated with `diff` (migrations directory → schema);
//   - evaluateDataLoss is emulated too, and only recognises dropped tables,
//     dropped columns and required columns added without a default;
//   - `shadowDatabaseUrl` is ignored: a temporary database is always used.

import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DEFAULT_PGLITE_DIR = path.join(PROJECT_DIR, ".data", "pglite");
// Resolve packages from the project, wherever this script is started from.
const requireFromProject = createRequire(path.join(PROJECT_DIR, "package.json"));
const importFromProject = (specifier) =>
  import(pathToFileURL(requireFromProject.resolve(specifier)).href);

// JSON-RPC error code the native engine uses for every user-facing error; the
// details (message, error_code, is_panic) travel in `data`.
const USER_FACING_RPC_ERROR = 4466;
const NO_FILTERS = { externalTables: [], externalEnums: [] };

// ─── Output ──────────────────────────────────────────────────────────────────

// When the CLI has already gone away (it kills the engine as soon as it has
// its answer), writes fail with EPIPE: nothing left to tell anyone.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

/** Writes one log line in the native engine's format (tracing JSON on stderr). */
function log(level, fields, target = "schema_engine") {
  const line = { timestamp: new Date().toISOString(), level, fields, target };
  process.stderr.write(JSON.stringify(line) + "\n");
}

// The CLI parses stderr line by line as JSON: route Node's own warnings
// through the same format instead of letting Node print plain text.
process.removeAllListeners("warning");
process.on("warning", (warning) => log("WARN", { message: `${warning.name}: ${warning.message}` }));

function send(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

// ─── Errors ──────────────────────────────────────────────────────────────────

/** An error the user should read as is, with Prisma's error code if there is one. */
class UserFacingError extends Error {
  constructor(message, errorCode = "") {
    super(message);
    this.errorCode = errorCode;
  }
}

// The wasm engine raises plain Errors carrying the same messages as the native
// engine, but without their codes. The CLI only needs the code to recognise
// "database does not exist" (P1003, then it creates the database) and shows
// the others as a prefix; recover them from the message templates.
const ERROR_CODES_BY_MESSAGE = [
  [/^Authentication failed against database server/, "P1000"],
  [/^Can't reach database server/, "P1001"],
  [/was reached but timed out/, "P1002"],
  [/^Database `[^`]*` does not exist/, "P1003"],
  [/^Database `[^`]*` already exists/, "P1009"],
  [/^User `[^`]*` was denied access/, "P1010"],
  [/^Error opening a TLS connection/, "P1011"],
  [/^Server has closed the connection/, "P1017"],
  [/^The database schema is not empty/, "P3005"],
  [/failed to apply cleanly to the shadow database/, "P3006"],
  [/is already recorded as applied in the database/, "P3008"],
  [/found failed migrations in the target database/, "P3009"],
  [/cannot be rolled back because it was never applied/, "P3011"],
  [/cannot be rolled back because it is not in a failed state/, "P3012"],
  [/could not create the shadow database/, "P3014"],
  [/^A migration failed to apply/, "P3018"],
];

/** Panic message recorded by the wasm panic hook (see loadWasmEngine). */
let wasmPanicMessage = null;
/**
 * The database's own error from the last failed migration script. The engine
 * only says "external connector error" and a vague kind ("No such table: x");
 * the native engine shows PostgreSQL's code and message, and so do we.
 */
let lastScriptError = null;
const databaseErrorDetails = (error) =>
  `Database error code: ${error.code ?? "unknown"}\n\nDatabase error:\nERROR: ${error.message}`;

/**
 * Turns anything thrown into { message, errorCode, isPanic }, dropping the
 * wasm engine's span trace ("   0: schema_engine_wasm::…") and JS stacks.
 */
function describeError(error) {
  if (wasmPanicMessage !== null || error instanceof WebAssembly.RuntimeError) {
    const message = wasmPanicMessage ?? String(error?.message ?? error);
    return { message: `The schema engine crashed: ${message}`, errorCode: "", isPanic: true };
  }
  if (error instanceof UserFacingError) {
    return { message: error.message, errorCode: error.errorCode, isPanic: false };
  }
  const raw = String(error?.message ?? error);
  let message = raw.split(/\n\s+\d+: [\w:]+/)[0].trim();
  if (lastScriptError && message.includes("external connector error")) {
    message = message.replace(/external connector error(\n[^\n]*)?/, databaseErrorDetails(lastScriptError));
  }
  const errorCode = ERROR_CODES_BY_MESSAGE.find(([pattern]) => pattern.test(message))?.[1] ?? "";
  return { message, errorCode, isPanic: false };
}

// ─── The wasm engine ─────────────────────────────────────────────────────────

let wasmModulePromise = null;

/**
 * Loads @prisma/schema-engine-wasm. Its entry point imports the .wasm file as
 * an ES module, which Node 20 cannot do, so instantiate the binary here and
 * hand its exports to the package's JS glue, as the entry point would.
 */
function loadWasmEngine() {
  wasmModulePromise ??= (async () => {
    // The engine's panic hook calls global.PRISMA_WASM_PANIC_REGISTRY.set_message;
    // without it a panic surfaces as an unrelated TypeError.
    globalThis.PRISMA_WASM_PANIC_REGISTRY = {
      set_message(message) {
        wasmPanicMessage = message;
      },
    };
    const gluePath = requireFromProject.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const glue = await import(pathToFileURL(gluePath).href);
    const wasmPath = path.join(path.dirname(gluePath), "schema_engine_bg.wasm");
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), {
      "./schema_engine_bg.js": glue,
    });
    glue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return glue;
  })();
  return wasmModulePromise;
}

// ─── Which database ──────────────────────────────────────────────────────────

const INVALID_URL_MESSAGE =
  "The provided database string is invalid. The datasource URL must start with postgresql:// or postgres://, or be empty (or pglite:) for the embedded database.";

/** @returns {{ kind: "pglite", dataDir: string } | { kind: "postgres", config: object, schema?: string, location: string }} */
function resolveDatabase(datasource) {
  const url = (datasource?.url || process.env.DATABASE_URL || "").trim();
  if (url === "" || url.startsWith("pglite:")) {
    const fromUrl = url.slice("pglite:".length);
    // Same rule as the portal (server/config/env.ts): PGLITE_DATA_DIR, else DATA_DIR/pglite.
    const { PGLITE_DATA_DIR, DATA_DIR } = process.env;
    const dataDir = path.resolve(
      fromUrl || PGLITE_DATA_DIR || (DATA_DIR ? path.join(DATA_DIR, "pglite") : DEFAULT_PGLITE_DIR),
    );
    return { kind: "pglite", dataDir };
  }
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UserFacingError(INVALID_URL_MESSAGE, "P1013");
  if (datasource?.shadowDatabaseUrl) {
    log("WARN", { message: "shadowDatabaseUrl is not supported by this engine; a temporary database is used." });
  }
  return { kind: "postgres", ...postgresConfigFromUrl(url) };
}

/**
 * Splits a PostgreSQL URL into pg's discrete options. A connection string must
 * not reach PrismaPg: its shadow-database connection spreads the config and
 * overrides `database`, which a `connectionString` would silently win over.
 */
function postgresConfigFromUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserFacingError(INVALID_URL_MESSAGE, "P1013");
  }
  const params = parsed.searchParams;
  // `?host=/run/postgresql` selects a Unix socket directory, as in libpq.
  const host = params.get("host") || decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new UserFacingError(INVALID_URL_MESSAGE, "P1013");
  const port = parsed.port ? Number(parsed.port) : 5432;
  const config = {
    host,
    port,
    user: decodeURIComponent(parsed.username) || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: decodeURIComponent(parsed.pathname.slice(1)) || "postgres",
    // Fail like Prisma does (after connect_timeout, 5 s by default) rather than hang.
    connectionTimeoutMillis: Number(params.get("connect_timeout") ?? 5) * 1000 || undefined,
    ssl: sslOption(params),
  };
  if (params.get("application_name")) config.application_name = params.get("application_name");
  return { config, schema: params.get("schema") || undefined, location: `${host}:${port}` };
}

function sslOption(params) {
  const mode = params.get("sslmode");
  const rootCert = params.get("sslrootcert");
  switch (mode) {
    case "require":
    case "no-verify":
      return { rejectUnauthorized: false };
    case "verify-ca":
    case "verify-full":
      return rootCert ? { ca: fs.readFileSync(rootCert, "utf8") } : true;
    default:
      // disable, prefer (pg cannot fall back from TLS to plain), or unset
      return undefined;
  }
}

const quoteIdent = (name) => `"${String(name).replaceAll('"', '""')}"`;

// ─── Driver adapters ─────────────────────────────────────────────────────────

/**
 * Both adapters' executeScript need replacing for migrations: adapter-pg splits
 * the script on every ";" (breaking function bodies and string literals, and
 * running the statements outside one transaction), and pglite-prisma-adapter
 * does not await exec(), so the engine never hears that a migration failed and
 * the process dies of an unhandled rejection. Send the script whole,
 * as the native engine does: PostgreSQL runs a multi-statement simple query
 * as one implicit transaction.
 */
function executeScriptsWhole(adapter, execute) {
  adapter.executeScript = async (script) => {
    try {
      await execute(script);
    } catch (error) {
      lastScriptError = error;
      // onError (internal to both adapters) turns database errors into
      // DriverAdapterErrors the engine can report.
      if (typeof adapter.onError === "function") adapter.onError(error);
      throw error;
    }
  };
  return adapter;
}

/** Embedded PostgreSQL: one PGlite for the main database, in-memory ones for shadows. */
class PgliteFactory {
  provider = "postgres";
  adapterName = "pglite-prisma-adapter";

  constructor(dataDir) {
    this.dataDir = dataDir;
    this.opening = null;
    this.db = null;
    this.lock = null;
    this.shadows = new Set();
  }

  open() {
    this.opening ??= (async () => {
      fs.mkdirSync(path.dirname(this.dataDir), { recursive: true });
      this.lock = await acquireDirectoryLock(this.dataDir);
      const { PGlite } = await importFromProject("@electric-sql/pglite");
      this.db = new PGlite(this.dataDir);
      await this.db.waitReady;
      return this.db;
    })();
    return this.opening;
  }

  async connect() {
    const db = await this.open();
    const { PrismaPGlite } = await importFromProject("pglite-prisma-adapter");
    const adapter = await new PrismaPGlite(db).connect();
    return executeScriptsWhole(adapter, (script) => db.exec(script));
  }

  async connectToShadowDb() {
    const { PGlite } = await importFromProject("@electric-sql/pglite");
    const { PrismaPGlite } = await importFromProject("pglite-prisma-adapter");
    const shadow = new PGlite("memory://");
    await shadow.waitReady;
    this.shadows.add(shadow);
    const adapter = await new PrismaPGlite(shadow).connect();
    // The adapter's own dispose is a no-op: close the in-memory database.
    adapter.dispose = async () => {
      this.shadows.delete(shadow);
      await shadow.close();
    };
    return executeScriptsWhole(adapter, (script) => shadow.exec(script));
  }

  async queryRows(sql) {
    const db = await this.open();
    return (await db.query(sql)).rows;
  }

  /** Close everything: an open PGlite keeps the process alive forever. */
  async close() {
    for (const shadow of this.shadows) await shadow.close().catch(() => {});
    this.shadows.clear();
    if (this.db) await this.db.close().catch(() => {});
    this.db = null;
    this.lock?.release();
    this.lock = null;
  }
}

/**
 * PGlite supports one process per data directory. The CLI kills the engine
 * the moment it has its answer, so the next command's engine may start while
 * the previous one is still closing the database: wait for it, via a lock
 * file next to the data directory that holds the owner's pid.
 */
async function acquireDirectoryLock(dataDir, timeoutMs = 15_000) {
  const lockPath = `${dataDir}.lock`;
  const deadline = Date.now() + timeoutMs;
  // Written aside, then hard-linked into place: the lock never exists empty.
  const candidate = `${lockPath}.${process.pid}`;
  fs.writeFileSync(candidate, String(process.pid));
  for (;;) {
    try {
      fs.linkSync(candidate, lockPath);
      fs.rmSync(candidate, { force: true });
      return { release: () => fs.rmSync(lockPath, { force: true }) };
    } catch (error) {
      if (error.code !== "EEXIST") {
        fs.rmSync(candidate, { force: true });
        throw error;
      }
    }
    let owner;
    try {
      owner = Number(fs.readFileSync(lockPath, "utf8").trim());
    } catch {
      continue; // released meanwhile
    }
    if (!isProcessAlive(owner)) {
      fs.rmSync(lockPath, { force: true }); // left behind by a process that died
      continue;
    }
    if (Date.now() > deadline) {
      fs.rmSync(candidate, { force: true });
      throw new UserFacingError(
        `The embedded database at ${dataDir} is in use by another process (pid ${owner}); stop it and try again.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isProcessAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

let pgModulePromise = null;

/**
 * The engine reads pg_catalog columns of type "char" (OID 18, e.g.
 * pg_constraint.contype) and expects them as single characters, but
 * adapter-pg refuses to decode that type at all. Two steps fix it:
 *  1. a pg.Client subclass (PrismaPg's `Client` option) reports such columns
 *     as text, so adapter-pg accepts them (the values are plain strings
 *     already), and remembers which columns they were, keyed by the rows array;
 *  2. the adapter's queryRaw then marks those columns as Character, which is
 *     what the engine's describer unwraps (as text it panics on the first
 *     CHECK constraint).
 */
const charColumnsOfRows = new WeakMap();

function loadPg() {
  pgModulePromise ??= (async () => {
    const pg = (await importFromProject("pg")).default;
    const CHAR_OID = 18;
    const TEXT_OID = 25;
    const relabelCharColumns = (result) => {
      if (Array.isArray(result)) return result.map(relabelCharColumns);
      const charColumns = [];
      result?.fields?.forEach((field, index) => {
        if (field.dataTypeID === CHAR_OID) charColumns.push(index);
      });
      if (charColumns.length > 0) {
        result.fields = result.fields.map((field) =>
          field.dataTypeID === CHAR_OID ? { ...field, dataTypeID: TEXT_OID } : field,
        );
        charColumnsOfRows.set(result.rows, charColumns);
      }
      return result;
    };
    class CharAsTextClient extends pg.Client {
      query(config, values, callback) {
        if (typeof config?.submit === "function") return super.query(config, values, callback);
        const done = typeof values === "function" ? values : callback;
        if (typeof done === "function") {
          // The pool calls client.query(config, values, callback).
          const relabelled = (error, result) => done(error, error ? result : relabelCharColumns(result));
          return typeof values === "function"
            ? super.query(config, relabelled)
            : super.query(config, values, relabelled);
        }
        return super.query(config, values).then(relabelCharColumns);
      }
    }
    return { pg, CharAsTextClient };
  })();
  return pgModulePromise;
}

/** Step 2 above, on an adapter and on the transactions it starts. */
async function markCharColumns(queryable) {
  const { ColumnTypeEnum } = await importFromProject("@prisma/driver-adapter-utils");
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumnsOfRows.get(result.rows) ?? []) {
      result.columnTypes[index] = ColumnTypeEnum.Character;
    }
    return result;
  };
  if (typeof queryable.startTransaction === "function") {
    const startTransaction = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (...args) => markCharColumns(await startTransaction(...args));
  }
  return queryable;
}

/** PostgreSQL through @prisma/adapter-pg, with shadow databases that are really dropped. */
class PostgresFactory {
  provider = "postgres";
  adapterName = "@prisma/adapter-pg";

  constructor({ config, schema, location }) {
    this.config = config;
    this.options = schema ? { schema } : undefined;
    this.location = location;
    this.adapters = new Set();
    this.shadowDatabases = new Set();
  }

  async newAdapter(database) {
    const { CharAsTextClient } = await loadPg();
    const { PrismaPg } = await importFromProject("@prisma/adapter-pg");
    const config = { ...this.config, database, Client: CharAsTextClient };
    const adapter = await markCharColumns(await new PrismaPg(config, this.options).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      this.adapters.delete(adapter);
      await dispose();
    };
    this.adapters.add(adapter);
    return executeScriptsWhole(adapter, (script) => adapter.underlyingDriver().query(script));
  }

  connect() {
    return this.newAdapter(this.config.database);
  }

  // adapter-pg's own version drops the shadow database before closing the
  // pool that is connected to it, which fails and leaves it behind.
  async connectToShadowDb() {
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await this.queryRows(`CREATE DATABASE ${quoteIdent(database)}`);
    this.shadowDatabases.add(database);
    const adapter = await this.newAdapter(database);
    const dispose = adapter.dispose;
    adapter.dispose = async () => {
      try {
        await dispose();
      } finally {
        await this.dropShadowDatabase(database);
      }
    };
    return adapter;
  }

  async dropShadowDatabase(database) {
    await this.queryRows(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    this.shadowDatabases.delete(database);
  }

  /** Runs one statement on its own short-lived connection (to the main database unless told). */
  async queryRows(sql, database = this.config.database) {
    const { pg } = await loadPg();
    // Unqualified names (the data-loss counts) resolve in the `?schema=` schema.
    const schema = this.options?.schema;
    const searchPath = schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {};
    const client = new pg.Client({ ...this.config, ...searchPath, database });
    client.on("error", () => {}); // reported through the query's rejection
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  }

  async close() {
    for (const adapter of [...this.adapters]) await adapter.dispose().catch(() => {});
    for (const database of [...this.shadowDatabases]) {
      await this.dropShadowDatabase(database).catch((error) =>
        log("WARN", { message: `Could not drop the shadow database ${database}: ${error.message}` }),
      );
    }
  }
}

function createFactory(database) {
  return database.kind === "pglite" ? new PgliteFactory(database.dataDir) : new PostgresFactory(database);
}

// ─── CREATE / DROP DATABASE (absent from the wasm engine) ────────────────────

/** pg errors → Prisma's user-facing messages, for the statements we run ourselves. */
function postgresUserFacingError(error, database) {
  const location = database.location;
  const db = database.config.database;
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "EAI_AGAIN"].includes(error.code) ||
      /timeout/i.test(error.message)) {
    return new UserFacingError(
      `Can't reach database server at \`${location}\`\n\nPlease make sure your database server is running at \`${location}\`.`,
      "P1001",
    );
  }
  switch (error.code) {
    case "28P01":
    case "28000":
      return new UserFacingError(
        `Authentication failed against database server at \`${location}\`, the provided database credentials for \`${database.config.user ?? ""}\` are not valid.`,
        "P1000",
      );
    case "42P04":
      return new UserFacingError(`Database \`${db}\` already exists on the database server at \`${location}\``, "P1009");
    case "3D000":
      return new UserFacingError(`Database \`${db}\` does not exist on the database server at \`${location}\`.`, "P1003");
    case "42501":
      return new UserFacingError(`User was denied access on the database \`${db}\`: ${error.message}`, "P1010");
    default:
      return new UserFacingError(error.message);
  }
}

/** Runs a statement on the server's maintenance database (postgres, else template1). */
async function onMaintenanceDatabase(database, sql) {
  const factory = new PostgresFactory(database);
  try {
    return await factory.queryRows(sql, "postgres");
  } catch (error) {
    if (error.code !== "3D000") throw error;
    return await factory.queryRows(sql, "template1");
  }
}

async function createDatabase(database) {
  if (database.kind === "pglite") {
    // PGlite creates its data directory on first use.
    fs.mkdirSync(path.dirname(database.dataDir), { recursive: true });
    return { databaseName: path.basename(database.dataDir) };
  }
  const name = database.config.database;
  try {
    await onMaintenanceDatabase(database, `CREATE DATABASE ${quoteIdent(name)}`);
  } catch (error) {
    throw postgresUserFacingError(error, database);
  }
  return { databaseName: name };
}

async function dropDatabase(database) {
  if (database.kind === "pglite") {
    throw new UserFacingError(`To drop the embedded database, stop the portal and delete ${database.dataDir}.`);
  }
  try {
    await onMaintenanceDatabase(database, `DROP DATABASE ${quoteIdent(database.config.database)} WITH (FORCE)`);
  } catch (error) {
    throw postgresUserFacingError(error, database);
  }
}

// ─── The engine session ──────────────────────────────────────────────────────

/** One wasm SchemaEngine on one database, created on first use. */
class EngineSession {
  constructor({ database, datamodels }) {
    this.database = database;
    this.datamodels = datamodels;
    this.factory = null;
    this.enginePromise = null;
    /** Name of the migration applyMigrations is running (from the engine's log). */
    this.migrationBeingApplied = null;
  }

  engine() {
    this.enginePromise ??= this.startEngine().catch(async (error) => {
      // Let a later request retry (e.g. once the database is up), on a clean slate.
      await this.factory?.close().catch(() => {});
      this.factory = null;
      this.enginePromise = null;
      throw error;
    });
    return this.enginePromise;
  }

  async startEngine() {
    const glue = await loadWasmEngine();
    const { bindMigrationAwareSqlAdapterFactory } = await importFromProject("@prisma/driver-adapter-utils");
    this.factory = createFactory(this.database);
    const onLog = (line) => {
      process.stderr.write(line.endsWith("\n") ? line : line + "\n");
      const applying = /"message":"Applying `([^`]+)`"/.exec(line);
      if (applying) this.migrationBeingApplied = applying[1];
    };
    // An empty datamodels array panics: pass undefined instead.
    const options = { datamodels: this.datamodels.length > 0 ? this.datamodels : undefined };
    return glue.SchemaEngine.new(options, onLog, bindMigrationAwareSqlAdapterFactory(this.factory));
  }

  async close() {
    await this.factory?.close();
  }
}

/**
 * The diff from the migrations directory to the schema: what the next
 * migration would contain. The wasm engine's createMigration and
 * evaluateDataLoss cannot be used (they lack a shadow-database factory), but
 * its diff can replay the migrations on a shadow database.
 */
let lastNextMigration = { key: null, result: null };

async function diffNextMigration(engine, { migrationsList, schema, filters }) {
  // `migrate dev` asks evaluateDataLoss then createMigration with the same
  // inputs; each diff replays every migration on a fresh shadow database.
  const key = JSON.stringify([migrationsList, schema, filters]);
  if (lastNextMigration.key === key) return lastNextMigration.result;
  const { exitCode, stdout } = await engine.diff({
    from: { tag: "migrations", ...migrationsList },
    to: { tag: "schemaDatamodel", files: schema.files },
    script: true,
    exitCode: true, // 2 when the diff is not empty
    filters: filters ?? NO_FILTERS,
  });
  const result = { isEmpty: exitCode !== 2, script: stdout ?? "" };
  lastNextMigration = { key, result };
  return result;
}

/**
 * Finds the steps of a generated script that lose data or cannot run on a
 * table with rows. Recognises Prisma's own rendering only:
 *   DROP TABLE "t";   ALTER TABLE "t" DROP COLUMN "c", ADD COLUMN "d" TEXT NOT NULL;
 */
function findRiskySteps(script) {
  const steps = [];
  const unquote = (name) => name.replace(/^"|"$/g, "").replaceAll('""', '"');
  const statements = script.split(/;\s*\n/);
  statements.forEach((statement, stepIndex) => {
    const sql = statement.replace(/^\s*--.*$/gm, "").trim().replace(/;$/, "");
    const dropTable = sql.match(/^DROP TABLE (?:"(?:[^"]|"")*"\.)?("(?:[^"]|"")*")$/);
    if (dropTable) steps.push({ kind: "dropTable", table: unquote(dropTable[1]), stepIndex });
    const alter = sql.match(/^ALTER TABLE (?:"(?:[^"]|"")*"\.)?("(?:[^"]|"")*") ([\s\S]*)$/);
    if (!alter) return;
    const table = unquote(alter[1]);
    for (const clause of alter[2].split(/,\s*\n/)) {
      const dropColumn = clause.trim().match(/^DROP COLUMN\s+("(?:[^"]|"")*")$/);
      if (dropColumn) steps.push({ kind: "dropColumn", table, column: unquote(dropColumn[1]), stepIndex });
      const addColumn = clause.trim().match(/^ADD COLUMN\s+("(?:[^"]|"")*")\s+(.*)$/);
      if (addColumn && /\bNOT NULL\b/.test(addColumn[2]) && !/\bDEFAULT\b/.test(addColumn[2])) {
        steps.push({ kind: "addRequiredColumn", table, column: unquote(addColumn[1]), stepIndex });
      }
    }
  });
  return steps;
}

/** The comment the native engine puts at the top of a migration that loses data. */
function warningsComment(steps) {
  if (steps.length === 0) return "";
  const lines = steps.map(({ kind, table, column }) => {
    switch (kind) {
      case "dropTable":
        return `  - You are about to drop the \`${table}\` table. If the table is not empty, all the data it contains will be lost.`;
      case "dropColumn":
        return `  - You are about to drop the column \`${column}\` on the \`${table}\` table. All the data in the column will be lost.`;
      default:
        return `  - Added the required column \`${column}\` to the \`${table}\` table without a default value. This is not possible if the table is not empty.`;
    }
  });
  return `/*\n  Warnings:\n\n${lines.join("\n")}\n\n*/\n`;
}

const migrationTimestamp = () => new Date().toISOString().replace(/\D/g, "").slice(0, 14); // UTC YYYYMMDDHHMMSS

async function emulateCreateMigration(engine, input) {
  const { isEmpty, script } = await diffNextMigration(engine, input);
  const name = input.migrationName ? `${migrationTimestamp()}_${input.migrationName}` : migrationTimestamp();
  const output = { connectorType: "postgresql", generatedMigrationName: name, extension: "sql" };
  if (isEmpty && !input.draft) return { ...output, migrationScript: null };
  return { ...output, migrationScript: warningsComment(findRiskySteps(script)) + script };
}

async function emulateEvaluateDataLoss(engine, factory, input) {
  const { isEmpty, script } = await diffNextMigration(engine, input);
  if (isEmpty) return { migrationSteps: 0, unexecutableSteps: [], warnings: [] };
  const warnings = [];
  const unexecutableSteps = [];
  // Count the rows at stake on the development database, which `migrate dev`
  // has just brought up to date with the migrations directory.
  const count = async (sql) => {
    try {
      const [row] = await factory.queryRows(sql);
      return Number(Object.values(row ?? {})[0] ?? 0);
    } catch {
      return 0; // e.g. the table does not exist yet
    }
  };
  for (const step of findRiskySteps(script)) {
    const table = quoteIdent(step.table);
    if (step.kind === "dropTable") {
      const rows = await count(`SELECT COUNT(*) AS n FROM ${table}`);
      if (rows > 0) {
        warnings.push({ message: `You are about to drop the \`${step.table}\` table, which is not empty (${rows} rows).`, stepIndex: step.stepIndex });
      }
    } else if (step.kind === "dropColumn") {
      const values = await count(`SELECT COUNT(*) AS n FROM ${table} WHERE ${quoteIdent(step.column)} IS NOT NULL`);
      if (values > 0) {
        warnings.push({ message: `You are about to drop the column \`${step.column}\` on the \`${step.table}\` table, which still contains ${values} non-null values.`, stepIndex: step.stepIndex });
      }
    } else {
      const rows = await count(`SELECT COUNT(*) AS n FROM ${table}`);
      if (rows > 0) {
        unexecutableSteps.push({ message: `Added the required column \`${step.column}\` to the \`${step.table}\` table without a default value. There are ${rows} rows in this table, it is not possible to execute this step.`, stepIndex: step.stepIndex });
      }
    }
  }
  const migrationSteps = Math.max(1, (script.match(/^-- [A-Z]\w*$/gm) ?? []).length);
  return { migrationSteps, unexecutableSteps, warnings };
}

// ─── JSON-RPC server ─────────────────────────────────────────────────────────

let nextOutgoingId = 1;
const pendingOutgoing = new Map();

/** Sends a request to the CLI (only `print` exists) and waits for its answer. */
function requestFromCli(method, params) {
  const id = nextOutgoingId++;
  return new Promise((resolve, reject) => {
    pendingOutgoing.set(id, { resolve, reject });
    send({ jsonrpc: "2.0", id, method, params });
  });
}

/** Reports a failed migration as the native engine does (P3018), naming it and the database's error. */
async function applyMigrations(session, engine, params) {
  session.migrationBeingApplied = null;
  try {
    return await engine.applyMigrations(params);
  } catch (error) {
    const failed = session.migrationBeingApplied;
    if (!failed || !lastScriptError || describeError(error).isPanic) throw error;
    throw new UserFacingError(
      "A migration failed to apply. New migrations cannot be applied before the error is recovered from. " +
        "Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve" +
        `\n\nMigration name: ${failed}\n\n${databaseErrorDetails(lastScriptError)}`,
      "P3018",
    );
  }
}

/** Methods the engine passes straight to the wasm SchemaEngine. */
const PASS_THROUGH = new Set([
  "dbExecute",
  "devDiagnostic",
  "diagnoseMigrationHistory",
  "ensureConnectionValidity",
  "introspect",
  "introspectSql",
  "markMigrationApplied",
  "markMigrationRolledBack",
  "reset",
  "schemaPush",
]);

async function dispatch(session, method, params) {
  if (session.database.kind === "invalid") throw session.database.error;
  if (method === "createDatabase") return createDatabase(session.database);
  const engine = await session.engine();
  lastScriptError = null;
  if (PASS_THROUGH.has(method)) return engine[method](params);
  switch (method) {
    case "applyMigrations":
      return applyMigrations(session, engine, params);
    case "diff": {
      // The native engine prints the diff through a `print` request and
      // returns no stdout; the CLI relies on that (e.g. for --output).
      const { exitCode, stdout } = await engine.diff(params);
      if (stdout) await requestFromCli("print", { content: stdout.replace(/\n$/, "") });
      return { exitCode, stdout: null };
    }
    case "createMigration":
      return emulateCreateMigration(engine, params);
    case "evaluateDataLoss":
      return emulateEvaluateDataLoss(engine, session.factory, params);
    case "version":
    case "getDatabaseVersion":
      return engine.version();
    case "debugPanic":
      return engine.debugPanic();
    default:
      throw Object.assign(new UserFacingError(`This schema engine (the wasm stand-in) does not support \`${method}\`.`), {
        rpcCode: -32601,
      });
  }
}

function rpcError(error) {
  const { message, errorCode, isPanic } = describeError(error);
  const data = isPanic
    ? { is_panic: true, message, backtrace: "" }
    : { is_panic: false, message, meta: {}, ...(errorCode ? { error_code: errorCode } : {}) };
  return {
    code: error?.rpcCode ?? USER_FACING_RPC_ERROR,
    message: "An error happened. Check the data field for details.",
    data,
  };
}

function serveJsonRpc(session) {
  log("INFO", { message: "Starting schema engine RPC server", git_hash: "wasm" });
  // The engine is not re-entrant: handle the CLI's requests one at a time.
  let queue = Promise.resolve();
  let inFlight = null;
  const handle = async (request) => {
    inFlight = request;
    try {
      const result = await dispatch(session, request.method, request.params);
      send({ jsonrpc: "2.0", id: request.id, result: result ?? null });
    } catch (error) {
      inFlight = null;
      send({ jsonrpc: "2.0", id: request.id, error: rpcError(error) });
      // Nothing is safe to call on a wasm instance after a panic.
      if (describeError(error).isPanic) await fail(error);
    } finally {
      inFlight = null;
    }
  };
  // A panic inside a callback the wasm engine scheduled escapes every await:
  // answer the request it belonged to before going down.
  onFatalError = (error) => {
    if (inFlight) send({ jsonrpc: "2.0", id: inFlight.id, error: rpcError(error) });
    inFlight = null;
  };

  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (typeof message.method === "string") {
      if (message.id === undefined) return; // notification: nothing to answer
      queue = queue.then(() => handle(message));
    } else if (pendingOutgoing.has(message.id)) {
      const { resolve, reject } = pendingOutgoing.get(message.id);
      pendingOutgoing.delete(message.id);
      if (message.error) reject(new UserFacingError(String(message.error.message)));
      else resolve(message.result);
    }
  });
  // The CLI ends stdin (and then sends SIGTERM) when it is done with us. Let
  // the request under way finish, minus anything it still wanted from the CLI.
  lines.on("close", () => {
    for (const { reject } of pendingOutgoing.values()) reject(new UserFacingError("The Prisma CLI went away."));
    pendingOutgoing.clear();
    queue.then(() => shutdown(0));
  });
}

// ─── One-shot commands ───────────────────────────────────────────────────────

async function runCliCommand(session, command) {
  log("INFO", { message: "Starting schema engine CLI", git_hash: "wasm" });
  try {
    switch (command) {
      case "can-connect-to-database":
        if (session.database.kind === "pglite") {
          // Nothing to reach: PGlite creates its directory when first opened.
          fs.mkdirSync(path.dirname(session.database.dataDir), { recursive: true });
        } else {
          const engine = await session.engine();
          await engine.ensureConnectionValidity({ datasource: { tag: "ConnectionString", url: "" } });
        }
        log("INFO", { message: "Connection successful" });
        break;
      case "create-database": {
        const { databaseName } = await createDatabase(session.database);
        log("INFO", { message: `Database '${databaseName}' was successfully created.` });
        break;
      }
      case "drop-database":
        await dropDatabase(session.database);
        log("INFO", { message: "The database was successfully dropped." });
        break;
      default:
        throw new UserFacingError(`Unknown command: cli ${command ?? ""}`.trim());
    }
    await shutdown(0);
  } catch (error) {
    await fail(error);
  }
}

// ─── Main ────────────────────────────────────────────────────────────────────

let session = null;
let shuttingDown = null;
/** Set by the JSON-RPC server to answer the pending request on a crash. */
let onFatalError = () => {};

/** Logs an error as the native engine does and exits (101 for a panic). */
async function fail(error) {
  const { message, errorCode, isPanic } = describeError(error);
  onFatalError(error);
  log("ERROR", { is_panic: isPanic, error_code: errorCode, message }, "schema_engine::logger");
  await shutdown(isPanic ? 101 : 1);
}

process.on("uncaughtException", (error) => fail(error));
process.on("unhandledRejection", (error) => fail(error));

async function shutdown(code) {
  shuttingDown ??= (async () => {
    // Never hang on a stuck close: the data is committed by then anyway.
    setTimeout(() => process.exit(code), 10_000).unref();
    await session?.close().catch(() => {});
    process.exit(code);
  })();
  return shuttingDown;
}

process.on("SIGTERM", () => shutdown(0));
process.on("SIGINT", () => shutdown(130));

function parseArguments(argv) {
  const options = { datamodelPaths: [], datasource: undefined, cliCommand: undefined, version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-d" || arg === "--datamodels") options.datamodelPaths.push(argv[++i]);
    else if (arg === "--datasource") options.datasource = JSON.parse(argv[++i]);
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++; // not used by the wasm engine
    else if (arg === "-V" || arg === "--version") options.version = true;
    else if (arg === "-h" || arg === "--help") options.help = true;
    else if (arg === "cli") {
      options.cliCommand = argv[++i] ?? "";
      break;
    }
  }
  return options;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(
      "Usage: schema-engine [--datamodels FILE]... [--datasource JSON] [cli can-connect-to-database|create-database|drop-database]\n" +
        "Stand-in for Prisma's schema engine on @prisma/schema-engine-wasm (see the comment at the top of this file).\n",
    );
    return;
  }
  if (options.version) {
    const glue = await loadWasmEngine();
    process.stdout.write(`schema-engine-cli ${glue.version()}\n`);
    return;
  }

  let database;
  try {
    database = resolveDatabase(options.datasource);
  } catch (error) {
    if (options.cliCommand !== undefined) {
      log("INFO", { message: "Starting schema engine CLI", git_hash: "wasm" });
      return fail(error);
    }
    // In server mode, answer every request with the error so the CLI shows it.
    database = { kind: "invalid", error };
  }

  const datamodels = options.datamodelPaths.map((file) => [file, fs.readFileSync(file, "utf8")]);
  session = new EngineSession({ database, datamodels });

  if (options.cliCommand !== undefined) await runCliCommand(session, options.cliCommand);
  else serveJsonRpc(session);
}

main().catch(fail);
