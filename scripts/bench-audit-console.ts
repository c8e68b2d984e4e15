// npm run bench:audit-console [-- --rows 1000000] [--keep | --reuse tp_bench_xxxxxxxx]
// What the audit console's overview costs on a large trail, on PostgreSQL
// (DATABASE_URL, loopback only): the page of rows, each facet (GROUP BY …
// LIMIT), the routine count and the charts, beside the floor of one
// sequential scan of the table (count(*)).
//
// Like bench:audit it never writes into DATABASE_URL's database: it creates a
// scratch database next to it (tp_bench_<random>), migrates it, inserts
// synthetic audit rows (about 60% routine, 200 people, 90 days), measures and
// drops it. The rows' hashes are not real: nothing here verifies them.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { auditSearchSchema } from "../lib/audit/audit-query";
import { ConfigError, parseEnv } from "../server/config/env";
import { connectDatabase, type Database } from "../server/db/connect";
import { migrateDatabase } from "../server/db/migrate";
import { auditCharts, facetCounts, loadAuditOverview } from "../server/data/audit/audit-overview";
import { auditPageQuery, auditWhere } from "../server/data/audit/audit-rows";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const REPEATS = 5;

class BenchRefusal extends Error {}

function options() {
  const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" }, keep: { type: "boolean", default: false }, reuse: { type: "string" } }, allowPositionals: false });
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 10_000 || rows > 5_000_000) throw new BenchRefusal("--rows must be an integer from 10000 to 5000000.");
  if (values.reuse !== undefined && !/^tp_bench_[0-9a-f]{8}$/.test(values.reuse)) throw new BenchRefusal("--reuse names a database an earlier --keep run left (tp_bench_xxxxxxxx).");
  return { rows, keep: values.keep, reuse: values.reuse };
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function insertRows(url: string, rows: number): Promise<void> {
  await admin(url, async (client) => {
    await client.query(`
      WITH people AS (SELECT gen_random_uuid() AS id, n FROM generate_series(0, 199) n)
      INSERT INTO audit_event (chain_id, seq, occurred_at, request_id, actor_person_id, actor_email, actor_employer, actor_groups, actor_roles,
                               actor_ip, actor_user_agent, action, outcome, purpose, target_type, event_ids, prev_hash, hash)
      SELECT i % 8, i / 8 + 1, now() - (i * (interval '90 days' / $1::integer)), md5(i::text),
             CASE WHEN i % 10 = 0 THEN NULL ELSE p.id END,
             CASE WHEN i % 10 = 0 THEN NULL ELSE 'person' || p.n || '@github.example' END,
             CASE WHEN i % 10 = 0 THEN NULL ELSE (enum_range(NULL::employer))[1 + p.n % 3] END,
             ARRAY['copilot_team'], ARRAY['viewer'], '10.0.' || (i % 250) || '.' || (i % 200), 'bench',
             a.action,
             CASE WHEN i % 10 = 0 OR i % 37 = 0 THEN 'denied' ELSE 'allowed' END::audit_outcome,
             CASE WHEN a.action LIKE 'events.%' THEN (enum_range(NULL::purpose))[1 + i % 6] END,
             'telemetry_event', CASE WHEN a.action = 'events.list' THEN ARRAY[gen_random_uuid()::text] ELSE '{}' END,
             md5('p' || i), md5('h' || i)
      FROM generate_series(0, $1::integer - 1) i
      JOIN people p ON p.n = (i::bigint * 7919) % 200
      CROSS JOIN LATERAL (SELECT (ARRAY['session.view','session.view','session.view','admin.view','audit.search','audit.search',
                                        'events.list','events.list','events.view','events.chart','events.reveal','events.export',
                                        'auth.sign_in','session.purpose_set','request.refused'])[1 + (i * 31) % 15] AS action) a`,
      [rows],
    );
    await client.query("ANALYZE audit_event");
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(label: string, work: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    await work();
    runs.push(performance.now() - started);
  }
  const ms = median(runs);
  console.log(`  ${label.padEnd(46)} ${ms.toFixed(1).padStart(9)} ms`);
  return ms;
}

async function bench(database: Database, rows: number): Promise<void> {
  const prisma = database.prisma;
  console.log(`${rows.toLocaleString("en-US")} audit rows; median of ${REPEATS} runs each.`);
  await time("floor: SELECT count(*) (one sequential scan)", () => prisma.$queryRaw`SELECT count(*) FROM audit_event`);
  const [person] = await prisma.$queryRaw<Array<{ id: string }>>`SELECT actor_person_id::text AS id FROM audit_event WHERE actor_person_id IS NOT NULL LIMIT 1`;
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const views: Array<[string, Record<string, string>]> = [
    ["default view (routine hidden, no filter)", {}],
    ["one person", { person: person!.id }],
    ["the last 7 days", { from: weekAgo }],
    ["reveals and exports, denied", { action: "events.reveal", outcome: "denied" }],
  ];
  for (const [name, query] of views) {
    console.log(`${name}:`);
    const { cursor, limit, sort, ...filters } = auditSearchSchema.parse(query);
    await time("page of 50 rows", () => prisma.$queryRaw(auditPageQuery(auditWhere(filters), sort, cursor, limit + 1)));
    await time("  of which facets, total and routine count", () => prisma.$transaction((tx) => facetCounts(tx, filters), { timeout: 120_000 }));
    await time("  of which charts", () => prisma.$transaction((tx) => auditCharts(tx, filters, new Date()), { timeout: 120_000 }));
    await time("overview (5 facets, routine count, charts)", () => prisma.$transaction((tx) => loadAuditOverview(tx, filters), { timeout: 120_000 }));
  }
}

async function main(): Promise<void> {
  const { rows: wanted, keep, reuse } = options();
  const env = parseEnv();
  if (!env.DATABASE_URL) throw new BenchRefusal("bench:audit-console needs PostgreSQL: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres).");
  const url = new URL(env.DATABASE_URL);
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new BenchRefusal(`bench:audit-console runs against a loopback server only, not ${url.hostname}.`);
  const name = reuse ?? `tp_bench_${randomBytes(4).toString("hex")}`;
  const scratch = new URL(env.DATABASE_URL);
  scratch.pathname = `/${name}`;
  let database: Database | undefined;
  if (!reuse) await admin(env.DATABASE_URL, (client) => client.query(`CREATE DATABASE ${name}`));
  try {
    if (!reuse) {
      console.log(`Scratch database ${name}: migrating and inserting ${wanted.toLocaleString("en-US")} synthetic audit rows…`);
      await migrateDatabase({ env: { ...process.env, DATABASE_URL: scratch.toString() }, log: () => {} });
      await insertRows(scratch.toString(), wanted);
    }
    database = await connectDatabase({ databaseUrl: scratch.toString(), pgliteDataDir: env.pgliteDataDir, poolSize: 2 });
    const [counted] = await database.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM audit_event`;
    await bench(database, Number(counted?.n));
  } finally {
    await database?.close();
    if (keep || reuse) console.log(`Kept ${name} (--keep): drop it with dropdb when done.`);
    else await admin(env.DATABASE_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

main().catch((error: unknown) => {
  if (error instanceof BenchRefusal || error instanceof ConfigError) {
    console.error(`✖ ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
