// Bulk writers for generated telemetry. Both databases are fed the same
// COPY text format (tab-separated, `\N` for NULL), every column of the field
// registry (server/telemetry/event-store.ts encodes; it seals each event's
// content with AES-256-GCM first, so plaintext content never leaves this
// process).
//
// - PostgreSQL: one `COPY telemetry_event (...) FROM STDIN` per batch of
//   `batchRows` rows (default 100,000) over one pg connection, each COPY its
//   own transaction, streamed in ~1 MB chunks with back-pressure, so memory
//   stays flat for any count and the rollup trigger's transition table (one
//   per statement) holds one batch, not the whole run. A failure part way
//   throws SeedWriteError, which says how many rows (whole batches) were
//   committed. The rows come encoded either from this thread or from worker
//   threads (encodedChunksInWorkers: generating + sealing is most of the
//   seed's CPU, so the main thread only feeds the connection).
// - PGlite: `COPY ... FROM '/dev/blob'` per ~4 MB batch inside one
//   transaction. Measured on the 2-core dev box, 20,000 events into a fresh
//   directory: COPY from a blob 1.3 s vs multi-row parameterized INSERTs
//   (1,000 rows × 33 parameters per statement) 3.5 s; 100,000 events: 6.4 s
//   with 1, 4 or 16 MB blobs alike.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Worker } from "node:worker_threads";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { ContentKey } from "@/server/crypto/content";
import { COPY_COLUMNS, copyText, encodeCopyRow, textArrayLiteral } from "@/server/telemetry/event-store";
import type { EncodeWorkerData, EncodeWorkerMessage } from "./encode-worker";
import type { GenerateOptions, SeedEvent } from "./generate-events";

const COPY_STATEMENT = `COPY telemetry_event (${COPY_COLUMNS.join(", ")}) FROM STDIN`;
const COPY_FROM_BLOB_STATEMENT = `COPY telemetry_event (${COPY_COLUMNS.join(", ")}) FROM '/dev/blob'`;

/** Rows per COPY (one transaction each) on PostgreSQL. */
export const DEFAULT_BATCH_ROWS = 100_000;
const CHUNK_CHARS = 1 << 20;

export { copyText, encodeCopyRow, textArrayLiteral };

export type WriteOptions = {
  keys: readonly ContentKey[];
  /** called with the running number of rows handed to the database */
  onProgress?: (rowsWritten: number) => void;
};

/** A piece of COPY text: `rows` whole rows; `batchEnd` closes the batch (the COPY statement). */
export type EncodedChunk = { buffer: Buffer; rows: number; batchEnd: boolean };

/** A write that failed part way: `committedRows` rows (whole batches) are in the database. */
export class SeedWriteError extends Error {
  readonly committedRows: number;
  readonly code: string | undefined;
  constructor(cause: unknown, committedRows: number) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "SeedWriteError";
    this.committedRows = committedRows;
    this.code = (cause as { code?: string } | null)?.code;
  }
}

/** Encodes `events` on this thread into chunks of about `chunkChars` characters, closing a batch every `batchRows` rows (and at the end). */
export function* encodedChunks(
  events: Iterable<SeedEvent>,
  keys: readonly ContentKey[],
  batchRows = DEFAULT_BATCH_ROWS,
  chunkChars = CHUNK_CHARS,
): Generator<EncodedChunk, void, undefined> {
  const jsonCache = new WeakMap<object, string>();
  let text = "";
  let rows = 0;
  let inBatch = 0;
  let pending = false;
  for (const event of events) {
    text += encodeCopyRow(event, keys, jsonCache);
    rows++;
    inBatch++;
    pending = true;
    const batchEnd = inBatch === batchRows;
    if (batchEnd || text.length >= chunkChars) {
      yield { buffer: Buffer.from(text, "utf8"), rows, batchEnd };
      if (batchEnd) inBatch = 0;
      text = "";
      rows = 0;
      pending = inBatch > 0;
    }
  }
  if (pending) yield { buffer: Buffer.from(text, "utf8"), rows, batchEnd: true };
}

/**
 * The same chunks as encodedChunks(generateEvents(generate), keys, batchRows),
 * made by `workers` worker threads: each generates the whole (deterministic)
 * stream and encodes every workers-th batch; batches are yielded in order, so
 * the same seed gives the same rows. At most `chunksAhead` chunks per worker
 * wait here (memory stays flat).
 */
export async function* encodedChunksInWorkers(
  generate: Required<Pick<GenerateOptions, "count" | "seed" | "now" | "days">>,
  keys: readonly ContentKey[],
  { workers = 1, batchRows = DEFAULT_BATCH_ROWS, chunksAhead = 8 }: { workers?: number; batchRows?: number; chunksAhead?: number } = {},
): AsyncGenerator<EncodedChunk, void, undefined> {
  if (generate.count === 0) return;
  const entry = new URL("./encode-worker.ts", import.meta.url).href;
  // Worker threads do not inherit tsx's loader hooks: register them first.
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  type Queue = { messages: EncodeWorkerMessage[]; credit: Int32Array; failure: Error | null; done: boolean; wake: (() => void) | null };
  const queues: Queue[] = [];
  const threads: Worker[] = [];
  for (let workerIndex = 0; workerIndex < workers; workerIndex++) {
    const shared = new SharedArrayBuffer(4);
    const queue: Queue = { messages: [], credit: new Int32Array(shared), failure: null, done: false, wake: null };
    Atomics.store(queue.credit, 0, chunksAhead);
    const data: EncodeWorkerData = {
      count: generate.count,
      seed: generate.seed,
      nowMs: generate.now.getTime(),
      days: generate.days,
      keys: keys.map(({ id, key }) => ({ id, key: new Uint8Array(key) })),
      batchRows,
      chunkChars: CHUNK_CHARS,
      workerIndex,
      workerCount: workers,
      credit: shared,
    };
    const thread = new Worker(bootstrap, { eval: true, workerData: data });
    const wake = () => {
      const resume = queue.wake;
      queue.wake = null;
      resume?.();
    };
    thread.on("message", (message: EncodeWorkerMessage) => {
      queue.messages.push(message);
      wake();
    });
    thread.on("error", (error) => {
      queue.failure = error;
      wake();
    });
    thread.on("exit", (code) => {
      if (!queue.done && !queue.failure) queue.failure = new Error(`A seed worker thread exited (code ${code}) before it finished.`);
      wake();
    });
    queues.push(queue);
    threads.push(thread);
  }
  const next = async (queue: Queue): Promise<EncodeWorkerMessage> => {
    for (;;) {
      const message = queue.messages.shift();
      if (message) {
        if (message.type === "done") queue.done = true;
        return message;
      }
      if (queue.failure) throw queue.failure;
      await new Promise<void>((resolve) => (queue.wake = resolve));
    }
  };
  try {
    const batches = Math.ceil(generate.count / batchRows);
    for (let batch = 0; batch < batches; batch++) {
      const queue = queues[batch % workers]!;
      for (;;) {
        const message = await next(queue);
        if (message.type === "done" || message.batch !== batch) throw new Error(`A seed worker sent batch ${message.type === "chunk" ? message.batch : "end"} where batch ${batch} was expected.`);
        Atomics.add(queue.credit, 0, 1);
        Atomics.notify(queue.credit, 0);
        yield { buffer: Buffer.from(message.buffer), rows: message.rows, batchEnd: message.batchEnd };
        if (message.batchEnd) break;
      }
    }
  } finally {
    for (const queue of queues) {
      queue.done = true;
      // A worker blocked in Atomics.wait is woken, so terminate() does not wait on it.
      Atomics.add(queue.credit, 0, 1 << 20);
      Atomics.notify(queue.credit, 0);
    }
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}

// ─── PostgreSQL ──────────────────────────────────────────────────────────────

/** Encodes `events` on this thread and writes them, one COPY (one transaction) per batch; returns the row count. */
export async function writeEventsPostgres(
  client: pg.Client | pg.PoolClient,
  events: Iterable<SeedEvent>,
  options: WriteOptions & { batchRows?: number },
): Promise<number> {
  return writeChunksPostgres(client, encodedChunks(events, options.keys, options.batchRows), options);
}

/**
 * Writes the chunks into telemetry_event, one COPY (one transaction) per
 * batch, on `client` (not inside a transaction); returns the row count. On a
 * failure throws SeedWriteError with the rows committed by earlier batches.
 */
export async function writeChunksPostgres(
  client: pg.Client | pg.PoolClient,
  chunks: Iterable<EncodedChunk> | AsyncIterable<EncodedChunk>,
  options: Pick<WriteOptions, "onProgress">,
): Promise<number> {
  const iterator = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  let committed = 0;
  let handed = 0;
  try {
    for (let first = await iterator.next(); !first.done; first = await iterator.next()) {
      const head = first.value;
      async function* batch(): AsyncGenerator<Buffer, void, undefined> {
        let chunk: EncodedChunk = head;
        for (;;) {
          handed += chunk.rows;
          options.onProgress?.(handed);
          yield chunk.buffer;
          if (chunk.batchEnd) return;
          const step = await iterator.next();
          if (step.done) return;
          chunk = step.value;
        }
      }
      const copy = client.query(copyFrom(COPY_STATEMENT));
      // A couple of chunks in flight is enough to keep the server busy.
      await pipeline(Readable.from(batch(), { objectMode: false, highWaterMark: 2 << 20 }), copy);
      committed += Number(copy.rowCount);
    }
  } catch (error) {
    await iterator.return?.();
    throw new SeedWriteError(error, committed);
  }
  return committed;
}

// ─── PGlite ──────────────────────────────────────────────────────────────────

/** Writes `events` into telemetry_event with COPY-from-blob batches in one transaction; returns the row count. */
export async function writeEventsPglite(db: PGlite, events: Iterable<SeedEvent>, options: WriteOptions): Promise<number> {
  let written = 0;
  await db.transaction(async (tx) => {
    // one batch (one transaction), in ~4 MB blobs
    for (const chunk of encodedChunks(events, options.keys, Infinity, 4 << 20)) {
      await tx.query(COPY_FROM_BLOB_STATEMENT, [], { blob: new Blob([chunk.buffer as Buffer<ArrayBuffer>]) });
      written += chunk.rows;
      options.onProgress?.(written);
    }
  });
  return written;
}
