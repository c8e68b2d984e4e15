// Reads a request body with a hard cap, decompressing `Content-Encoding: gzip`
// (or deflate) as a stream: both the bytes on the wire and the bytes after
// decompression are counted, and reading stops the moment either passes the
// cap, so a gzip bomb costs at most `maxBytes` of memory.
import "server-only";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import zlib from "node:zlib";

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; status: 413; message: string }
  | { ok: false; status: 400 | 415; message: string };

class TooLarge extends Error {}

export async function readBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const tooLarge = { ok: false, status: 413, message: `The request body exceeds ${maxBytes} bytes (after decompression).` } as const;
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;

  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  let decompressor: zlib.Gunzip | zlib.Inflate | null;
  if (encoding === "gzip" || encoding === "x-gzip") decompressor = zlib.createGunzip();
  else if (encoding === "deflate") decompressor = zlib.createInflate();
  else if (encoding === "identity" || encoding === "") decompressor = null;
  else return { ok: false, status: 415, message: `Content-Encoding "${encoding}" is not supported (use gzip or none).` };

  if (!request.body) return { ok: true, body: Buffer.alloc(0) };
  const source = Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
  const chunks: Buffer[] = [];
  let total = 0;
  /** the bytes on the wire, counted and passed on */
  async function* wire(stream: AsyncIterable<Uint8Array>) {
    let seen = 0;
    for await (const chunk of stream) {
      seen += chunk.length;
      if (seen > maxBytes) throw new TooLarge();
      yield chunk;
    }
  }
  /** the bytes after decompression, counted and kept */
  async function keep(stream: AsyncIterable<Uint8Array>) {
    for await (const chunk of stream) {
      total += chunk.length;
      if (total > maxBytes) throw new TooLarge();
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    }
  }

  try {
    if (decompressor) await pipeline(source, wire, decompressor, keep);
    else await pipeline(source, keep);
  } catch (error) {
    if (error instanceof TooLarge) return tooLarge;
    return { ok: false, status: 400, message: decompressor ? `The request body is not valid ${encoding} data.` : "The request body could not be read." };
  }
  return { ok: true, body: Buffer.concat(chunks, total) };
}
