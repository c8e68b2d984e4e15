// The embedded database (PGlite) allows one process per data directory: a
// second one would corrupt it. While this test process has a directory open,
// other processes (spawned with tsx: a bare connectDatabase, and a second
// `npm start`) are refused with one sentence, quickly, and the first process's
// database stays intact. Once it is closed — or its holder died — the next
// process opens it.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "./connect";
import { migrateDatabase } from "./migrate";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

type Exit = { code: number | null; stdout: string; stderr: string; seconds: number };

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<Exit> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, args, { cwd: ROOT, env: { ...env, NODE_OPTIONS: "" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** The environment of a fresh clone pointed at `dataDir`: no DATABASE_URL, nothing inherited that changes the database. */
function embeddedEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PGLITE_DATA_DIR: path.join(dataDir, "pglite"), SKIP_BUILD: "true", PORT: "39517", DEMO_IDP_PORT: "39518" };
  for (const name of ["DATABASE_URL", "DATABASE_MIGRATION_URL", "TEST_DATABASE_URL", "PORTAL_ENV", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID"]) delete env[name];
  return env;
}

const sentence = (dataDir: string, pid: number) =>
  `The embedded database at ${dataDir} is in use by another process (pid ${pid}): stop it first, or set DATABASE_URL to run several processes on one PostgreSQL.`;

describe("one process per embedded database", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-lock-it-"));
  const pgliteDir = path.join(dataDir, "pglite");
  /** A second process that opens the directory the way every script does, reports, and closes it. */
  const opener = path.join(dataDir, "open-embedded.mts");
  let held: Database | undefined;

  beforeAll(async () => {
    await migrateDatabase({ env: { ...embeddedEnv(dataDir) }, log: () => undefined });
    fs.writeFileSync(
      opener,
      `import { connectDatabase } from ${JSON.stringify(path.join(ROOT, "server/db/connect.ts"))};
try {
  const database = await connectDatabase({ pgliteDataDir: process.argv[2]! });
  const rows = await database.prisma.$queryRawUnsafe<Array<{ n: number }>>("SELECT count(*)::int AS n FROM audit_chain_head");
  console.log("opened " + rows[0]!.n);
  await database.close();
} catch (error) {
  process.stderr.write((error as Error).message + "\\n");
  process.exit(1);
}
`,
    );
    held = await connectDatabase({ pgliteDataDir: pgliteDir });
  });

  afterAll(async () => {
    await held?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a second process with one sentence naming the holder, and leaves the holder's database working", async () => {
    const second = await run([opener, pgliteDir], embeddedEnv(dataDir));
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toBe(`${sentence(pgliteDir, process.pid)}\n`);
    expect(fs.readFileSync(`${pgliteDir}.lock`, "utf8").trim()).toBe(String(process.pid));
    const rows = await held!.prisma.$queryRawUnsafe<Array<{ n: number }>>("SELECT count(*)::int AS n FROM audit_chain_head");
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it("refuses a second `npm start` on the same directory with that sentence, within seconds", async () => {
    const second = await run([path.join(ROOT, "scripts/start.ts")], embeddedEnv(dataDir));
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toBe(`Start-up failed: ${sentence(pgliteDir, process.pid)}\n`);
    // The lock's own grace (5 s, for a previous command still closing) plus start-up, never Prisma's retries on top.
    expect(second.seconds).toBeLessThan(25);
  });

  it("lets the next process in once the holder closes, and takes over a lock whose holder died", async () => {
    await held!.close();
    held = undefined;
    expect(fs.existsSync(`${pgliteDir}.lock`)).toBe(false);
    const next = await run([opener, pgliteDir], embeddedEnv(dataDir));
    expect(next.stderr).toBe("");
    expect(next.stdout).toMatch(/^opened \d+\n$/);
    expect(next.code).toBe(0);

    // A holder that died without cleaning up (kill -9): its pid is no longer alive.
    const dead = await run(["-e", "console.log(process.pid)"], embeddedEnv(dataDir));
    fs.writeFileSync(`${pgliteDir}.lock`, dead.stdout.trim());
    held = await connectDatabase({ pgliteDataDir: pgliteDir });
    expect(fs.readFileSync(`${pgliteDir}.lock`, "utf8").trim()).toBe(String(process.pid));
  });
});
