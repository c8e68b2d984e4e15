// `npm run telemetry:rollups:rebuild`
// Recomputes the per-hour rollups (telemetry_rollup) from telemetry_event in
// one transaction (server/telemetry/rollups.ts rebuildRollups): after a
// restore, after deleting events without subtracting them first, or to check
// nothing drifted. Writers wait for it (a SHARE lock on telemetry_event), so
// no event is counted twice or missed. Against DATABASE_URL (as
// DATABASE_MIGRATION_URL's role when that is set), or the embedded database
// under DATA_DIR — stop the portal first: one process per PGlite directory.
// Prints counts only. Exit 0: done. Exit 2: configuration or database error.
//
// The modules it runs import "server-only", which resolves only under Node's
// `react-server` condition (as in the Next.js server): the script re-runs
// itself with it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

if (!process.execArgv.some((arg) => arg.includes("react-server"))) {
  const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: process.env,
  });
  process.exit(result.status ?? 2);
}

const { ConfigError, parseEnv } = await import("../server/config/env");
const { ensureLocalSecrets } = await import("../server/config/local-secrets");
const { connectDatabase } = await import("../server/db/connect");
const { rebuildRollups } = await import("../server/telemetry/rollup-maintenance");

async function run(): Promise<number> {
  ensureLocalSecrets();
  const env = parseEnv();
  const database = await connectDatabase({ databaseUrl: env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL, pgliteDataDir: env.pgliteDataDir });
  try {
    const started = performance.now();
    const rows = await database.prisma.$transaction((tx) => rebuildRollups(tx), { timeout: 3_600_000, maxWait: 60_000 });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`Rebuilt the rollups from telemetry_event in ${seconds} s: ${rows.toLocaleString("en-US")} rows.`);
    return 0;
  } finally {
    await database.close();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else {
      const message = error instanceof Error ? (error.message.split("\n").findLast((line) => line.trim() !== "")?.trim() ?? error.name) : String(error);
      console.error(`The rollups could not be rebuilt: ${message.replace(/\.$/, "")}.`);
    }
    process.exit(2);
  },
);
