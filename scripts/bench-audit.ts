// npm run bench:audit [-- --seconds 5 --events 100000]
// What auditing every read costs, on PostgreSQL (DATABASE_URL, loopback only).
//
// Audit rows can never be deleted, so the benchmark does not write into the
// database DATABASE_URL names: it creates a scratch database next to it
// (tp_bench_<random>, same server and credentials), migrates it, fills it with
// synthetic telemetry_event rows, measures, and drops it.
//
// Measured in one run: one page of 50 events (keyset from a random point in
// time) (a) as a plain query, (a') alone in a transaction, and (b) in a
// transaction with writeAuditEvent, at 1, 8 and 32 concurrent clients, each
// for a fixed duration (in alternating one-second slices, so background load
// skews no column more than another); at 32 clients again with a single audit
// chain; then verifyAuditChain over the rows just written.
import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { ConfigError, parseEnv } from "../server/config/env";
import { writeAuditEvent } from "../server/audit/write-audit-event";
import { verifyAuditChain } from "../server/audit/verify-audit-chain";
import { connectDatabase, type Database } from "../server/db/connect";
import { migrateDatabase } from "../server/db/migrate";
import type { PrismaClient } from "../server/db/generated/client";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";

const CLIENT_COUNTS = [1, 8, 32] as const;
const POOL_SIZE = 40;
const PAGE_SIZE = 50;
const READ_KINDS = ["completion_shown", "completion_accepted", "completion_rejected", "error"];
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

class BenchRefusal extends Error {}

type Cell = { ops: number; seconds: number; perSecond: number; p50: number; p95: number };
type PageRow = { id: string; machine_id: string };

function parseOptions() {
  const { values } = parseArgs({
    options: { seconds: { type: "string", default: "5" }, events: { type: "string", default: "100000" } },
    allowPositionals: false,
  });
  const seconds = Number(values.seconds);
  const events = Number(values.events);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) throw new BenchRefusal("--seconds must be between 0 and 60.");
  if (!Number.isInteger(events) || events < 50_000 || events > 2_000_000) throw new BenchRefusal("--events must be an integer from 50000 to 2000000.");
  return { seconds, events };
}

function scratchDatabaseUrl(databaseUrl: string | undefined): { adminUrl: string; scratchUrl: string; name: string } {
  if (!databaseUrl) throw new BenchRefusal("bench:audit needs PostgreSQL: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres).");
  const url = new URL(databaseUrl);
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new BenchRefusal(`bench:audit runs against a loopback server only, not ${url.hostname}.`);
  const name = `tp_bench_${randomBytes(4).toString("hex")}`;
  const scratch = new URL(databaseUrl);
  scratch.pathname = `/${name}`;
  return { adminUrl: databaseUrl, scratchUrl: scratch.toString(), name };
}

async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Synthetic events, spread over 30 days, all kinds, 500 machines; enough for the index to matter. */
async function insertSyntheticEvents(scratchUrl: string, count: number): Promise<void> {
  await withAdminClient(scratchUrl, async (client) => {
    await client.query(
      `INSERT INTO telemetry_event (id, kind, event_name, time, machine_id, session_id, vscode_version, extension_version, os, os_version, ui_kind, latency_ms, accepted)
       SELECT gen_random_uuid(),
              (enum_range(NULL::event_kind))[1 + i % 8],
              'ghostText.synthetic',
              now() - (i * (interval '30 days' / $1::integer)),
              md5((i % 500)::text),
              md5((i / 40)::text),
              '1.96.0', '1.250.0', 'linux', '6.1', 'desktop',
              (i * 7) % 900,
              CASE WHEN i % 3 = 0 THEN true END
       FROM generate_series(1, $1::integer) AS i`,
      [count],
    );
    await client.query("ANALYZE telemetry_event");
  });
}

async function timeRange(prisma: PrismaClient): Promise<{ oldest: number; newest: number }> {
  const [range] = await prisma.$queryRaw<Array<{ oldest: Date; newest: Date }>>`
    SELECT min(time) AS oldest, max(time) AS newest FROM telemetry_event`;
  if (!range) throw new Error("telemetry_event is empty");
  return { oldest: new Date(range.oldest).getTime(), newest: new Date(range.newest).getTime() };
}

function readPage(client: Pick<PrismaClient, "$queryRaw">, before: Date): Promise<PageRow[]> {
  const cursor = before.toISOString();
  return client.$queryRaw<PageRow[]>`
    SELECT id, kind, event_name, time, machine_id, session_id, vscode_version, os, latency_ms, accepted
    FROM telemetry_event
    WHERE kind = ANY(${READ_KINDS}::event_kind[])
      AND (time, id) < (${cursor}::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)
    ORDER BY time DESC, id DESC
    LIMIT ${PAGE_SIZE}`;
}

function makeOperations(prisma: PrismaClient, range: { oldest: number; newest: number }) {
  const randomCursor = () => new Date(range.oldest + Math.random() * (range.newest - range.oldest));
  const unaudited = async () => {
    await readPage(prisma, randomCursor());
  };
  // The same read in an interactive transaction: separates what the
  // transaction costs from what the audit row costs.
  const inTransaction = async () => {
    const before = randomCursor();
    await prisma.$transaction((tx) => readPage(tx, before), AUDITED_TRANSACTION);
  };
  const audited = (chains: number) => async () => {
    const before = randomCursor();
    await prisma.$transaction(async (tx) => {
      const rows = await readPage(tx, before);
      await writeAuditEvent(
        tx,
        {
          requestId: randomUUID(),
          actor: { personId: "00000000-0000-4000-8000-00000000be0c", email: "bench@example.com", employer: "github", groups: ["copilot_team"], roles: ["viewer"] },
          actorIp: "127.0.0.1",
          actorUserAgent: "bench-audit",
          action: "events.list",
          outcome: "allowed",
          purpose: "evaluate_product",
          eventIds: rows.map((row) => row.id),
          machineIds: [...new Set(rows.map((row) => row.machine_id))],
          fieldClasses: ["identifiers", "environment", "measurements"],
          filters: { kinds: READ_KINDS, before: before.toISOString(), limit: PAGE_SIZE },
          rowCount: rows.length,
        },
        { chains },
      );
    }, AUDITED_TRANSACTION);
  };
  return { unaudited, inTransaction, audited };
}

type Sample = { latencies: number[]; seconds: number };

/** `clients` loops, each running `operation` back to back until the deadline. */
async function run(operation: () => Promise<void>, clients: number, seconds: number, into: Sample): Promise<void> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const begun = performance.now();
        await operation();
        into.latencies.push(performance.now() - begun);
      }
    }),
  );
  into.seconds += (performance.now() - started) / 1000;
}

/**
 * Runs each operation for `seconds` in total, alternating one-second slices,
 * so that load from elsewhere on the machine hits all of them alike.
 */
async function measure(operations: Array<() => Promise<void>>, clients: number, seconds: number): Promise<Cell[]> {
  const samples = operations.map((): Sample => ({ latencies: [], seconds: 0 }));
  const slices = Math.max(1, Math.round(seconds));
  for (let slice = 0; slice < slices; slice += 1) {
    for (const [index, operation] of operations.entries()) {
      const sample = samples[index];
      if (sample) await run(operation, clients, seconds / slices, sample);
    }
  }
  return samples.map(({ latencies, seconds: elapsed }) => {
    latencies.sort((a, b) => a - b);
    return { ops: latencies.length, seconds: elapsed, perSecond: latencies.length / elapsed, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
  });
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const fmt = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (value: number) => `${fmt(value, 1)} ms`;

type Row = { clients: number; plain: Cell; inTransaction: Cell; audited: Cell };

function printTable(rows: Row[], chains: number): void {
  const header = [
    "clients",
    "unaudited reads/s", "p50", "p95",
    "in a transaction", "p50", "p95",
    `audited (${chains} chains)`, "p50", "p95",
    "audited/unaudited",
  ];
  const lines = rows.map(({ clients, plain, inTransaction, audited }) => [
    String(clients),
    ...[plain, inTransaction, audited].flatMap((cell) => [fmt(cell.perSecond), ms(cell.p50), ms(cell.p95)]),
    fmt(audited.perSecond / plain.perSecond, 2),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)));
  const render = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join("  ");
  console.log(render(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of lines) console.log(render(line));
}

async function bench(database: Database, seconds: number, chains: number): Promise<void> {
  const prisma = database.prisma;
  const operations = makeOperations(prisma, await timeRange(prisma));

  console.log(`Warming up…`);
  const compared = [operations.unaudited, operations.inTransaction, operations.audited(chains)];
  await measure(compared, 8, 2);

  const rows: Row[] = [];
  for (const clients of CLIENT_COUNTS) {
    const [plain, inTransaction, audited] = await measure(compared, clients, seconds);
    if (plain && inTransaction && audited) rows.push({ clients, plain, inTransaction, audited });
  }
  console.log("");
  printTable(rows, chains);

  // The single-chain case is measured against its own baseline, in the same slices.
  const maxClients = CLIENT_COUNTS[CLIENT_COUNTS.length - 1] ?? 32;
  const [plain, manyChains, oneChain] = await measure(
    [operations.unaudited, operations.audited(chains), operations.audited(1)],
    maxClients,
    seconds,
  );
  if (plain && manyChains && oneChain) {
    console.log(
      `\nAt ${maxClients} clients, once more: unaudited ${fmt(plain.perSecond)} reads/s; ` +
        `AUDIT_CHAINS=${chains}: ${fmt(manyChains.perSecond)} reads/s (p50 ${ms(manyChains.p50)}, p95 ${ms(manyChains.p95)}, ratio ${fmt(manyChains.perSecond / plain.perSecond, 2)}); ` +
        `AUDIT_CHAINS=1: ${fmt(oneChain.perSecond)} reads/s (p50 ${ms(oneChain.p50)}, p95 ${ms(oneChain.p95)}, ratio ${fmt(oneChain.perSecond / plain.perSecond, 2)}).`,
    );
  }

  const started = performance.now();
  const verification = await verifyAuditChain(prisma);
  const verifySeconds = (performance.now() - started) / 1000;
  console.log(
    `\nverifyAuditChain: ${verification.ok ? "intact" : `FAILED (${verification.firstFailure?.reason})`}, ` +
      `${fmt(verification.rowsChecked)} rows in ${verification.chains} chains in ${fmt(verifySeconds, 2)} s (${fmt(verification.rowsChecked / verifySeconds)} rows/s).`,
  );
}

async function main(): Promise<void> {
  const { seconds, events } = parseOptions();
  const env = parseEnv();
  const { adminUrl, scratchUrl, name } = scratchDatabaseUrl(env.DATABASE_URL);

  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  let database: Database | undefined;
  try {
    console.log(`Scratch database ${name}: migrating and inserting ${fmt(events)} synthetic events…`);
    await migrateDatabase({ env: { ...process.env, DATABASE_URL: scratchUrl }, log: () => {} });
    await insertSyntheticEvents(scratchUrl, events);
    database = await connectDatabase({ databaseUrl: scratchUrl, pgliteDataDir: env.pgliteDataDir, poolSize: POOL_SIZE });
    console.log(`PostgreSQL ${await serverVersion(database.prisma)}, pool ${POOL_SIZE}, ${seconds} s per cell, page of ${PAGE_SIZE} events.`);
    await bench(database, seconds, env.AUDIT_CHAINS);
  } finally {
    await database?.close();
    await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

async function serverVersion(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRaw<Array<{ server_version: string }>>`SHOW server_version`;
  return row?.server_version ?? "?";
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const known = error instanceof BenchRefusal || error instanceof ConfigError;
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    console.error(known ? message : `bench:audit failed: ${message}`);
    process.exit(known ? 2 : 1);
  },
);
