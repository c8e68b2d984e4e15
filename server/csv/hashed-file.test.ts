import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STALE_EXPORT_MS, sweepStaleExports } from "./hashed-file";

describe("sweeping exports a stopped process left behind", () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "tp-sweep-test-"));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const exportDir = async (name: string, ageMs: number) => {
    const directory = path.join(root, name);
    await fs.mkdir(directory);
    await fs.writeFile(path.join(directory, "export"), "time,kind\n");
    const when = new Date(Date.now() - ageMs);
    await fs.utimes(directory, when, when);
    return directory;
  };
  const exists = (directory: string) => fs.stat(directory).then(() => true, () => false);

  it("deletes this prefix's directories older than the bound, with their files, and nothing else", async () => {
    const stale = await exportDir("tp-export-abc123", STALE_EXPORT_MS + 60_000);
    const fresh = await exportDir("tp-export-def456", 60_000);
    const other = await exportDir("tp-audit-export-ghi789", STALE_EXPORT_MS + 60_000);
    const unrelated = await exportDir("someone-else", STALE_EXPORT_MS + 60_000);

    expect(await sweepStaleExports("tp-export", { root })).toBe(1);
    expect(await exists(stale)).toBe(false);
    expect(await exists(fresh)).toBe(true);
    expect(await exists(other)).toBe(true);
    expect(await exists(unrelated)).toBe(true);
  });

  it("leaves a file (not a directory) with the prefix alone, and answers 0 for a missing root", async () => {
    const file = path.join(root, "tp-export-file");
    await fs.writeFile(file, "x");
    const when = new Date(Date.now() - STALE_EXPORT_MS * 2);
    await fs.utimes(file, when, when);
    expect(await sweepStaleExports("tp-export", { root })).toBe(0);
    expect(await exists(file)).toBe(true);
    expect(await sweepStaleExports("tp-export", { root: path.join(root, "missing") })).toBe(0);
  });
});
