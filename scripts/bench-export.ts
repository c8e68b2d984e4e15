// npm run bench:export [-- --events 110000 --rows 100000] [-- --existing]
//
// How much memory and time one CSV export of the events costs, against
// PostgreSQL (DATABASE_URL, loopback only). The benchmark does not touch the
// database DATABASE_URL names: it creates a scratch database next to it
// (tp_bench_<random>, same server and credentials), migrates it, seeds the
// demo access list and --events generated events, measures, and drops it.
// With --existing it measures DATABASE_URL itself, already migrated and seeded
// (npm run db:seed -- --events 110000), and leaves it as it was.
//
// The measurement runs in a fresh child process standing in for the portal:
// the GET /api/v1/events/export route module with the real data layer (the
// gate, the audited transaction, the temporary file), signed in as the seeded
// Copilot-team viewer, with EXPORT_MAX_ROWS = --rows. It prints
//   baseline RSS  after a small warm-up export, the process idle
//   peak RSS      sampled every 5 ms during the big export, and the kernel's
//                 high-water mark (getrusage maxrss) when it rose during it
//   growth        peak − baseline, against the 64 MiB target
//   first byte    from the call to the first chunk of the body (the whole
//                 file is written, hashed and audited before it: fail-closed)
//   total         from the call to the last byte read
// and, in the same process and run, the floor: `COPY (SELECT … the same
// columns, order and count) TO STDOUT (FORMAT csv)` over pg, read to the end.
// The body is read and hashed; the hash must equal X-Export-Sha256.
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { register } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const VIEWER_EMAIL = "viewer.copilot@github.example";
const TARGET_GROWTH_MIB = 64;
const MiB = 1024 * 1024;

class BenchRefusal extends Error {}

type ChildResult = {
  rowCount: number;
  byteLength: number;
  baselineRss: number;
  peakRss: number;
  firstByteMs: number;
  totalMs: number;
  copyMs: number;
  copyBytes: number;
  copyPeakRss: number;
  /** the V8 heap and buffers when the RSS peaked during the export */
  atPeak: { heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
};

function parseOptions() {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "110000" },
      rows: { type: "string", default: "100000" },
      existing: { type: "boolean", default: false },
      child: { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  const events = Number(values.events);
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 1_000 || rows > 10_000_000) throw new BenchRefusal("--rows must be a whole number from 1000 to 10000000.");
  if (!Number.isInteger(events) || events < rows) throw new BenchRefusal("--events must be a whole number of at least --rows.");
  return { events, rows, existing: values.existing, child: values.child };
}

function scratchDatabase(databaseUrl: string | undefined): { adminUrl: string; scratchUrl: string; name: string } {
  if (!databaseUrl) throw new BenchRefusal("bench:export needs PostgreSQL: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres).");
  const url = new URL(databaseUrl);
  if (!["postgresql:", "postgres:"].includes(url.protocol)) throw new BenchRefusal("DATABASE_URL must be a postgresql:// URL.");
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new BenchRefusal(`bench:export runs against a loopback server only, not ${url.hostname}.`);
  const name = `tp_bench_${randomBytes(4).toString("hex")}`;
  const scratch = new URL(databaseUrl);
  scratch.pathname = `/${name}`;
  return { adminUrl: databaseUrl, scratchUrl: scratch.toString(), name };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// ─── The parent: scratch database, seed, child, table ───────────────────────

async function parent(options: { events: number; rows: number; existing: boolean }): Promise<void> {
  const target = scratchDatabase(process.env.DATABASE_URL);
  if (options.existing) target.scratchUrl = target.adminUrl;
  process.env.CONTENT_ENCRYPTION_KEYS ||= `bench:${randomBytes(32).toString("base64")}`;
  process.env.AUTH_SECRET ||= randomBytes(32).toString("base64url");
  const { migrateDatabase } = await import("../server/db/migrate");
  const { seedDatabase } = await import("../server/seed/seed-database");
  const { parseEnv } = await import("../server/config/env");

  if (!options.existing) await withClient(target.adminUrl, (client) => client.query(`CREATE DATABASE ${target.name}`));
  try {
    if (!options.existing) {
      await migrateDatabase({ env: { ...process.env, DATABASE_URL: target.scratchUrl }, log: () => undefined });
      const seeded = performance.now();
      await seedDatabase({ databaseUrl: target.scratchUrl, events: options.events, seed: 15, keys: parseEnv().CONTENT_ENCRYPTION_KEYS!, log: () => undefined });
      process.stderr.write(`seeded ${options.events.toLocaleString("en-US")} events in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`);
    }

    const result = await new Promise<ChildResult>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", "--rows", String(options.rows), "--events", String(options.events)], {
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, DATABASE_URL: target.scratchUrl, EXPORT_MAX_ROWS: String(options.rows), NODE_ENV: "production" },
      });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
      child.on("error", reject);
      child.on("exit", (code) => {
        const line = out.trim().split("\n").at(-1) ?? "";
        if (code !== 0) return reject(new Error(`the measuring process exited with ${code}`));
        try {
          resolve(JSON.parse(line) as ChildResult);
        } catch {
          reject(new Error(`the measuring process printed no result: ${out}`));
        }
      });
    });

    const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
    const growth = result.peakRss - result.baselineRss;
    const copyGrowth = result.copyPeakRss - result.baselineRss;
    console.log(`\nbench:export — PostgreSQL at ${new URL(target.adminUrl).host}, ${options.events.toLocaleString("en-US")} events, one export of ${result.rowCount.toLocaleString("en-US")} rows (${mib(result.byteLength)} of CSV)`);
    console.log("");
    console.log("                        | portal export (route, audited) | COPY … TO STDOUT (floor)");
    console.log(`first byte              | ${`${result.firstByteMs.toFixed(0)} ms`.padStart(30)} | ${"—".padStart(24)}`);
    console.log(`total                   | ${`${result.totalMs.toFixed(0)} ms`.padStart(30)} | ${`${result.copyMs.toFixed(0)} ms`.padStart(24)}`);
    console.log(`rows/s                  | ${Math.round((result.rowCount * 1000) / result.totalMs).toLocaleString("en-US").padStart(30)} | ${Math.round((result.rowCount * 1000) / result.copyMs).toLocaleString("en-US").padStart(24)}`);
    console.log(`RSS baseline → peak     | ${`${mib(result.baselineRss)} → ${mib(result.peakRss)}`.padStart(30)} | ${`${mib(result.baselineRss)} → ${mib(result.copyPeakRss)}`.padStart(24)}`);
    console.log(`RSS growth              | ${mib(growth).padStart(30)} | ${mib(Math.max(0, copyGrowth)).padStart(24)}`);
    const { heapTotal, heapUsed, external, arrayBuffers } = result.atPeak;
    console.log(`at the RSS peak: V8 heap ${mib(heapUsed)} used of ${mib(heapTotal)}, external ${mib(external)} (array buffers ${mib(arrayBuffers)})`);
    console.log("");
    console.log(`Memory: peak growth ${mib(growth)} for ${result.rowCount.toLocaleString("en-US")} rows — target < ${TARGET_GROWTH_MIB} MiB: ${growth < TARGET_GROWTH_MIB * MiB ? "met" : "MISSED"}.`);
    console.log(`Time: export ÷ COPY floor = ${(result.totalMs / result.copyMs).toFixed(2)}× (the export also formats, guards, hashes, writes a file and audits).`);
  } finally {
    if (!options.existing) await withClient(target.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${target.name} WITH (FORCE)`));
  }
}

// ─── The child: the portal's route in a fresh process ───────────────────────

const NEXT_HEADERS_STUB = `
export async function cookies() { return globalThis.__benchExport.cookies(); }
export async function headers() { return globalThis.__benchExport.headers(); }
export async function draftMode() { return { isEnabled: false }; }`;
const HOOKS = `
export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export%20%7B%7D", shortCircuit: true };
  if (specifier === "next/headers") return { url: ${JSON.stringify(`data:text/javascript,${encodeURIComponent(NEXT_HEADERS_STUB)}`)}, shortCircuit: true };
  return next(specifier, context);
}`;

type BenchGlobal = typeof globalThis & { __benchExport?: { cookies(): unknown; headers(): Headers } };

/** The largest RSS seen while `work` runs: sampled every 5 ms, and the kernel's high-water mark if it rose meanwhile. */
async function peakRssDuring<T>(work: () => Promise<T>): Promise<{ value: T; peak: number; atPeak: NodeJS.MemoryUsage }> {
  let peak = process.memoryUsage.rss();
  let atPeak = process.memoryUsage();
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) {
      peak = rss;
      atPeak = process.memoryUsage();
    }
  }, 5);
  const highWaterBefore = process.resourceUsage().maxRSS * 1024;
  try {
    const value = await work();
    const highWaterAfter = process.resourceUsage().maxRSS * 1024;
    if (highWaterAfter > highWaterBefore) peak = Math.max(peak, highWaterAfter);
    return { value, peak: Math.max(peak, process.memoryUsage.rss()), atPeak };
  } finally {
    clearInterval(sampler);
  }
}

async function child(options: { rows: number }): Promise<void> {
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
  const { NextRequest } = await import("next/server");
  const { GET } = await import("../app/api/v1/events/export/route");
  const { getDatabase } = await import("../server/db/client");
  const { EVENT_ROW_COLUMNS } = await import("../server/telemetry/event-dto");
  const { signInForTest } = await import("../test/sessions");
  const { to: copyTo } = await import("pg-copy-streams");

  const database = await getDatabase();
  const token = await signInForTest(database.prisma, VIEWER_EMAIL, { purpose: "evaluate_product" });
  (globalThis as BenchGlobal).__benchExport = {
    cookies: () => ({ get: (name: string) => (name === "authjs.session-token" ? { name, value: token } : undefined) }),
    headers: () => new Headers({ "user-agent": "bench-export", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
  };

  /** One export through the route, read to the end like a client; checks the served hash against the header. */
  const exportOnce = async (query: string) => {
    const started = performance.now();
    const response = await GET(new NextRequest(`http://localhost/api/v1/events/export?${query}`));
    if (response.status !== 200 || !response.body) throw new Error(`the export answered ${response.status}: ${await response.text()}`);
    const hash = createHash("sha256");
    let firstByteMs = Number.NaN;
    let bytes = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
      hash.update(chunk);
      bytes += chunk.length;
    }
    const totalMs = performance.now() - started;
    if (hash.digest("hex") !== response.headers.get("x-export-sha256")) throw new Error("the served file does not match X-Export-Sha256");
    return { firstByteMs, totalMs, bytes, rowCount: Number(response.headers.get("x-export-row-count")) };
  };

  // Warm up: modules, connections, the gate, a small export.
  await exportOnce("kind=error&range=24h");
  await exportOnce("kind=error&range=24h");
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baselineRss = process.memoryUsage.rss();

  const measured = await peakRssDuring(() => exportOnce(""));
  if (measured.value.rowCount !== options.rows) throw new Error(`the export held ${measured.value.rowCount} rows, not ${options.rows}: seed more --events`);

  // The floor: the same columns, order and row count, straight out of PostgreSQL.
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  let copyBytes = 0;
  const copyStartRss = process.memoryUsage.rss();
  const copy = await peakRssDuring(async () => {
    const started = performance.now();
    const stream = client.query(
      copyTo(`COPY (SELECT ${EVENT_ROW_COLUMNS.sql} FROM telemetry_event ORDER BY time DESC, id DESC LIMIT ${options.rows}) TO STDOUT (FORMAT csv, HEADER)`),
    );
    const hash = createHash("sha256");
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      copyBytes += chunk.length;
    }
    hash.digest();
    return performance.now() - started;
  });
  await client.end();

  await database.prisma.session.deleteMany({ where: { sessionToken: token } });
  await database.close();
  const result: ChildResult = {
    rowCount: measured.value.rowCount,
    byteLength: measured.value.bytes,
    baselineRss,
    peakRss: measured.peak,
    firstByteMs: measured.value.firstByteMs,
    totalMs: measured.value.totalMs,
    copyMs: copy.value,
    copyBytes,
    copyPeakRss: copy.peak - copyStartRss + baselineRss,
    atPeak: { heapTotal: measured.atPeak.heapTotal, heapUsed: measured.atPeak.heapUsed, external: measured.atPeak.external, arrayBuffers: measured.atPeak.arrayBuffers },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const options = parseOptions();
(options.child ? child(options) : parent(options))
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error instanceof BenchRefusal ? error.message : error);
    process.exit(error instanceof BenchRefusal ? 2 : 1);
  });
