// A private temporary file that hashes what is written to it, then streams it
// out and deletes itself. Every CSV export writes through it (csv-export.ts) to
// keep fail-closed auditing honest: the audit row must carry the SHA-256 of the
// bytes served and be committed before the first byte leaves, so the file is
// written (and hashed) inside the audited transaction and streamed only after
// the commit.
import "server-only";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, open, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const READ_CHUNK_BYTES = 64 * 1024;

export type HashedFile = {
  /** append text (UTF-8) or bytes, with back-pressure */
  write(chunk: string | Uint8Array): Promise<void>;
  /** bytes written (and hashed) so far */
  bytesWritten(): number;
  /** close for writing; the digest and size of everything written */
  seal(): Promise<{ sha256: string; byteLength: number }>;
  /** the sealed file as a stream; the file is deleted when it ends or is cancelled */
  stream(): ReadableStream<Uint8Array>;
  /** delete without streaming (the transaction failed) */
  discard(): Promise<void>;
};

/**
 * Exports older than this are left behind by a process that stopped mid-download
 * (its stream's cleanup never ran): telemetry at rest in the temporary directory.
 * No download lasts this long, so a sweep never takes a file being served.
 */
export const STALE_EXPORT_MS = 6 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 10 * 60 * 1000;
const lastSweep = new Map<string, number>();

/**
 * Deletes `<prefix>-*` directories in `root` last changed more than `olderThanMs`
 * ago; returns how many. Best effort: a directory another process removes first,
 * or one it cannot read, is skipped.
 */
export async function sweepStaleExports(prefix: string, options: { root?: string; olderThanMs?: number; now?: number } = {}): Promise<number> {
  const root = options.root ?? os.tmpdir();
  const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? STALE_EXPORT_MS);
  let removed = 0;
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith(`${prefix}-`)) continue;
    const directory = path.join(root, name);
    try {
      const info = await stat(directory);
      if (!info.isDirectory() || info.mtimeMs > cutoff) continue;
      await rm(directory, { recursive: true, force: true });
      removed++;
    } catch {
      // gone already, or not ours to read
    }
  }
  return removed;
}

export async function createHashedFile(prefix: string): Promise<HashedFile> {
  // at most every ten minutes per process, in the background: what a stopped process left behind
  const now = Date.now();
  if (now - (lastSweep.get(prefix) ?? 0) > SWEEP_EVERY_MS) {
    lastSweep.set(prefix, now);
    void sweepStaleExports(prefix).then(
      (removed) => {
        if (removed > 0) console.warn(`Deleted ${removed} export file(s) left in the temporary directory by a stopped process (${prefix}-*, older than 6 hours).`);
      },
      () => undefined,
    );
  }
  const directory = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  const file = path.join(directory, "export");
  const out = createWriteStream(file, { flags: "wx", mode: 0o600 });
  const closed = new Promise<void>((resolve, reject) => {
    out.on("close", resolve);
    out.on("error", reject);
  });
  const hash = createHash("sha256");
  let byteLength = 0;
  let sealed: { sha256: string; byteLength: number } | null = null;
  const discard = () => rm(directory, { recursive: true, force: true });

  return {
    async write(chunk) {
      if (sealed) throw new Error("the export file is already sealed");
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      hash.update(bytes);
      byteLength += bytes.length;
      // `once` rejects if the file fails while we wait (disk full), rather than waiting forever.
      if (!out.write(bytes)) await once(out, "drain");
    },
    bytesWritten: () => byteLength,
    async seal() {
      if (!sealed) {
        out.end();
        await closed;
        sealed = { sha256: hash.digest("hex"), byteLength };
      }
      return sealed;
    },
    stream() {
      let handle: Awaited<ReturnType<typeof open>> | null = null;
      const finish = async () => {
        const current = handle;
        handle = null;
        await current?.close().catch(() => undefined);
        await discard();
      };
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              handle ??= await open(file, "r");
              const buffer = new Uint8Array(READ_CHUNK_BYTES);
              const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
              if (bytesRead === 0) {
                await finish();
                controller.close();
                return;
              }
              controller.enqueue(buffer.subarray(0, bytesRead));
            } catch (error) {
              await finish();
              controller.error(error);
            }
          },
          cancel: finish,
        },
        { highWaterMark: 0 },
      );
    },
    discard: async () => {
      out.destroy();
      await discard();
    },
  };
}
