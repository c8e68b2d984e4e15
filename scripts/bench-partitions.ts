// `npm run bench:partitions` (DATABASE_URL: a PostgreSQL database seeded with
// `npm run db:seed -- --events 1000000`): the measurements behind the
// partitioning choice (docs/ARCHITECTURE.md "Partitioned telemetry").
//
// 1. Monthly (telemetry_event as migrated) against daily partitions of the same
//    rows (a scratch copy, bench_daily, built here and dropped afterwards),
//    with the explorer's indexes: a keyset page (newest 50), a selective filter
//    (one machine, newest 50), and a 30-day aggregate (events per day and kind).
// 2. BRIN against B-tree on time: the one-day aggregate on the monthly table
//    answered by each index alone (the other dropped inside a rolled-back
//    transaction), and the two indexes' sizes.
// Each figure is the median of 7 runs (server-side execution time, EXPLAIN
// ANALYZE), printed with its ratio to the first column.
import pg from "pg";

const RUNS = 7;

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("Set DATABASE_URL to a seeded PostgreSQL database.");
  const client = new pg.Client({ connectionString: url, options: "-c TimeZone=UTC" });
  await client.connect();
  try {
    const [{ n, newest }] = (await client.query<{ n: string; newest: Date }>(`SELECT count(*) AS n, max("time") AS newest FROM telemetry_event`)).rows as [{ n: string; newest: Date }];
    process.stderr.write(`${Number(n).toLocaleString("en-US")} events; building the daily copy…\n`);
    await buildDaily(client, newest);
    const [{ machine_id: machine }] = (await client.query<{ machine_id: string }>(`SELECT machine_id FROM telemetry_event GROUP BY 1 ORDER BY count(*) DESC OFFSET 100 LIMIT 1`)).rows as [{ machine_id: string }];
    const since = new Date(newest.getTime() - 30 * 86_400_000).toISOString();
    const queries = {
      "keyset page (newest 50)": (table: string) => `SELECT id, "time", kind FROM ${table} ORDER BY "time" DESC, id DESC LIMIT 50`,
      "selective filter (one machine, 50)": (table: string) => `SELECT id, "time" FROM ${table} WHERE machine_id = '${machine}' ORDER BY "time" DESC, id DESC LIMIT 50`,
      "30-day aggregate (per day and kind)": (table: string) =>
        `SELECT date_trunc('day', "time") AS day, kind, count(*) FROM ${table} WHERE "time" >= '${since}' GROUP BY 1, 2`,
    };
    console.log(`\nMonthly vs daily partitions, ${Number(n).toLocaleString("en-US")} events (median of ${RUNS}, ms)`);
    console.log("| query | monthly | daily | daily/monthly |\n| --- | ---: | ---: | ---: |");
    for (const [name, sql] of Object.entries(queries)) {
      const monthly = await median(client, sql("telemetry_event"));
      const daily = await median(client, sql("bench_daily"));
      console.log(`| ${name} | ${monthly.toFixed(2)} | ${daily.toFixed(2)} | ${(daily / monthly).toFixed(2)} |`);
    }

    // BRIN vs B-tree: a one-day range on the monthly table, each index alone.
    const dayFrom = new Date(newest.getTime() - 3 * 86_400_000).toISOString();
    const dayTo = new Date(newest.getTime() - 2 * 86_400_000).toISOString();
    const oneDay = `SELECT kind, count(*) FROM telemetry_event WHERE "time" >= '${dayFrom}' AND "time" < '${dayTo}' GROUP BY 1`;
    const brinNames = (await client.query<{ name: string }>(`SELECT partition_name || '_time_brin' AS name FROM telemetry_event_partitions() WHERE NOT is_default`)).rows.map((row) => row.name);
    const withOnly = async (drop: string[]) => {
      await client.query("BEGIN");
      try {
        for (const index of drop) await client.query(`DROP INDEX IF EXISTS ${index}`);
        await client.query("SET LOCAL enable_seqscan = off");
        return await median(client, oneDay);
      } finally {
        await client.query("ROLLBACK");
      }
    };
    const btree = await withOnly(brinNames.map((name) => `telemetry_partitions.${name}`));
    const brin = await withOnly(["telemetry_event_time_id_idx", "telemetry_event_kind_time_id_idx"]);
    const sizes = (
      await client.query<{ brin: string; btree: string }>(
        `SELECT (SELECT sum(pg_relation_size(c.oid)) FROM pg_class c WHERE c.relname LIKE 'telemetry_event_p%_time_brin') AS brin,
                (SELECT sum(pg_relation_size(i.indexrelid)) FROM pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid
                   JOIN pg_class ic ON ic.oid = i.indexrelid
                  WHERE h.inhparent = 'telemetry_event'::regclass AND ic.relname LIKE '%time_id_idx' AND ic.relname NOT LIKE '%kind%') AS btree`,
      )
    ).rows[0]!;
    console.log(`\nBRIN vs B-tree on time, one-day aggregate on the monthly table (median of ${RUNS}, ms)`);
    console.log("| index | ms | size | ms ratio to B-tree |\n| --- | ---: | ---: | ---: |");
    console.log(`| B-tree ("time" DESC, id DESC) | ${btree.toFixed(2)} | ${mib(sizes.btree)} | 1.00 |`);
    console.log(`| BRIN ("time") | ${brin.toFixed(2)} | ${mib(sizes.brin)} | ${(brin / btree).toFixed(2)} |`);
  } finally {
    await client.query("DROP TABLE IF EXISTS bench_daily").catch(() => undefined);
    await client.end();
  }
}

const mib = (bytes: string) => `${(Number(bytes) / 1_048_576).toFixed(2)} MiB`;

async function buildDaily(client: pg.Client, newest: Date): Promise<void> {
  await client.query("DROP TABLE IF EXISTS bench_daily");
  await client.query(`CREATE TABLE bench_daily (LIKE telemetry_event INCLUDING DEFAULTS) PARTITION BY RANGE ("time")`);
  const [{ oldest }] = (await client.query<{ oldest: Date }>(`SELECT min("time") AS oldest FROM telemetry_event`)).rows as [{ oldest: Date }];
  const first = Date.UTC(oldest.getUTCFullYear(), oldest.getUTCMonth(), oldest.getUTCDate());
  for (let day = first; day <= newest.getTime(); day += 86_400_000) {
    const name = `bench_daily_${new Date(day).toISOString().slice(0, 10).replaceAll("-", "")}`;
    await client.query(`CREATE TABLE ${name} PARTITION OF bench_daily FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + 86_400_000).toISOString()}')`);
  }
  await client.query("CREATE TABLE bench_daily_default PARTITION OF bench_daily DEFAULT");
  await client.query("INSERT INTO bench_daily SELECT * FROM telemetry_event");
  await client.query(`CREATE INDEX ON bench_daily ("time" DESC, id DESC)`);
  await client.query(`CREATE INDEX ON bench_daily (machine_id, "time" DESC)`);
  await client.query(`CREATE INDEX ON bench_daily (kind, "time" DESC, id DESC)`);
  await client.query("ANALYZE bench_daily");
}

async function median(client: pg.Client, sql: string): Promise<number> {
  await client.query(sql); // warm
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const result = await client.query<{ "QUERY PLAN": Array<{ "Execution Time": number; "Planning Time": number }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
    const plan = result.rows[0]!["QUERY PLAN"][0]!;
    times.push(plan["Execution Time"] + plan["Planning Time"]);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
