// npx tsx scripts/reclassify-stored-events.ts
// Applies the intake's producer-text rule (server/ingest/producer-text.ts) to
// the events already stored in the configured database (DATABASE_URL, or the
// embedded PGlite under DATA_DIR — stop the portal first: one process per
// PGlite directory): text that is neither a known value of its field nor in
// its strict format is sealed into the event's content and the field shows
// "unclassified" (server/ingest/reclassify-stored-events.ts). Run it once
// after upgrading to the release that introduced the rule, and again after
// removing a value from known_value or event_name_mapping. It rewrites
// telemetry rows, which the portal's runtime role may not: it connects as
// DATABASE_MIGRATION_URL's role when that is set (as `npm run db:migrate`
// does). It needs the portal's CONTENT_ENCRYPTION_KEYS and prints counts
// only, never content.
// Exit 0: done. Exit 2: configuration or database error, one sentence.
//
// The modules it runs import "server-only", which resolves only under Node's
// `react-server` condition (as in the Next.js server): the script re-runs
// itself with it.
import { rerunUnderReactServer, runScript } from "./cli";

rerunUnderReactServer(import.meta.url);
const { ConfigError } = await import("../server/config/env");
const { reclassifyStoredEvents } = await import("../server/ingest/reclassify-stored-events");

runScript({
  connectAs: "migration",
  failure: "Reclassification could not run",
  work: async (database, env) => {
    const keys = env.CONTENT_ENCRYPTION_KEYS;
    if (!keys) throw new ConfigError("Configuration error: CONTENT_ENCRYPTION_KEYS (the portal's content keys) is required to seal withheld text.");
    const tty = process.stderr.isTTY === true;
    const started = performance.now();
    const result = await reclassifyStoredEvents(database.prisma, keys, {
      onProgress: ({ examined, rewritten }) => {
        if (tty) process.stderr.write(`\rexamined ${examined.toLocaleString("en-US")} events, rewrote ${rewritten.toLocaleString("en-US")}…`);
      },
    });
    if (tty) process.stderr.write("\r\x1b[K");
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return `Examined ${result.examined.toLocaleString("en-US")} events in ${seconds} s; rewrote ${result.rewritten.toLocaleString("en-US")} whose producer text is now sealed as content.`;
  },
});
