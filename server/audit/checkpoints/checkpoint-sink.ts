// The checkpoint directory: one file per checkpoint, named by its tree size,
// written once and never overwritten (O_EXCL, then read-only). Put
// AUDIT_CHECKPOINT_DIR on another volume than the database, ideally a WORM
// mount (S3 Object Lock via a FUSE mount, a NetApp SnapLock volume, chattr +a
// on a directory the portal's user does not own…), so the database operator
// cannot rewrite what the log once committed to.
//
// No "server-only": the job and `npm run audit:verify` use it.
import fs from "node:fs/promises";
import path from "node:path";

const FILE_PATTERN = /^checkpoint-(\d{16})\.txt$/;

export function checkpointFileName(treeSize: number): string {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new RangeError(`a checkpoint's tree size is a whole number, got ${treeSize}`);
  return `checkpoint-${String(treeSize).padStart(16, "0")}.txt`;
}

/** The tree size a file name announces, or null for a file that is not a checkpoint. */
export function treeSizeOfFileName(name: string): number | null {
  const match = FILE_PATTERN.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Writes a checkpoint unless the directory already holds it. A file of the same
 * size with other content is never replaced: that means the log was rewound or
 * forked, and the job fails loudly instead. Returns whether a file was written.
 */
export async function writeCheckpointFile(directory: string, treeSize: number, note: string): Promise<boolean> {
  const file = path.join(directory, checkpointFileName(treeSize));
  await fs.mkdir(directory, { recursive: true });
  try {
    await fs.writeFile(file, note, { flag: "wx", mode: 0o444 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const existing = await fs.readFile(file, "utf8");
  if (existing === note) return false;
  throw new Error(`${file} already holds a different checkpoint of size ${treeSize}: the audit log was rewound or forked since it was written. The file was not overwritten.`);
}

/**
 * Every checkpoint file in the directory, by name, with its text (missing
 * directory: none). With `fromSize`, only files named for that size or more
 * are read (and every file whose name is not a checkpoint's, to be named).
 */
export async function readCheckpointFiles(directory: string, options: { fromSize?: number } = {}): Promise<Array<{ name: string; treeSize: number | null; text: string }>> {
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files = [];
  for (const name of names.sort()) {
    if (!name.startsWith("checkpoint-")) continue;
    const size = treeSizeOfFileName(name);
    if (options.fromSize !== undefined && size !== null && size < options.fromSize) continue;
    files.push({ name, treeSize: treeSizeOfFileName(name), text: await fs.readFile(path.join(directory, name), "utf8") });
  }
  return files;
}
