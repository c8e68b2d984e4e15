// npm run siem:deliver [-- --sink NAME]
// Delivers the audit rows each configured SIEM sink has not acknowledged yet,
// now, until caught up (what the audit.siem-delivery job does every minute,
// without its 40-second budget), and says per sink what happened. For
// checking a new sink's configuration, or catching up by hand after an
// outage. Safe beside running instances: the lease keeps one worker per sink
// (a sink another instance is delivering is reported as busy). Against the
// embedded PGlite, stop the portal first (one process per directory).
// Exit 0: every sink caught up (or busy elsewhere). Exit 1: a sink failed,
// its cause printed. Exit 2: configuration or database unusable, one sentence.
import { parseArgs } from "node:util";
import pino from "pino";
import { ConfigError, parseEnv } from "../server/config/env";
import { ensureLocalSecrets } from "../server/config/local-secrets";
import { connectDatabase, type Database } from "../server/db/connect";
import { readSinkStates } from "../server/siem/delivery-store";
import { deliverToSink } from "../server/siem/deliver-audit-rows";
import { createConfiguredSinks } from "../server/siem/siem-config";

class UsageError extends Error {}

async function run(): Promise<number> {
  const { values } = parseArgs({ options: { sink: { type: "string" } }, allowPositionals: false });
  ensureLocalSecrets();
  const env = parseEnv();
  const all = createConfiguredSinks(env);
  if (all.length === 0) throw new UsageError("No SIEM sink is configured: set SIEM_SYSLOG_URL, or SIEM_HEC_URL and SIEM_HEC_TOKEN (docs/SIEM.md).");
  const sinks = values.sink === undefined ? all : all.filter((sink) => sink.name === values.sink);
  if (sinks.length === 0) throw new UsageError(`There is no configured sink named "${values.sink}"; configured: ${all.map((sink) => sink.name).join(", ")}.`);

  let database: Database | undefined;
  try {
    database = await connectDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.pgliteDataDir });
    // Failures are printed below from what was stored; the log lines would say the same.
    const logger = pino({ level: "silent" });
    let code = 0;
    for (const sink of sinks) {
      const started = performance.now();
      const result = await deliverToSink(database.prisma, sink, {
        sinks,
        start: env.SIEM_START_FROM,
        batchSize: env.SIEM_BATCH_SIZE,
        budgetMs: Number.POSITIVE_INFINITY,
        leaseSeconds: Math.max(180, env.SIEM_TIMEOUT_SECONDS * 3),
        logger,
      });
      sink.close();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const state = (await readSinkStates(database.prisma)).find((entry) => entry.name === sink.name);
      const delivered = `${result.delivered.toLocaleString("en-US")} rows delivered in ${seconds} s`;
      if (result.outcome === "caught-up") {
        console.log(`${sink.name} (${sink.destination}): ${delivered}; caught up.`);
      } else if (result.outcome === "busy" || result.outcome === "lease-lost") {
        console.log(`${sink.name} (${sink.destination}): another instance is delivering to it now; ${delivered}.`);
      } else {
        console.log(`${sink.name} (${sink.destination}): FAILED after ${delivered}: ${state?.lastError ?? "unknown cause"}; ${(state?.lagRows ?? 0n).toLocaleString("en-US")} rows wait for it.`);
        code = 1;
      }
    }
    return code;
  } finally {
    await database?.close();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof UsageError) console.error(error.message);
    else {
      const message = error instanceof Error ? (error.message.split("\n").findLast((line) => line.trim() !== "")?.trim() ?? error.name) : String(error);
      console.error(`SIEM delivery could not run: ${message.replace(/\.$/, "")}.`);
    }
    process.exit(2);
  },
);
