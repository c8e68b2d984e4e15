// The seed's encoders: batches close every batchRows rows, and worker threads
// produce exactly the rows the main thread would (same seed → same events;
// only the AES-GCM IV, hence the ciphertext, differs), in the same order.
import { describe, expect, it } from "vitest";
import { COPY_COLUMNS } from "@/server/telemetry/event-store";
import { generateEvents } from "./generate-events";
import { type EncodedChunk, encodedChunks, encodedChunksInWorkers } from "./write-events";

const KEYS = [{ id: "k1", key: Buffer.alloc(32, 3) }];
const GENERATE = { count: 2_500, seed: 42, now: new Date("2026-11-20T12:00:00Z"), days: 30 };
const CIPHERTEXT = COPY_COLUMNS.indexOf("content_ciphertext");

/** The rows of each batch, ciphertext blanked (its IV is random). */
function batchesOf(chunks: EncodedChunk[]): string[][] {
  const batches: string[][] = [[]];
  for (const chunk of chunks) {
    const lines = chunk.buffer.toString("utf8").split("\n").slice(0, -1);
    expect(lines).toHaveLength(chunk.rows);
    for (const line of lines) {
      const cells = line.split("\t");
      expect(cells).toHaveLength(COPY_COLUMNS.length);
      if (cells[CIPHERTEXT] !== "\\N") cells[CIPHERTEXT] = "sealed";
      batches.at(-1)!.push(cells.join("\t"));
    }
    if (chunk.batchEnd) batches.push([]);
  }
  expect(batches.pop()).toEqual([]);
  return batches;
}

describe("seed encoders", () => {
  it("closes a batch every batchRows rows on this thread", () => {
    const batches = batchesOf([...encodedChunks(generateEvents(GENERATE), KEYS, 1_000)]);
    expect(batches.map((batch) => batch.length)).toEqual([1_000, 1_000, 500]);
    expect(CIPHERTEXT).toBeGreaterThanOrEqual(0);
    expect(batches.flat().some((line) => line.includes("\tsealed\t"))).toBe(true);
  }, 60_000);

  it("gives the same rows in the same batches from two worker threads", async () => {
    const here = batchesOf([...encodedChunks(generateEvents(GENERATE), KEYS, 700)]);
    const chunks: EncodedChunk[] = [];
    for await (const chunk of encodedChunksInWorkers(GENERATE, KEYS, { workers: 2, batchRows: 700, chunksAhead: 1 })) chunks.push(chunk);
    const inWorkers = batchesOf(chunks);
    expect(inWorkers.map((batch) => batch.length)).toEqual([700, 700, 700, 400]);
    expect(inWorkers).toEqual(here);
  }, 120_000);

  it("stops its workers when the consumer stops early (a failed COPY), even a worker blocked on back-pressure", async () => {
    let taken = 0;
    for await (const chunk of encodedChunksInWorkers(GENERATE, KEYS, { workers: 2, batchRows: 700, chunksAhead: 1 })) {
      taken += chunk.rows;
      break;
    }
    expect(taken).toBeGreaterThan(0);
  }, 120_000);
});
