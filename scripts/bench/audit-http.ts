// The HTTP half of `npm run bench:audit`: the portal itself, started from the
// production build (`npm run build` first) on the benchmark's scratch
// database, serving GET /api/v1/events?limit=50 to a signed-in viewer with a
// declared purpose (the full audited read: session, person, grants, policy,
// page query, total, audit row, JSON), against the floor — a plain Node
// `http` server doing the same page query plus the same audit row in one
// transaction through `pg` (./audit-floor-server.ts) — at 1, 8 and 32
// keep-alive clients, in alternating one-second slices so background load on
// the machine hits both alike. Both run as child processes with the same pool
// size; the load generator is this process. Prints req/s, p50 and p95 for
// each, the ratio to the floor, and how p95 grows against the client count;
// and each server's CPU time per request (Linux /proc), a ratio that a busy
// machine hardly moves.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { connectDatabase } from "../../server/db/connect";
import { prismaSqlRunner, writeDemoAccess } from "../../server/seed/demo-access";
import { signInForTest } from "../../test/sessions";

const root = path.resolve(import.meta.dirname, "..", "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const VIEWER = "viewer.copilot@github.example";
const PATH = "/api/v1/events?limit=50";

export type HttpBenchOptions = { scratchUrl: string; seconds: number; chains: number; poolSize: number; clientCounts: readonly number[] };
type Cell = { perSecond: number; p50: number; p95: number; errors: number; bytes: number; cpuMsPerRequest: number };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function get(agent: http.Agent, port: number, cookie: string | null): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path: PATH, agent, headers: cookie ? { cookie, accept: "application/json" } : { accept: "application/json" } }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => (bytes += chunk.length));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, bytes }));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
}

type Target = { name: string; port: number; cookie: string | null; pid: number | undefined };
type Sample = { latencies: number[]; seconds: number; errors: number; bytes: number; cpuMs: number };

/** Linux's clock ticks per second for /proc/<pid>/stat (getconf CLK_TCK; 100 on every common kernel). */
const CLOCK_TICKS = 100;

/**
 * CPU time (user + system, ms) used so far by a process and all its
 * descendants (tsx runs the script in a child node process), from /proc; NaN
 * where there is no /proc. Unlike req/s it hardly depends on what else the
 * machine is running, so it compares the portal with the floor even on a busy
 * machine.
 */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    let ticks = Number(fields[11]) + Number(fields[12]);
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      for (const child of children ? children.split(" ") : []) ticks += (cpuMsOf(Number(child)) * CLOCK_TICKS) / 1000;
    }
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

async function runSlice(target: Target, clients: number, seconds: number, into: Sample): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const cpuBefore = cpuMsOf(target.pid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const begun = performance.now();
        const { status, bytes } = await get(agent, target.port, target.cookie);
        into.latencies.push(performance.now() - begun);
        into.bytes += bytes;
        if (status !== 200) into.errors += 1;
      }
    }),
  );
  into.seconds += (performance.now() - started) / 1000;
  into.cpuMs += cpuMsOf(target.pid) - cpuBefore;
  agent.destroy();
}

async function measure(targets: Target[], clients: number, seconds: number): Promise<Cell[]> {
  const samples = targets.map((): Sample => ({ latencies: [], seconds: 0, errors: 0, bytes: 0, cpuMs: 0 }));
  const slices = Math.max(1, Math.round(seconds));
  for (let slice = 0; slice < slices; slice += 1) {
    for (const [index, target] of targets.entries()) {
      const sample = samples[index];
      if (sample) await runSlice(target, clients, seconds / slices, sample);
    }
  }
  return samples.map(({ latencies, seconds: elapsed, errors, bytes, cpuMs }) => {
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
    const count = latencies.length;
    return { perSecond: count / elapsed, p50: at(0.5), p95: at(0.95), errors, bytes: count ? bytes / count : 0, cpuMsPerRequest: count ? cpuMs / count : Number.NaN };
  });
}

const fmt = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function printTable(rows: Array<{ clients: number; portal: Cell; floor: Cell }>): void {
  const first = rows[0];
  const header = ["clients", "portal req/s", "p50", "p95", "floor req/s", "p50", "p95", "portal/floor", "portal p95 ×", "clients ×", "CPU ms/req portal", "floor", "floor/portal CPU", "errors"];
  const lines = rows.map(({ clients, portal, floor }) => [
    String(clients),
    fmt(portal.perSecond), `${fmt(portal.p50, 1)} ms`, `${fmt(portal.p95, 1)} ms`,
    fmt(floor.perSecond), `${fmt(floor.p50, 1)} ms`, `${fmt(floor.p95, 1)} ms`,
    `${fmt((100 * portal.perSecond) / floor.perSecond)}%`,
    first ? fmt(portal.p95 / first.portal.p95, 1) : "",
    first ? fmt(clients / first.clients, 0) : "",
    fmt(portal.cpuMsPerRequest, 2),
    fmt(floor.cpuMsPerRequest, 2),
    `${fmt((100 * floor.cpuMsPerRequest) / portal.cpuMsPerRequest)}%`,
    String(portal.errors + floor.errors),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)));
  const render = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join("  ");
  console.log(render(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of lines) console.log(render(line));
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function benchAuditHttp(options: HttpBenchOptions): Promise<void> {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.log("\nHTTP benchmark skipped: no production build (.next/BUILD_ID). Run `npm run build`, then `npm run bench:audit` again.");
    return;
  }
  // A signed-in viewer with a declared purpose, made the way a real sign-in leaves it.
  const database = await connectDatabase({ databaseUrl: options.scratchUrl, pgliteDataDir: "" });
  let token: string;
  try {
    await writeDemoAccess(prismaSqlRunner(database.prisma));
    token = await signInForTest(database.prisma, VIEWER, { purpose: "evaluate_product", expires: new Date(Date.now() + 6 * 3_600_000) });
  } finally {
    await database.close();
  }

  const [portalPort, idpPort, floorPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-bench-http-"));
  let portal: ChildProcess | undefined;
  let floor: ChildProcess | undefined;
  try {
    const portalEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: options.scratchUrl,
      DATABASE_POOL_SIZE: String(options.poolSize),
      PORT: String(portalPort),
      HOST: "127.0.0.1",
      PORTAL_URL: `http://127.0.0.1:${portalPort}`,
      DEMO_IDP_PORT: String(idpPort),
      DATA_DIR: dataDir,
      SKIP_BUILD: "true",
      SEED_IF_EMPTY: "false",
      LOG_LEVEL: "warn",
      AUDIT_CHAINS: String(options.chains),
    };
    delete portalEnv.DATABASE_MIGRATION_URL;
    delete portalEnv.DATABASE_REPLICA_URLS;
    portal = spawn(tsx, ["scripts/start.ts"], { cwd: root, env: portalEnv, stdio: ["ignore", "ignore", "inherit"] });
    // react-server: the shared modules it reuses are marked "server-only"
    floor = spawn(tsx, ["--conditions=react-server", "scripts/bench/audit-floor-server.ts", options.scratchUrl, String(floorPort), String(options.poolSize), String(options.chains)], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const portalTarget: Target = { name: "portal", port: portalPort, cookie: `authjs.session-token=${token}`, pid: portal.pid };
    const floorTarget: Target = { name: "floor", port: floorPort, cookie: null, pid: floor.pid };
    const agent = new http.Agent({ keepAlive: false });
    const started = portal;
    await waitFor(async () => (await get(agent, portalPort, portalTarget.cookie)).status === 200, "the portal", started);
    await waitFor(async () => (await get(agent, floorPort, null)).status === 200, "the floor server", floor);

    console.log(`\nOver HTTP: GET ${PATH} — the portal (production build, pool ${options.poolSize}) against a plain Node http + pg floor (same page query and audit row, one transaction), ${options.seconds} s per cell.`);
    console.log("Warming up…");
    await measure([portalTarget, floorTarget], 8, 2);
    const rows: Array<{ clients: number; portal: Cell; floor: Cell }> = [];
    for (const clients of options.clientCounts) {
      const [portalCell, floorCell] = await measure([portalTarget, floorTarget], clients, options.seconds);
      if (portalCell && floorCell) rows.push({ clients, portal: portalCell, floor: floorCell });
    }
    const sample = rows[0];
    if (sample) console.log(`Responses: portal ${fmt(sample.portal.bytes / 1024, 1)} KiB, floor ${fmt(sample.floor.bytes / 1024, 1)} KiB on average.`);
    console.log("");
    printTable(rows);
    console.log("Aim: portal/floor ≥ 50% at every client count, and portal p95 growing no faster than the client count.");
    console.log(
      "CPU ms/req: the server process's own CPU time (user + system, from /proc) per answered request; floor/portal CPU is the share of the portal's " +
        "per-request CPU the floor needs — what portal/floor would be if each had the whole core, whatever else the machine runs.",
    );
  } finally {
    await Promise.all([stop(portal), stop(floor)]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
