// npm run bench:siem [-- --rows 20000 --batch 500]
// How fast a SIEM sink catches up after an outage, on PostgreSQL
// (DATABASE_URL, loopback only), with real receivers on loopback.
//
// Audit rows can never be deleted, so this does not write into the database
// DATABASE_URL names: it creates a scratch database next to it
// (tp_bench_<random>), migrates it, writes --rows audit rows the way the
// portal does (8 clients, 8 chains; each row discloses 25 event ids, like a
// page of the explorer), then, for each sink kind — syslog over TCP and TLS,
// HEC over HTTP and HTTPS — delivers the whole backlog from the beginning to a
// local receiver and prints rows per second. The receivers only parse frames
// and lines, so the figure is the portal's side: reading, mapping, sending,
// moving cursors.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import pino from "pino";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";
import { writeAuditEvent } from "../server/audit/write-audit-event";
import { connectDatabase } from "../server/db/connect";
import { migrateDatabase } from "../server/db/migrate";
import { deliverToSink } from "../server/siem/deliver-audit-rows";
import { createHecSink } from "../server/siem/hec-sink";
import type { SiemSink } from "../server/siem/siem-sink";
import { createSyslogSink } from "../server/siem/syslog-sink";
import { makeTestCertificate, startHecReceiver, startSyslogReceiver } from "../test/siem-receivers";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const WRITERS = 8;

class BenchRefusal extends Error {}

function parseOptions() {
  const { values } = parseArgs({ options: { rows: { type: "string", default: "20000" }, batch: { type: "string", default: "500" } }, allowPositionals: false });
  const rows = Number(values.rows);
  const batch = Number(values.batch);
  if (!Number.isInteger(rows) || rows < 1000 || rows > 1_000_000) throw new BenchRefusal("--rows must be an integer from 1000 to 1000000.");
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new BenchRefusal("--batch must be an integer from 1 to 10000.");
  return { rows, batch };
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new BenchRefusal("bench:siem needs PostgreSQL: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres).");
  const url = new URL(databaseUrl);
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new BenchRefusal(`bench:siem runs against a loopback server only, not ${url.hostname}.`);
  const name = `tp_bench_${randomBytes(4).toString("hex")}`;
  const scratch = new URL(databaseUrl);
  scratch.pathname = `/${name}`;
  await onServer(databaseUrl, `CREATE DATABASE ${name}`);
  const certificate = makeTestCertificate();
  try {
    await migrateDatabase({ env: { ...process.env, DATABASE_URL: scratch.toString(), DATABASE_MIGRATION_URL: "" }, log: () => undefined });
    const db = await connectDatabase({ databaseUrl: scratch.toString(), pgliteDataDir: "(unused)", poolSize: WRITERS + 2 });
    try {
      const writeStarted = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (next < options.rows) {
            next += 1;
            await db.prisma.$transaction(
              (tx) =>
                writeAuditEvent(
                  tx,
                  {
                    requestId: randomUUID(),
                    actor: { personId: randomUUID(), email: "viewer.copilot@github.example", employer: "github", groups: ["copilot_team"], roles: ["viewer"] },
                    actorIp: "203.0.113.7",
                    actorUserAgent: "Mozilla/5.0 (X11; Linux x86_64) bench",
                    action: "events.list",
                    outcome: "allowed",
                    purpose: "improve_product",
                    eventIds: Array.from({ length: 25 }, () => randomUUID()),
                    machineIds: [randomBytes(32).toString("hex")],
                    fieldClasses: ["environment", "measurements"],
                    filters: { kinds: ["completion_shown"], limit: 25 },
                    rowCount: 25,
                  },
                  { chains: 8 },
                ),
              AUDITED_TRANSACTION,
            );
          }
        }),
      );
      const writeSeconds = (performance.now() - writeStarted) / 1000;
      const [{ bytes }] = (await db.prisma.$queryRawUnsafe<Array<{ bytes: number }>>(`SELECT avg(octet_length(row_to_json(e)::text))::float8 AS bytes FROM audit_event e`)) as [{ bytes: number }];
      console.log(`bench:siem on PostgreSQL ${url.host}, scratch database ${name}`);
      console.log(`${options.rows.toLocaleString("en-US")} audit rows written by ${WRITERS} clients in ${writeSeconds.toFixed(1)} s; average row ${Math.round(bytes).toLocaleString("en-US")} bytes as JSON; batches of ${options.batch}\n`);

      const logger = pino({ level: "silent" });
      const syslogTcp = await startSyslogReceiver();
      const syslogTls = await startSyslogReceiver({ tls: certificate });
      const hecHttp = await startHecReceiver({ token: "bench" });
      const hecHttps = await startHecReceiver({ token: "bench", tls: certificate });
      const cases: Array<{ label: string; sink: SiemSink; received: () => number }> = [
        { label: "syslog over TCP", sink: createSyslogSink({ name: "bench-syslog-tcp", target: { transport: "tcp", host: "127.0.0.1", port: syslogTcp.port }, hostname: "bench.example", sdId: "audit@32473", timeoutMs: 30_000 }), received: () => syslogTcp.frames.length },
        { label: "syslog over TLS", sink: createSyslogSink({ name: "bench-syslog-tls", target: { transport: "tls", host: "localhost", port: syslogTls.port }, ca: certificate.cert, hostname: "bench.example", sdId: "audit@32473", timeoutMs: 30_000 }), received: () => syslogTls.frames.length },
        { label: "HEC over HTTP", sink: createHecSink({ name: "bench-hec-http", url: hecHttp.url, token: "bench", host: "bench.example", timeoutMs: 30_000 }), received: () => hecHttp.events.length },
        { label: "HEC over HTTPS", sink: createHecSink({ name: "bench-hec-https", url: hecHttps.url, token: "bench", ca: certificate.cert, host: "bench.example", timeoutMs: 30_000 }), received: () => hecHttps.events.length },
      ];
      console.log("| sink | rows | batches | seconds | rows/s |");
      console.log("| --- | ---: | ---: | ---: | ---: |");
      for (const { label, sink, received } of cases) {
        const started = performance.now();
        const result = await deliverToSink(db.prisma, sink, { sinks: [], start: { kind: "beginning" }, batchSize: options.batch, budgetMs: 3_600_000, leaseSeconds: 600, logger });
        const seconds = (performance.now() - started) / 1000;
        sink.close();
        if (result.outcome !== "caught-up" || received() < options.rows) throw new Error(`${label}: ${result.outcome}, ${received()} of ${options.rows} rows received`);
        console.log(`| ${label} | ${result.delivered.toLocaleString("en-US")} | ${result.batches} | ${seconds.toFixed(1)} | ${Math.round(result.delivered / seconds).toLocaleString("en-US")} |`);
      }
      console.log(`\nAn hour of outage at R audited reads per second catches up in 3600 × R / (rows/s) seconds, 40 s per job run (one run a minute).`);
      for (const receiver of [syslogTcp, syslogTls, hecHttp, hecHttps]) await receiver.close();
    } finally {
      await db.close();
    }
  } finally {
    fs.rmSync(certificate.dir, { recursive: true, force: true });
    await onServer(databaseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof BenchRefusal) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
