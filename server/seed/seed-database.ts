// Seeds a database with the demo access list and generated telemetry. Used by
// `npm run db:seed` (scripts/db-seed.ts) and by `npm start` (with ifEmpty).
// No "server-only" import: this runs in plain Node scripts.
//
// Bulk events bypass Prisma: PostgreSQL gets one COPY per batch of 100,000
// rows (each its own transaction) over one `pg` connection, the rows
// generated and sealed in worker threads when `workers` > 0 (the CLI); the
// embedded database (PGlite) gets COPY-from-blob batches in one transaction. The
// PGlite data directory is opened here and closed at the end, so call this
// before anything else in the process opens it (one process per directory).
import { randomInt } from "node:crypto";
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { parseEnv } from "@/server/config/env";
import { ensureLocalSecrets } from "@/server/config/local-secrets";
import type { ContentKey } from "@/server/crypto/content";
import { DEMO_PEOPLE, type DemoAccessSummary, type SqlRunner, sqlRunner, writeDemoAccess } from "./demo-access";
import { generateEvents } from "./generate-events";
import { DEFAULT_BATCH_ROWS, encodedChunksInWorkers, textArrayLiteral, writeChunksPostgres, writeEventsPglite, writeEventsPostgres } from "./write-events";

export const DEFAULT_SEED_EVENTS = 20_000;

export type SeedOptions = {
  /** events to append (default 20,000; 0 = access list only) */
  events?: number;
  /** PRNG seed; default: a random one (reported in the result), so repeated runs append new ids */
  seed?: number;
  /**
   * Seed only what is missing: events only when telemetry_event is empty, the
   * access list only when none of the demo people exists yet (so restarts never
   * undo an admin's changes).
   */
  ifEmpty?: boolean;
  /** end of the 30-day event window (default: now) */
  now?: Date;
  /** target PostgreSQL; when neither this nor pgliteDataDir is given, the environment decides */
  databaseUrl?: string;
  /** target embedded database directory */
  pgliteDataDir?: string;
  /** content keys (default: CONTENT_ENCRYPTION_KEYS, generated locally outside production) */
  keys?: readonly ContentKey[];
  onProgress?: (written: number, total: number) => void;
  /**
   * PostgreSQL only: worker threads that generate and seal the rows (0 = on
   * this thread, the default). Every worker generates the whole deterministic
   * stream and seals its share of the batches, so the same seed gives the
   * same events with any number of workers.
   */
  workers?: number;
  /** PostgreSQL only: rows per COPY, each its own transaction (default 100,000) */
  batchRows?: number;
  /** one-line messages (default: console.log) */
  log?: (message: string) => void;
};

export type SeedResult = {
  target: "postgresql" | "embedded";
  seed: number;
  eventsWritten: number;
  /** null when the access list was left alone (ifEmpty and already present) */
  access: DemoAccessSummary | null;
  /** the whole run, connecting included */
  durationMs: number;
  /** generating, sealing and writing the events (and ANALYZE) */
  eventsDurationMs: number;
};

type Target =
  | { kind: "postgresql"; client: pg.Client; run: SqlRunner }
  | { kind: "embedded"; db: PGlite; run: SqlRunner };

export async function seedDatabase(options: SeedOptions = {}): Promise<SeedResult> {
  const started = performance.now();
  const log = options.log ?? ((message: string) => console.log(message));
  const eventCount = options.events ?? DEFAULT_SEED_EVENTS;
  if (!Number.isSafeInteger(eventCount) || eventCount < 0) throw new Error(`The event count must be a whole number ≥ 0 (got ${eventCount}).`);
  const seed = options.seed ?? randomInt(2 ** 31);
  const now = options.now ?? new Date();

  let databaseUrl = options.databaseUrl;
  let pgliteDataDir = options.pgliteDataDir;
  let keys = options.keys;
  if ((!databaseUrl && !pgliteDataDir) || !keys) {
    ensureLocalSecrets();
    const env = parseEnv();
    if (!databaseUrl && !pgliteDataDir) {
      databaseUrl = env.DATABASE_URL;
      pgliteDataDir = env.pgliteDataDir;
    }
    keys ??= env.CONTENT_ENCRYPTION_KEYS;
  }
  if (!keys || keys.length === 0) throw new Error("No content encryption key is configured (CONTENT_ENCRYPTION_KEYS).");

  const target = await openTarget(databaseUrl, pgliteDataDir);
  try {
    let access: DemoAccessSummary | null = null;
    const demoEmails = textArrayLiteral(DEMO_PEOPLE.map((person) => person.email));
    const accessPresent = options.ifEmpty
      ? Number((await target.run(`SELECT count(*)::int AS n FROM person WHERE email = ANY($1::text[])`, [demoEmails]))[0]?.n) > 0
      : false;
    if (!accessPresent) access = await inTransaction(target, (run) => writeDemoAccess(run, now));

    let eventsToWrite = eventCount;
    if (options.ifEmpty && eventsToWrite > 0) {
      const rows = await target.run(`SELECT EXISTS (SELECT 1 FROM telemetry_event) AS present`);
      if (rows[0]?.present === true) eventsToWrite = 0;
    }

    let eventsWritten = 0;
    const eventsStarted = performance.now();
    if (eventsToWrite > 0) {
      await ensureMonthPartitions(target, new Date(now.getTime() - SEED_WINDOW_DAYS * 86_400_000), now);
      options.onProgress?.(0, eventsToWrite);
      const generate = { count: eventsToWrite, seed, now, days: SEED_WINDOW_DAYS };
      const writeOptions = { keys, onProgress: (written: number) => options.onProgress?.(written, eventsToWrite) };
      const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
      const workers = options.workers ?? 0;
      if (target.kind === "postgresql") {
        eventsWritten =
          workers > 0
            ? await writeChunksPostgres(target.client, encodedChunksInWorkers(generate, keys, { workers, batchRows }), writeOptions)
            : await writeEventsPostgres(target.client, generateEvents(generate), { ...writeOptions, batchRows });
      } else {
        eventsWritten = await writeEventsPglite(target.db, generateEvents(generate), writeOptions);
      }
      // The per-day rollups' deltas folded (one row per key and day), and fresh statistics on the events and both
      // rollups, so the portal's first queries get good plans (stale ones on telemetry_rollup made facets 4× slower).
      await target.run("SELECT telemetry_rollup_day_compact()");
      await target.run("ANALYZE telemetry_event");
      // Both rollups vacuumed too: the fold left a dead index entry for every delta row of the day table (66k for 630
      // live rows after 10M events), and the hourly upserts a dead version of every row they updated (292k beside
      // 471k live after 1M events, which doubled the heap a 30-day histogram visits).
      await target.run("VACUUM ANALYZE telemetry_rollup");
      await target.run("VACUUM ANALYZE telemetry_rollup_day");
    }

    const eventsDurationMs = performance.now() - eventsStarted;
    const durationMs = performance.now() - started;
    if (access || eventsWritten > 0) {
      const where = target.kind === "postgresql" ? "PostgreSQL" : "the embedded database";
      const parts = [
        access ? `access list (${access.people} people, ${access.groups} groups)` : null,
        eventsWritten > 0 ? `${eventsWritten.toLocaleString("en-US")} demo events (seed ${seed})` : null,
      ].filter(Boolean);
      log(`Seeded ${parts.join(" and ")} into ${where} in ${(durationMs / 1000).toFixed(1)} s.`);
    }
    return { target: target.kind, seed, eventsWritten, access, durationMs, eventsDurationMs };
  } finally {
    await closeTarget(target);
  }
}

/** The generator's window (its default): every event lies in [now − 30 days, now]. */
const SEED_WINDOW_DAYS = 30;

/**
 * telemetry_event is partitioned by month (migration 20261203070000): a fresh
 * database has partitions from the migration's month on, so the window's
 * earlier months get theirs first, rather than filling the default partition.
 */
async function ensureMonthPartitions(target: Target, from: Date, to: Date): Promise<void> {
  for (let month = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1); month <= to.getTime(); ) {
    const next = new Date(month);
    next.setUTCMonth(next.getUTCMonth() + 1);
    await target.run(`SELECT created FROM telemetry_create_partition($1::timestamptz, $2::timestamptz)`, [new Date(month).toISOString(), next.toISOString()]);
    month = next.getTime();
  }
}

async function openTarget(databaseUrl: string | undefined, pgliteDataDir: string | undefined): Promise<Target> {
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: "telemetry-portal-seed" });
    await client.connect();
    return { kind: "postgresql", client, run: sqlRunner(client) };
  }
  if (!pgliteDataDir) throw new Error("No database is configured: set DATABASE_URL or PGLITE_DATA_DIR.");
  fs.mkdirSync(pgliteDataDir, { recursive: true });
  const db = await PGlite.create(pgliteDataDir);
  return { kind: "embedded", db, run: sqlRunner(db) };
}

async function closeTarget(target: Target): Promise<void> {
  if (target.kind === "postgresql") await target.client.end();
  else await target.db.close();
}

async function inTransaction<T>(target: Target, work: (run: SqlRunner) => Promise<T>): Promise<T> {
  if (target.kind === "embedded") return target.db.transaction((tx) => work(sqlRunner(tx)));
  await target.client.query("BEGIN");
  try {
    const result = await work(target.run);
    await target.client.query("COMMIT");
    return result;
  } catch (error) {
    await target.client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
