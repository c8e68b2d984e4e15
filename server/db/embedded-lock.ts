// PGlite allows one process per data directory; a second one corrupts it. The
// portal, the operator scripts and the schema-engine stand-in
// (scripts/prisma/schema-engine.mjs, same protocol) hold `<dataDir>.lock`,
// holding the owner's pid, while the directory is open. A second process
// waits briefly (the previous command may still be closing) and is then
// refused with one sentence.
import fs from "node:fs";

export class EmbeddedDatabaseInUse extends Error {
  override name = "EmbeddedDatabaseInUse";
}

export type DirectoryLock = { release(): void };

export async function lockEmbeddedDatabase(dataDir: string, timeoutMs = 5_000): Promise<DirectoryLock> {
  const lockPath = `${dataDir}.lock`;
  const deadline = Date.now() + timeoutMs;
  // Written aside, then hard-linked into place: the lock never exists empty.
  const candidate = `${lockPath}.${process.pid}`;
  fs.writeFileSync(candidate, String(process.pid));
  try {
    for (;;) {
      try {
        fs.linkSync(candidate, lockPath);
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          process.off("exit", release);
          try {
            if (fs.readFileSync(lockPath, "utf8").trim() === String(process.pid)) fs.rmSync(lockPath, { force: true });
          } catch {
            // already gone
          }
        };
        process.on("exit", release);
        return { release };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      let owner: number;
      try {
        owner = Number(fs.readFileSync(lockPath, "utf8").trim());
      } catch {
        continue; // released meanwhile
      }
      if (owner === process.pid || !isProcessAlive(owner)) {
        fs.rmSync(lockPath, { force: true }); // ours from an earlier open, or left by a process that died
        continue;
      }
      if (Date.now() > deadline) {
        throw new EmbeddedDatabaseInUse(
          `The embedded database at ${dataDir} is in use by another process (pid ${owner}): stop it first, or set DATABASE_URL to run several processes on one PostgreSQL.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    fs.rmSync(candidate, { force: true });
  }
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
