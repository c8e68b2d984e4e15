// Writes normalized events: content sealed first (AES-256-GCM, bound to the
// row id), then one statement for the whole batch:
//
//   INSERT INTO telemetry_event (…) SELECT … FROM json_to_recordset($1::json) …
//   ON CONFLICT (id, "time") DO NOTHING   (the key of the time-partitioned table)
//
// One parameter (the rows as JSON) works the same through every driver the
// portal uses (pg, PGlite), and one statement is one transaction: when it
// returns, every row of the batch is committed, and a replayed event (same
// deterministic id) is skipped rather than stored twice. The sender's IP is
// not an input here: rows carry only the country, region and city. The
// columns and their encoding come from the field registry
// (server/telemetry/event-store.ts).
import "server-only";
import type { ContentKey } from "@/server/crypto/content";
import { INSERT_COLUMNS, INSERT_EVENTS_SQL, toInsertRow } from "@/server/telemetry/event-store";
import type { NormalizedEvent } from "./normalize";

/** What the intake needs from a database client (a PrismaClient has both). */
export type IngestDb = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
};

export { INSERT_COLUMNS, INSERT_EVENTS_SQL, toInsertRow };

/** Stores the events (sealing their content); resolves once they are committed. Returns how many were new. */
export async function storeEvents(db: IngestDb, events: readonly NormalizedEvent[], keys: readonly ContentKey[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map((event) => toInsertRow(event, keys));
  return db.$executeRawUnsafe(INSERT_EVENTS_SQL, JSON.stringify(rows));
}
