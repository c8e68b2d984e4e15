// npm run bench:receipt [-- --rows 200000 --machine-rows 200]
// What a disclosure receipt costs on PostgreSQL (DATABASE_URL, loopback only),
// in a scratch database next to it (tp_bench_<random>, dropped afterwards):
// `rows` synthetic audit rows (each naming one of 2,000 machines, with 40
// event ids, ~1.8 KB) plus `machine-rows` real rows naming machine X, all
// sealed under one checkpoint. Then, each the median of 3 runs:
//   - the floor: reading every leaf hash up to the checkpoint (one query pass);
//   - buildDisclosureReceipt for X (rows, one pass over the leaves, every proof);
//   - the same proofs the way a proof bundle builds one (a MerkleTree of all leaves);
//   - checkDisclosureIndex (full verification's scan vs index check).
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";
import { buildDisclosureReceipt, checkDisclosureIndex, verifyDisclosureReceipt } from "../server/audit/checkpoints/disclosure-receipt";
import { sealAuditLog } from "../server/audit/checkpoints/seal-audit-log";
import { parseSigningKey, verifierOf } from "../server/audit/checkpoints/signed-note";
import { MerkleTree } from "../server/audit/merkle/merkle";
import { writeAuditEvent } from "../server/audit/write-audit-event";
import { ConfigError, parseEnv } from "../server/config/env";
import { connectDatabase, type Database } from "../server/db/connect";
import { migrateDatabase } from "../server/db/migrate";
import type { PrismaClient } from "../server/db/generated/client";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
class BenchRefusal extends Error {}

const fmt = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function median(label: string, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  const ms = times.sort((a, b) => a - b)[1] as number;
  console.log(`${label.padEnd(58)} ${fmt(ms)} ms`);
  return ms;
}

async function bench(prisma: PrismaClient, scratchUrl: string, rows: number, machineRows: number): Promise<void> {
  const machine = randomBytes(32).toString("hex");
  // Synthetic rows on a chain the portal never uses (63): their hashes are not a valid chain, which the receipt never reads.
  await withClient(scratchUrl, (client) =>
    client.query(
      `INSERT INTO audit_event (chain_id, seq, request_id, action, outcome, event_ids, machine_ids, prev_hash, hash)
       SELECT 63, i, 'bench-' || i, 'events.list', 'allowed',
              ARRAY(SELECT md5(i::text || '-' || j)::uuid::text FROM generate_series(1, 40) j),
              ARRAY['m' || lpad((i % 2000)::text, 63, '0')],
              encode(sha256(((i - 1)::text)::bytea), 'hex'), encode(sha256((i::text)::bytea), 'hex')
         FROM generate_series(1, $1::int) i`,
      [rows],
    ),
  );
  for (let i = 0; i < machineRows; i += 1) {
    await prisma.$transaction(
      (tx) =>
        writeAuditEvent(
          tx,
          {
            requestId: randomUUID(),
            actor: { personId: randomUUID(), email: "viewer@github.example", employer: "github", groups: ["copilot_team"], roles: ["viewer"] },
            actorIp: "127.0.0.1",
            actorUserAgent: "bench",
            action: "events.list",
            outcome: "allowed",
            purpose: "improve_product",
            eventIds: Array.from({ length: 40 }, () => randomUUID()),
            machineIds: [machine, `m${String(i % 2000).padStart(63, "0")}`],
            fieldClasses: ["identifiers", "measurements"],
          },
          { chains: 8 },
        ),
      AUDITED_TRANSACTION,
    );
  }
  await withClient(scratchUrl, (client) => client.query("ANALYZE audit_event"));
  const signer = parseSigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), "bench.example/audit");
  let started = performance.now();
  const sealed = await sealAuditLog(prisma, { signer, directory: null, batchSize: 20_000 });
  console.log(`${fmt(sealed.treeSize)} rows sealed (${fmt(machineRows)} name machine X) in ${fmt((performance.now() - started) / 1000, 1)} s\n`);

  await median("floor: read every leaf hash up to the checkpoint", () =>
    prisma.$queryRaw`SELECT l.leaf_hash FROM audit_merkle_leaf l WHERE l.leaf_index < ${BigInt(sealed.treeSize)} ORDER BY l.leaf_index`,
  );
  await median("the rows naming X (machine_ids @>, the GIN index)", () =>
    prisma.$queryRaw`SELECT row_to_json(e)::text FROM audit_event e WHERE e.machine_ids @> ARRAY[${machine}]::text[]`,
  );
  const plan = await prisma.$queryRaw<Array<{ "QUERY PLAN": string }>>`EXPLAIN SELECT 1 FROM audit_event e WHERE e.machine_ids @> ARRAY[${machine}]::text[]`;
  console.log(`  plan: ${plan.map((row) => row["QUERY PLAN"].trim()).join(" | ").slice(0, 160)}`);
  let receipt = await buildDisclosureReceipt(prisma, machine);
  await median(`buildDisclosureReceipt: ${receipt.rows.length} rows, one leaf pass, every proof`, async () => {
    receipt = await buildDisclosureReceipt(prisma, machine);
  });
  await median(`the same proofs from a MerkleTree of every leaf (bundle-style)`, async () => {
    const leaves = await prisma.$queryRaw<Array<{ leaf_hash: string }>>`
      SELECT l.leaf_hash FROM audit_merkle_leaf l WHERE l.leaf_index < ${BigInt(sealed.treeSize)} ORDER BY l.leaf_index`;
    const tree = new MerkleTree(leaves.map((row) => Buffer.from(row.leaf_hash, "hex")));
    for (const row of receipt.rows) tree.inclusionProof(row.leafIndex);
  });
  started = performance.now();
  const verdict = verifyDisclosureReceipt(receipt, verifierOf(signer));
  console.log(`${"verifyDisclosureReceipt (offline)".padEnd(58)} ${fmt(performance.now() - started)} ms (${verdict.ok ? "verified" : verdict.reason})`);
  console.log(`${"receipt JSON".padEnd(58)} ${fmt(JSON.stringify(receipt).length / 1024)} KB`);
  const check = await checkDisclosureIndex(prisma);
  await median(`checkDisclosureIndex: ${fmt(check.machines)} machines, ${fmt(check.pairs)} pairs, ${check.ok ? "agree" : "DISAGREE"}`, () => checkDisclosureIndex(prisma));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: "string", default: "200000" }, "machine-rows": { type: "string", default: "200" } }, allowPositionals: false });
  const rows = Number(values.rows);
  const machineRows = Number(values["machine-rows"]);
  if (!Number.isSafeInteger(rows) || rows < 1 || !Number.isSafeInteger(machineRows) || machineRows < 1) throw new BenchRefusal("--rows and --machine-rows are whole numbers ≥ 1.");
  const env = parseEnv();
  if (!env.DATABASE_URL) throw new BenchRefusal("bench:receipt needs PostgreSQL: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres).");
  const admin = new URL(env.DATABASE_URL);
  if (!LOOPBACK_HOSTS.has(admin.hostname)) throw new BenchRefusal(`bench:receipt runs against a loopback server only, not ${admin.hostname}.`);
  const name = `tp_bench_${randomBytes(4).toString("hex")}`;
  const scratch = new URL(env.DATABASE_URL);
  scratch.pathname = `/${name}`;
  await withClient(env.DATABASE_URL, (client) => client.query(`CREATE DATABASE ${name}`));
  let database: Database | undefined;
  try {
    console.log(`Scratch database ${name}: migrating, writing ${fmt(rows)} + ${fmt(machineRows)} audit rows…`);
    await migrateDatabase({ env: { ...process.env, DATABASE_URL: scratch.toString() }, log: () => {} });
    database = await connectDatabase({ databaseUrl: scratch.toString(), pgliteDataDir: env.pgliteDataDir, poolSize: 4 });
    await bench(database.prisma, scratch.toString(), rows, machineRows);
  } finally {
    await database?.close();
    await withClient(env.DATABASE_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const known = error instanceof BenchRefusal || error instanceof ConfigError;
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    console.error(known ? message : `bench:receipt failed: ${message}`);
    process.exit(known ? 2 : 1);
  },
);
