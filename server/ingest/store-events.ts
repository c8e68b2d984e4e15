// Writes normalized events: content sealed first (AES-256-GCM, bound to the
// row id), then one statement for the whole batch. Two ways, same rows:
//
// - COPY (PostgreSQL, when the deps carry a CopyWriter): the batch as one
//   `COPY telemetry_event (…) FROM STDIN`, the cheapest write PostgreSQL has.
//   COPY has no ON CONFLICT: when the batch holds an id already stored (a
//   retried batch, or one envelope sent twice), the COPY fails as a whole —
//   unique violation, nothing written — and the batch goes the second way.
// - INSERT INTO telemetry_event (…) SELECT … FROM json_to_recordset($1::json) …
//   ON CONFLICT (id, "time") DO NOTHING   (the key of the time-partitioned table)
//   One parameter (the rows as JSON) works the same through every driver the
//   portal uses (pg, PGlite).
//
// Either is one statement, so one transaction: when it returns, every row of
// the batch is committed, and a replayed event (same deterministic id) is
// skipped rather than stored twice. The sender's IP is not an input here:
// rows carry only the country, region and city. The columns and their
// encoding come from the field registry (server/telemetry/event-store.ts).
import "server-only";
import type { ContentKey } from "@/server/crypto/content";
import { INSERT_COLUMNS, INSERT_COPY_SQL, INSERT_EVENTS_SQL, encodeInsertCopyRow, toInsertRow } from "@/server/telemetry/event-store";
import type { NormalizedEvent } from "./normalize";

/** What the intake needs from a database client (a PrismaClient has both). */
export type IngestDb = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
};

/**
 * Runs `sql` (a COPY … FROM STDIN) with the concatenated `chunks` as its data,
 * in its own transaction, sending each chunk as soon as it is produced (so the
 * server parses one while the next is prepared); resolves to the rows written.
 * An error thrown by `chunks` aborts the COPY (nothing written) and rejects.
 */
export type CopyWriter = (sql: string, chunks: Iterable<string>) => Promise<number>;

/** Rows per COPY chunk: small enough that the server starts early, large enough to be few writes. */
const COPY_CHUNK_ROWS = 100;

export { INSERT_COLUMNS, INSERT_EVENTS_SQL, toInsertRow };

/** PostgreSQL's unique_violation: the COPY met an id already stored. */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
}

/**
 * Stores the events (sealing their content); resolves once they are committed.
 * Returns how many were new (with COPY: all of them). `events` is consumed
 * lazily, so with COPY the caller's per-event work overlaps the database's; it
 * is always consumed to the end unless it throws, and an error it throws
 * propagates with nothing written.
 */
export async function storeEvents(db: IngestDb, events: Iterable<NormalizedEvent>, keys: readonly ContentKey[], copy?: CopyWriter): Promise<number> {
  const iterator = events[Symbol.iterator]();
  const all: NormalizedEvent[] = [];
  const first = iterator.next();
  if (first.done) return 0;
  all.push(first.value);
  if (copy) {
    const jsonCache = new WeakMap<object, string>();
    // next() by hand, not for…of: when the COPY stops early, the rest of `events` must still be readable below.
    const chunks = function* (): Generator<string> {
      let text = encodeInsertCopyRow(first.value, keys, jsonCache);
      let rows = 1;
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        all.push(next.value);
        text += encodeInsertCopyRow(next.value, keys, jsonCache);
        if (++rows === COPY_CHUNK_ROWS) {
          yield text;
          text = "";
          rows = 0;
        }
      }
      if (text !== "") yield text;
    };
    try {
      return await copy(INSERT_COPY_SQL, chunks());
    } catch (error) {
      // Any other failure is the caller's (503, retry later); a conflict is written the other way.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  for (let next = iterator.next(); !next.done; next = iterator.next()) all.push(next.value);
  const rows = all.map((event) => toInsertRow(event, keys));
  return db.$executeRawUnsafe(INSERT_EVENTS_SQL, JSON.stringify(rows));
}
