// Worker thread of the seed (server/seed/write-events.ts encodedChunksInWorkers):
// generates the events (the same deterministic stream in every worker) and
// encodes + seals the rows of its own batches (batch index % workerCount ===
// workerIndex) into COPY text chunks, which it transfers to the main thread.
// Back-pressure: a shared credit counter; the worker blocks (Atomics.wait)
// when it has `maxChunksAhead` chunks not yet taken by the main thread.
import { parentPort, workerData } from "node:worker_threads";
import type { ContentKey } from "@/server/crypto/content";
import { generateEvents } from "./generate-events";
import { encodedChunks } from "./write-events";

export type EncodeWorkerData = {
  count: number;
  seed: number;
  nowMs: number;
  days: number;
  keys: { id: string; key: Uint8Array }[];
  batchRows: number;
  chunkChars: number;
  workerIndex: number;
  workerCount: number;
  /** Int32Array over a SharedArrayBuffer: [0] = chunks this worker may still send */
  credit: SharedArrayBuffer;
};

export type EncodeWorkerMessage = { type: "chunk"; batch: number; rows: number; buffer: ArrayBuffer; batchEnd: boolean } | { type: "done" };

const data = workerData as EncodeWorkerData;
const port = parentPort!;
const credit = new Int32Array(data.credit);
const keys: ContentKey[] = data.keys.map(({ id, key }) => ({ id, key: Buffer.from(key) }));

function send(batch: number, bytes: Buffer, rows: number, batchEnd: boolean): void {
  for (let available = Atomics.load(credit, 0); available <= 0; available = Atomics.load(credit, 0)) Atomics.wait(credit, 0, available);
  Atomics.sub(credit, 0, 1);
  // A Buffer this size owns its ArrayBuffer (no pool): transfer it without copying.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const message: EncodeWorkerMessage = { type: "chunk", batch, rows, buffer, batchEnd };
  port.postMessage(message, [buffer]);
}

/** This worker's share of the stream: the events of its batches. Each holds batchRows events but the run's last, so its batches end where the whole stream's do. */
function* ownEvents() {
  let index = 0;
  for (const event of generateEvents({ count: data.count, seed: data.seed, now: new Date(data.nowMs), days: data.days })) {
    if (Math.floor(index++ / data.batchRows) % data.workerCount === data.workerIndex) yield event;
  }
}

let batch = data.workerIndex;
for (const chunk of encodedChunks(ownEvents(), keys, data.batchRows, data.chunkChars)) {
  send(batch, chunk.buffer, chunk.rows, chunk.batchEnd);
  if (chunk.batchEnd) batch += data.workerCount;
}
port.postMessage({ type: "done" } satisfies EncodeWorkerMessage);
