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
// chain. Then verification, on --audit-rows more synthetic audit rows shaped
// like real list rows (100–180 disclosed event ids each, ~5.8 KB), in one
// run on the same rows, alternating rounds: the floor (COPY the rows out and
// SHA-256 each row's bytes in Node), full chain verification (COPY-streamed,
// server/audit/copy-walk.ts) and the ratio, the old batch walk for reference,
// the full trail (chains + Merkle log + checkpoints), an incremental
// verification after --new-rows new rows, and the figures for keeping
// disclosed event ids in the hashed row vs. a hashed side table.
// --verify-only skips the read benchmark; --reads-only skips verification.
// The read benchmark ends with the portal itself over HTTP against a plain
// Node + pg floor (scripts/bench/audit-http.ts; needs `npm run build`).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { ConfigError, parseEnv } from "../server/config/env";
import { writeAuditEvent } from "../server/audit/write-audit-event";
import { generateKeyPairSync } from "node:crypto";
import { verifyAuditChain } from "../server/audit/verify-audit-chain";
import { canonicalAuditRow, genesisHash, hashAuditRow, type AuditRowContent } from "../server/audit/canonical";
import { copyAndHashFloor } from "../server/audit/copy-walk";
import { verifyAuditTrail } from "../server/audit/verify-trail";
import { sealAuditLog } from "../server/audit/checkpoints/seal-audit-log";
import { parseSigningKey, verifierOf } from "../server/audit/checkpoints/signed-note";
import { SESSION_OPTIONS, connectDatabase, type Database } from "../server/db/connect";
import { migrateDatabase } from "../server/db/migrate";
import type { PrismaClient } from "../server/db/generated/client";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";
import { benchAuditHttp } from "./bench/audit-http";

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
    options: {
      seconds: { type: "string", default: "5" },
      events: { type: "string", default: "100000" },
      "audit-rows": { type: "string", default: "50000" },
      "new-rows": { type: "string", default: "1000" },
      "verify-only": { type: "boolean", default: false },
      "reads-only": { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  const seconds = Number(values.seconds);
  const events = Number(values.events);
  const auditRows = Number(values["audit-rows"]);
  const newRows = Number(values["new-rows"]);
  if (!Number.isInteger(auditRows) || auditRows < 1000 || auditRows > 5_000_000) throw new BenchRefusal("--audit-rows must be an integer from 1000 to 5000000.");
  if (!Number.isInteger(newRows) || newRows < 1 || newRows > 100_000) throw new BenchRefusal("--new-rows must be an integer from 1 to 100000.");
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) throw new BenchRefusal("--seconds must be between 0 and 60.");
  if (!Number.isInteger(events) || events < 50_000 || events > 2_000_000) throw new BenchRefusal("--events must be an integer from 50000 to 2000000.");
  return { seconds, events, auditRows, newRows, verifyOnly: values["verify-only"] === true, readsOnly: values["reads-only"] === true };
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

}

// ─── Verification ────────────────────────────────────────────────────────────

const randomUuid = () => randomUUID();

/**
 * Appends `count` audit rows shaped like the explorer's list rows (what makes
 * real rows ~5.8 KB: every disclosed event id), chained and hashed exactly as
 * writeAuditEvent would, inserted in bulk (json_populate_recordset).
 */
async function appendSyntheticAuditRows(scratchUrl: string, count: number, chains: number): Promise<{ canonicalBytes: number; idBytes: number }> {
  let canonicalBytes = 0;
  let idBytes = 0;
  await withAdminClient(scratchUrl, async (client) => {
    const heads = (await client.query<{ chain_id: number; seq: string; hash: string }>("SELECT chain_id, seq::text, hash FROM audit_chain_head ORDER BY chain_id")).rows;
    const state = new Map(heads.map((head) => [head.chain_id, { seq: BigInt(head.seq), hash: head.hash }]));
    const machines = Array.from({ length: 500 }, (_, i) => createHashHex(`machine-${i}`));
    const start = Date.now() - count * 1000;
    const BATCH = 1000;
    for (let done = 0; done < count; done += BATCH) {
      const batch: Array<Record<string, unknown>> = [];
      for (let i = done; i < Math.min(count, done + BATCH); i += 1) {
        const chainId = i % chains;
        const head = state.get(chainId) ?? { seq: 0n, hash: genesisHash(chainId) };
        const eventIds = Array.from({ length: 100 + (i % 81) }, randomUuid);
        const row: AuditRowContent = {
          chainId,
          seq: head.seq + 1n,
          occurredAt: new Date(start + i * 1000),
          requestId: randomUUID(),
          actorPersonId: "00000000-0000-4000-8000-00000000be0c",
          actorEmail: "bench@example.com",
          actorEmployer: "github",
          actorGroups: ["copilot_team"],
          actorRoles: ["viewer"],
          actorIp: "10.1.2.3",
          actorUserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
          action: "events.list",
          outcome: "allowed",
          reason: null,
          purpose: "evaluate_product",
          purposeDetail: null,
          targetType: "telemetry_event",
          targetId: null,
          eventIds,
          machineIds: [...new Set(eventIds.slice(0, 30).map((_, k) => machines[(i + k) % machines.length] as string))],
          fieldClasses: ["identifiers", "environment", "measurements"],
          filters: { kinds: READ_KINDS, limit: eventIds.length, sort: "time_desc", os: "linux" },
          rowCount: eventIds.length,
          fileSha256: null,
          before: null,
          after: null,
          prevHash: head.hash,
        };
        const canonical = canonicalAuditRow(row);
        canonicalBytes += Buffer.byteLength(canonical);
        idBytes += Buffer.byteLength(JSON.stringify(eventIds));
        const hash = hashAuditRow(row);
        state.set(chainId, { seq: row.seq, hash });
        batch.push({
          chain_id: row.chainId, seq: row.seq.toString(), occurred_at: row.occurredAt.toISOString(), request_id: row.requestId,
          actor_person_id: row.actorPersonId, actor_email: row.actorEmail, actor_employer: row.actorEmployer, actor_groups: row.actorGroups,
          actor_roles: row.actorRoles, actor_ip: row.actorIp, actor_user_agent: row.actorUserAgent, action: row.action, outcome: row.outcome,
          purpose: row.purpose, target_type: row.targetType, event_ids: row.eventIds, machine_ids: row.machineIds, field_classes: row.fieldClasses,
          filters: row.filters, row_count: row.rowCount, prev_hash: row.prevHash, hash,
        });
      }
      await client.query(
        `INSERT INTO audit_event (chain_id, seq, occurred_at, request_id, actor_person_id, actor_email, actor_employer, actor_groups, actor_roles, actor_ip,
                                  actor_user_agent, action, outcome, purpose, target_type, event_ids, machine_ids, field_classes, filters, row_count, prev_hash, hash)
         SELECT chain_id, seq, occurred_at, request_id, actor_person_id, actor_email, actor_employer, actor_groups, actor_roles, actor_ip,
                actor_user_agent, action, outcome, purpose, target_type, event_ids, machine_ids, field_classes, filters, row_count, prev_hash, hash
           FROM json_populate_recordset(NULL::audit_event, $1::json)`,
        [JSON.stringify(batch)],
      );
    }
    for (const [chainId, head] of state) {
      if (chainId >= chains) continue;
      await client.query("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE chain_id = $3", [head.seq.toString(), head.hash, chainId]);
    }
    await client.query("ANALYZE audit_event");
  });
  return { canonicalBytes, idBytes };
}

function createHashHex(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 40);
}

type Heads = Array<{ chainId: number; seq: bigint }>;

async function floorRun(client: pg.Client, heads: Heads, columns = "e.*"): Promise<{ rows: number; bytes: number; seconds: number }> {
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  for (const head of heads) {
    const result = await copyAndHashFloor(client, { chainId: head.chainId, afterSeq: 0n, throughSeq: head.seq }, columns);
    rows += result.rows;
    bytes += result.bytes;
  }
  return { rows, bytes, seconds: (performance.now() - started) / 1000 };
}

async function benchVerification(database: Database, scratchUrl: string, options: { auditRows: number; newRows: number; chains: number }): Promise<void> {
  const prisma = database.prisma;
  console.log(`\nVerification: appending ${fmt(options.auditRows)} synthetic list rows (100–180 disclosed event ids each)…`);
  const shape = await appendSyntheticAuditRows(scratchUrl, options.auditRows, options.chains);
  const signer = parseSigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), "bench.example/audit");
  await sealAuditLog(prisma, { signer, directory: null });
  const client = new pg.Client({ connectionString: scratchUrl, options: SESSION_OPTIONS });
  await client.connect();
  try {
    const heads = (await prisma.auditChainHead.findMany({ orderBy: { chainId: "asc" } })).map((head) => ({ chainId: head.chainId, seq: head.seq }));
    const total = heads.reduce((sum, head) => sum + Number(head.seq), 0);
    const [size] = await prisma.$queryRaw<Array<{ table_bytes: bigint }>>`SELECT pg_total_relation_size('audit_event') AS table_bytes`;
    console.log(`${fmt(total)} audit rows in ${heads.length} chains; audit_event ${fmt(Number(size?.table_bytes ?? 0) / 1024 / 1024, 1)} MB on disk.`);

    // Alternating rounds on the same rows: the floor, then verification.
    const rounds = 3;
    const floors: number[] = [];
    const fulls: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const floor = await floorRun(client, heads);
      const started = performance.now();
      const full = await verifyAuditChain(prisma, { copyClient: client });
      const fullSeconds = (performance.now() - started) / 1000;
      if (!full.ok) throw new Error(`verification failed: ${full.firstFailure?.reason}`);
      floors.push(floor.rows / floor.seconds);
      fulls.push(full.rowsChecked / fullSeconds);
      console.log(
        `  round ${round}: COPY + SHA-256 floor ${fmt(floor.rows / floor.seconds)} rows/s (${fmt(floor.bytes / floor.rows)} B/row as COPY sends it); ` +
          `full chain verification ${fmt(full.rowsChecked / fullSeconds)} rows/s (${fmt(full.rowsChecked)} rows in ${fmt(fullSeconds, 2)} s)`,
      );
    }
    const bestFloor = Math.max(...floors);
    const bestFull = Math.max(...fulls);
    console.log(`COPY + SHA-256 floor: ${fmt(bestFloor)} rows/s; full verification: ${fmt(bestFull)} rows/s; ratio ${fmt((100 * bestFull) / bestFloor, 1)}% of the floor (best of ${rounds} alternating rounds).`);

    const batchStarted = performance.now();
    const batch = await verifyAuditChain(prisma);
    const batchSeconds = (performance.now() - batchStarted) / 1000;
    console.log(`For reference, the keyset-batch walk (PGlite's path, and the one before COPY): ${fmt(batch.rowsChecked / batchSeconds)} rows/s.`);

    const verifier = verifierOf(signer);
    const trailStarted = performance.now();
    const trail = await verifyAuditTrail(prisma, { verifier, directory: null, full: true, copyClient: client });
    console.log(
      `Full trail verification (chains, Merkle log, every checkpoint): ${trail.ok ? "intact" : `FAILED (${trail.failures[0]})`}, ${fmt((performance.now() - trailStarted) / 1000, 2)} s; recorded as the resume point.`,
    );

    // Incremental: N new rows written as the portal writes them, sealed, then verified from the resume point.
    for (let i = 0; i < options.newRows; i += 1) {
      await prisma.$transaction(
        (tx) =>
          writeAuditEvent(
            tx,
            {
              requestId: randomUUID(),
              actor: { personId: "00000000-0000-4000-8000-00000000be0c", email: "bench@example.com", employer: "github", groups: ["copilot_team"], roles: ["viewer"] },
              actorIp: "127.0.0.1",
              actorUserAgent: "bench-audit",
              action: "events.list",
              outcome: "allowed",
              purpose: "evaluate_product",
              eventIds: Array.from({ length: 140 }, randomUuid),
              rowCount: 140,
            },
            { chains: options.chains },
          ),
        AUDITED_TRANSACTION,
      );
    }
    await sealAuditLog(prisma, { signer, directory: null });
    for (const [label, copyClient] of [["batch path, as the console's Verify now", undefined], ["COPY path, as npm run audit:verify", client]] as const) {
      const started = performance.now();
      const incremental = await verifyAuditTrail(prisma, { verifier, directory: null, copyClient, persist: false });
      console.log(
        `Incremental verification of ${fmt(options.newRows)} new rows (${label}): ${incremental.ok ? "intact" : `FAILED (${incremental.failures[0]})`}, ` +
          `${fmt(incremental.chains.rowsChecked)} rows and ${fmt(incremental.leavesChecked)} leaves checked in ${fmt((performance.now() - started) / 1000, 3)} s.`,
      );
    }

    // Disclosed ids in the hashed row, or in a hashed side table?
    const withoutIds = await floorRun(client, heads, "e.id, e.chain_id, e.seq, e.occurred_at, e.request_id, e.actor_person_id, e.actor_email, e.actor_employer, e.actor_groups, e.actor_roles, e.actor_ip, e.actor_user_agent, e.action, e.outcome, e.reason, e.purpose, e.purpose_detail, e.target_type, e.target_id, e.machine_ids, e.field_classes, e.filters, e.row_count, e.file_sha256, e.before, e.after, e.prev_hash, e.hash");
    const idsOnly = await floorRun(client, heads, "e.id, e.event_ids");
    const rows = options.auditRows;
    console.log(
      `\nDisclosed event ids: ${fmt(shape.idBytes / rows)} of the ${fmt(shape.canonicalBytes / rows)} canonical bytes per synthetic row (${fmt((100 * shape.idBytes) / shape.canonicalBytes, 0)}%). ` +
        `COPY + SHA-256 of the rows without event_ids: ${fmt(withoutIds.rows / withoutIds.seconds)} rows/s (${fmt(withoutIds.bytes / withoutIds.rows)} B/row); ` +
        `of the ids alone (what a side table would hold): ${fmt(idsOnly.rows / idsOnly.seconds)} rows/s (${fmt(idsOnly.bytes / idsOnly.rows)} B/row).`,
    );
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const { seconds, events, auditRows, newRows, verifyOnly, readsOnly } = parseOptions();
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
    if (!verifyOnly) await bench(database, seconds, env.AUDIT_CHAINS);
    // The portal over HTTP against a plain Node + pg floor (scripts/bench/audit-http.ts).
    if (!verifyOnly) await benchAuditHttp({ scratchUrl, seconds, chains: env.AUDIT_CHAINS, poolSize: env.DATABASE_POOL_SIZE, clientCounts: CLIENT_COUNTS });
    if (!readsOnly) await benchVerification(database, scratchUrl, { auditRows, newRows, chains: env.AUDIT_CHAINS });
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
