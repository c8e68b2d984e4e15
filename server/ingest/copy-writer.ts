// The intake's COPY writer on PostgreSQL (store-events.ts): one pooled
// connection per batch, the batch's COPY text sent through pg-copy-streams
// chunk by chunk as the intake produces it; an error from the chunks destroys
// the stream, which sends CopyFail (the server rolls the COPY back).
// A COPY is its own transaction; a failed one writes nothing. PGlite has no
// writer: the intake uses INSERT … ON CONFLICT there.
import "server-only";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Database } from "@/server/db/connect";
import type { CopyWriter } from "./store-events";

/** A CopyWriter on the database's pg pool, or undefined (PGlite). */
export function copyWriterOf(database: Pick<Database, "pool">): CopyWriter | undefined {
  const pool = database.pool;
  if (!pool) return undefined;
  return async (sql, chunks) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      const copy = client.query(copyFrom(sql));
      await pipeline(Readable.from(chunks), copy);
      return copy.rowCount;
    } catch (error) {
      // A statement error (e.g. a unique violation) leaves the connection usable; anything else may not have.
      if (!(error instanceof pg.DatabaseError)) broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  };
}
