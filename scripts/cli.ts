// What the operator scripts share (telemetry:erase, access:bootstrap-admin,
// telemetry:rollups:rebuild, ingest:reclassify): the command line checked
// against a zod schema (exit 2 with the usage on a bad one, --help prints it),
// the portal's configuration and database, and one sentence for the operator
// at the end. Exit 0: done (the work's summary on stdout). Exit 1: refused
// (a Refusal's message). Exit 2: usage, configuration or database error.
//
// Nothing here imports "server-only": a script whose modules do calls
// rerunUnderReactServer first, then imports them.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { z } from "zod";
import { ConfigError, parseEnv } from "../server/config/env";
import { ensureLocalSecrets } from "../server/config/local-secrets";
import { connectDatabase, type Database } from "../server/db/connect";

/** A refusal the operator can act on (exit 1): not an error of the script or the database. */
export class Refusal extends Error {}

/**
 * Modules that import "server-only" resolve only under Node's `react-server`
 * condition (as in the Next.js server): re-runs the script with it, and exits
 * with its status. Returns only in the re-run.
 */
export function rerunUnderReactServer(scriptUrl: string): void {
  if (process.execArgv.some((arg) => arg.includes("react-server"))) return;
  const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", fileURLToPath(scriptUrl), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: process.env,
  });
  process.exit(result.status ?? 2);
}

export type CommandLine<T> = {
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  schema: z.ZodType<T>;
  /** how a schema issue reads (default: its message) */
  issueText?: (issue: z.core.$ZodIssue) => string;
};

/** Parses and checks the arguments; a bad command line exits 2 with the usage, --help prints it and exits 0. */
export function parseCommandLine<T>(argv: string[], spec: CommandLine<T>): T {
  const usageError = (message: string): never => {
    process.stderr.write(`${message.replace(/\.$/, "")}. ${spec.usage}\n`);
    process.exit(2);
  };
  let values: Record<string, unknown> = {};
  try {
    ({ values } = parseArgs({ args: argv, options: { ...spec.options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }));
  } catch (error) {
    usageError(error instanceof Error ? (error.message.split(/\.\s|\n/)[0] ?? "Invalid arguments") : "Invalid arguments");
  }
  if (values.help) {
    process.stdout.write(`${spec.usage}\n`);
    process.exit(0);
  }
  const { help: _help, ...rest } = values;
  const parsed = spec.schema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return usageError(issue ? (spec.issueText?.(issue) ?? issue.message) : "Invalid arguments");
  }
  return parsed.data;
}

export type Env = ReturnType<typeof parseEnv>;

export type ScriptRun = {
  /** whose connection: the runtime role's DATABASE_URL, or DATABASE_MIGRATION_URL's role when that is set (maintenance) */
  connectAs: "runtime" | "migration";
  /** the start of the sentence when it fails, e.g. "The erasure failed" */
  failure: string;
  /** what to add to the failure's sentence for this error, e.g. " (run npm run db:migrate first)" */
  hint?: (error: unknown) => string;
  /** the work; returns the summary printed on stdout */
  work: (database: Database, env: Env) => Promise<string>;
};

/** Prisma puts the database's own words on its message's last line. */
export function lastLineOf(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n").findLast((line) => line.trim() !== "")?.trim() ?? error.name) : String(error);
}

/** Reads the configuration, connects, runs the work, closes, and exits 0, 1 (Refusal) or 2 (one sentence on stderr). */
export function runScript(run: ScriptRun): void {
  const main = async (): Promise<number> => {
    ensureLocalSecrets();
    const env = parseEnv();
    let database: Database | undefined;
    try {
      database = await connectDatabase({ databaseUrl: run.connectAs === "migration" ? (env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL) : env.DATABASE_URL, pgliteDataDir: env.pgliteDataDir });
      console.log(await run.work(database, env));
      return 0;
    } catch (error) {
      if (error instanceof Refusal) {
        console.error(error.message);
        return 1;
      }
      throw error;
    } finally {
      await database?.close();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : `${run.failure}: ${lastLineOf(error).replace(/\.$/, "")}${run.hint?.(error) ?? ""}.`);
      process.exit(2);
    },
  );
}
