// `npm run db:seed -- [--events N] [--seed S] [--if-empty] [--workers W]`
//
// Upserts the demo access list and appends N generated Copilot telemetry
// events (default 20,000) to the configured database: PostgreSQL when
// DATABASE_URL is set, otherwise the embedded database in PGLITE_DATA_DIR
// (default .data/pglite). Without --seed a random seed is used (and printed),
// so repeated runs append new events; the same --seed twice collides on ids.
// --if-empty seeds only what is missing (see SeedOptions.ifEmpty).
// On PostgreSQL the rows are generated and sealed in W worker threads
// (default 1: the main thread feeds the connection, PostgreSQL needs a core)
// and written one COPY (one transaction) per 100,000 rows; a failure part way
// says how many rows were committed. Progress on stderr (a bar on a terminal,
// a line every 10 s otherwise); peak RSS at the end.
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError } from "../server/config/env";
import { DEFAULT_SEED_EVENTS, seedDatabase } from "../server/seed/seed-database";
import { DEFAULT_BATCH_ROWS, SeedWriteError } from "../server/seed/write-events";

const USAGE = "Usage: npm run db:seed -- [--events N] [--seed S] [--if-empty] [--workers W]";

const argsSchema = z.object({
  events: z.coerce
    .number({ error: "--events must be a whole number" })
    .int("--events must be a whole number")
    .min(0, "--events must be 0 or more")
    .max(100_000_000, "--events must be at most 100,000,000")
    .default(DEFAULT_SEED_EVENTS),
  seed: z.coerce
    .number({ error: "--seed must be a whole number" })
    .int("--seed must be a whole number")
    .min(0, "--seed must be between 0 and 4294967295")
    .max(0xffffffff, "--seed must be between 0 and 4294967295")
    .optional(),
  "if-empty": z.boolean().default(false),
  workers: z.coerce
    .number({ error: "--workers must be a whole number" })
    .int("--workers must be a whole number")
    .min(0, "--workers must be between 0 and 16")
    .max(16, "--workers must be between 0 and 16")
    .default(1),
});

function usageError(message: string): never {
  process.stderr.write(`${message.replace(/\.$/, "")}. ${USAGE}\n`);
  process.exit(2);
}

function parseCommandLine(argv: string[]): z.infer<typeof argsSchema> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        events: { type: "string" },
        seed: { type: "string" },
        "if-empty": { type: "boolean" },
        workers: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    // parseArgs reads "--events -5" as a missing value followed by an option.
    const ambiguous = /^Option '(--[a-z-]+)'.* argument is ambiguous/.exec(message);
    usageError(ambiguous ? `${ambiguous[1]} must be a whole number ≥ 0` : (message.split(/\.\s|\n/)[0] ?? "Invalid arguments"));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  // Empty strings would coerce to 0; treat them as not numbers.
  for (const name of ["events", "seed", "workers"] as const) {
    if (typeof values[name] === "string" && !/^\s*\d[\d_]*\s*$/.test(values[name])) usageError(`--${name} must be a whole number`);
    if (typeof values[name] === "string") values[name] = values[name].replaceAll("_", "");
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) usageError(parsed.error.issues[0]?.message ?? "Invalid arguments");
  return parsed.data;
}

/** A progress line on stderr: redrawn in place on a terminal, a line every 10 s (and at the end) otherwise. */
function createProgress(total: number): { update(done: number): void; finish(): void } {
  const tty = process.stderr.isTTY === true;
  // The clock starts at the first report (seedDatabase reports 0 when writing begins).
  let started: number | undefined;
  let lastDraw = 0;
  let lastLine = 0;
  let drawn = false;
  const format = (done: number) => {
    const elapsed = (performance.now() - (started ?? performance.now())) / 1000;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    const etaText = eta >= 90 ? `${Math.floor(eta / 60)} min ${Math.round(eta % 60)} s` : `${eta.toFixed(0)} s`;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = tty ? `[${"#".repeat(filled)}${".".repeat(width - filled)}] ` : "";
    return `${bar}${(fraction * 100).toFixed(0).padStart(3)}%  ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} events  ${Math.round(rate).toLocaleString("en-US")} events/s  ETA ${etaText}  RSS ${mib(process.memoryUsage.rss())}`;
  };
  return {
    update(done) {
      started ??= performance.now();
      if (done === 0) return;
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        process.stderr.write(`\r${format(done)}\x1b[K`);
        drawn = true;
      } else {
        const now = performance.now();
        if (now - lastLine < 10_000 && done < total) return;
        lastLine = now;
        process.stderr.write(`${format(done)}\n`);
      }
    },
    finish() {
      if (tty && drawn) process.stderr.write("\n");
    },
  };
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1_048_576).toLocaleString("en-US")} MiB`;
}

/** Peak resident memory of the process (all threads), from getrusage. */
function peakRss(): string {
  return mib(process.resourceUsage().maxRSS * 1024);
}

/** One sentence for the errors an operator can act on. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof SeedWriteError) {
    const landed =
      error.committedRows > 0
        ? `${error.committedRows.toLocaleString("en-US")} events were committed (in whole batches of ${DEFAULT_BATCH_ROWS.toLocaleString("en-US")}) before it and stay in the database.`
        : "No events were committed.";
    return `${describeCause(error)} ${landed}`;
  }
  return describeCause(error);
}

function describeCause(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "23505") return "Seeding failed: events with these ids already exist (this --seed was used before on this database); use another --seed.";
  if (code === "42P01") return "Seeding failed: the tables do not exist yet; run `npm run db:migrate` first.";
  if (code === "ECONNREFUSED" || code === "ENOTFOUND") return `Seeding failed: cannot reach the database (${message}).`;
  if (code === "3D000") return `Seeding failed: ${message}.`;
  return `Seeding failed: ${message}`;
}

async function main(): Promise<void> {
  const args = parseCommandLine(process.argv.slice(2));
  const progress = args.events > 0 ? createProgress(args.events) : undefined;
  const started = performance.now();
  try {
    const result = await seedDatabase({
      events: args.events,
      seed: args.seed,
      ifEmpty: args["if-empty"],
      workers: args.workers,
      onProgress: (done) => progress?.update(done),
      log: () => undefined,
    });
    progress?.finish();
    const seconds = (performance.now() - started) / 1000;
    const where = result.target === "postgresql" ? "PostgreSQL" : "the embedded database";
    const access = result.access
      ? `access list upserted (${result.access.people} people, ${result.access.groups} groups, ${result.access.grantsCreated} grants created, ${result.access.grantsRefreshed} refreshed)`
      : "access list already present (left unchanged)";
    const events =
      result.eventsWritten > 0
        ? `${result.eventsWritten.toLocaleString("en-US")} events appended (seed ${result.seed}) in ${(result.eventsDurationMs / 1000).toFixed(1)} s, ${Math.round(result.eventsWritten / (result.eventsDurationMs / 1000)).toLocaleString("en-US")} events/s`
        : args.events > 0
          ? "no events appended (telemetry_event already has rows)"
          : "no events requested";
    console.log(`Seeded ${where} in ${seconds.toFixed(1)} s: ${access}; ${events}; peak RSS ${peakRss()}.`);
  } catch (error) {
    progress?.finish();
    console.error(`${describeFailure(error)} (peak RSS ${peakRss()})`);
    process.exit(1);
  }
}

void main();
