// `npm run telemetry:rollups:rebuild`
// Recomputes the per-hour rollups (telemetry_rollup) from telemetry_event in
// one transaction (server/telemetry/rollups.ts rebuildRollups): after a
// restore, after deleting events other than through the retention and
// erasure functions (which subtract them), or to check
// nothing drifted. Writers wait for it (a SHARE lock on telemetry_event), so
// no event is counted twice or missed. Against DATABASE_URL (as
// DATABASE_MIGRATION_URL's role when that is set), or the embedded database
// under DATA_DIR — stop the portal first: one process per PGlite directory.
// Prints counts only. Exit 0: done. Exit 2: configuration or database error.
// The modules it runs import "server-only": it re-runs itself under the
// react-server condition (./cli.ts).
import { rerunUnderReactServer, runScript } from "./cli";

rerunUnderReactServer(import.meta.url);
const { rebuildRollups } = await import("../server/telemetry/rollup-maintenance");

runScript({
  connectAs: "migration",
  failure: "The rollups could not be rebuilt",
  work: async (database) => {
    const started = performance.now();
    const rows = await database.prisma.$transaction((tx) => rebuildRollups(tx), { timeout: 3_600_000, maxWait: 60_000 });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return `Rebuilt the rollups from telemetry_event in ${seconds} s: ${rows.toLocaleString("en-US")} rows.`;
  },
});
