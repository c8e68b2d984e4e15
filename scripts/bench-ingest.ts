// npm run bench:ingest [-- --seconds 4]
// How fast telemetry intake is, on PostgreSQL (DATABASE_URL, loopback only).
//
// The benchmark does not write into the database DATABASE_URL names: it
// creates a scratch database next to it (tp_bench_<random>, same server and
// credentials), migrates it, seeds the demo access list (which holds the demo
// ingestion key), measures, and drops it.
//
// Measured in one run, for batches of 1, 100 and 1,000 envelopes, each cell
// for a fixed time (--seconds) with one sequential client:
//   route     POST of the /v2/track route module, called in-process with a
//             Request (JSON array body, as @vscode/extension-telemetry sends):
//             body reading, parsing, key lookup, normalization, geolocation,
//             sealing, the INSERT … ON CONFLICT, the reply
//   INSERT    the same rows, already normalized and sealed, as one plain
//             multi-row parameterized INSERT per batch
//   COPY      the same rows, already normalized and sealed, as one COPY per
//             batch (the floor: the least a database write of them costs)
// Envelopes are realistic Copilot events (server/seed/generate-events.ts,
// content included) turned into Application Insights envelopes; every request
// carries new events (no conflicts), from a public address (geolocated).
//
// The route module imports "server-only", which only resolves inside React
// Server Components; the script re-runs itself under Node's `react-server`
// condition, where it is an empty module (as in the Next.js server).
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { type SeedEvent, generateEvents } from "../server/seed/generate-events";
import { copyText, textArrayLiteral } from "../server/seed/write-events";

const BATCH_SIZES = [1, 100, 1_000] as const;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const SENDER_IP = "81.2.69.160";

class BenchRefusal extends Error {}

if (!process.execArgv.some((arg) => arg.includes("react-server"))) {
  const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: process.env,
  });
  process.exit(result.status ?? 1);
}

function parseOptions() {
  const { values } = parseArgs({ options: { seconds: { type: "string", default: "4" } }, allowPositionals: false });
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 30) throw new BenchRefusal("--seconds must be between 0 and 30.");
  return { seconds };
}

function scratchDatabase(databaseUrl: string | undefined): { adminUrl: string; scratchUrl: string; name: string } {
  if (!databaseUrl) throw new BenchRefusal("bench:ingest needs PostgreSQL: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres).");
  const url = new URL(databaseUrl);
  if (!["postgresql:", "postgres:"].includes(url.protocol)) throw new BenchRefusal("DATABASE_URL must be a postgresql:// URL.");
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new BenchRefusal(`bench:ingest runs against a loopback server only, not ${url.hostname}.`);
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

type Cell = { events: number; perSecond: number; p50Ms: number };

/** Events per second of time spent in the measured calls (the client's own preparation excluded), and the median call. */
function summarize(events: number, latencies: number[]): Cell {
  const busyMs = latencies.reduce((sum, latency) => sum + latency, 0);
  latencies.sort((a, b) => a - b);
  return { events, perSecond: busyMs > 0 ? (events * 1000) / busyMs : 0, p50Ms: latencies[Math.floor(latencies.length / 2)] ?? 0 };
}

async function main(): Promise<void> {
  const { seconds } = parseOptions();
  const target = scratchDatabase(process.env.DATABASE_URL);

  // Everything below reads its configuration from the environment on first use.
  process.env.DATABASE_URL = target.scratchUrl;
  process.env.INGEST_RATE_LIMIT_PER_SECOND = "0"; // measure the intake, not the limiter
  process.env.CONTENT_ENCRYPTION_KEYS ||= `bench:${randomBytes(32).toString("base64")}`;
  process.env.AUTH_SECRET ||= randomBytes(32).toString("base64url");

  const { migrateDatabase } = await import("../server/db/migrate");
  const { sqlRunner, writeDemoAccess } = await import("../server/seed/demo-access");
  const { DEMO_INGESTION_KEY } = await import("../server/ingest/demo-ingestion-key");
  const { readEnvelope } = await import("../server/ingest/app-insights");
  const { readMapping } = await import("../server/ingest/mapping");
  const { normalizeEvent } = await import("../server/ingest/normalize");
  const { INSERT_COLUMNS, toInsertRow } = await import("../server/ingest/store-events");
  const { getDatabase } = await import("../server/db/client");
  const { parseEnv } = await import("../server/config/env");

  let routeLoaded = false;
  await withClient(target.adminUrl, (client) => client.query(`CREATE DATABASE ${target.name}`));
  try {
    await migrateDatabase({ env: { ...process.env, DATABASE_URL: target.scratchUrl }, log: () => undefined });
    const keyId = await withClient(target.scratchUrl, async (client) => {
      await writeDemoAccess(sqlRunner(client));
      const { rows } = await client.query<{ id: string }>(`SELECT id::text AS id FROM ingestion_key LIMIT 1`);
      return rows[0]!.id;
    });
    const { POST } = await import("../app/v2/track/route");
    routeLoaded = true;

    // Distinct envelopes, generated as they are needed.
    const events = generateEvents({ count: 50_000_000, seed: 7, days: 30 });
    const take = (n: number) => {
      const batch: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const next = events.next();
        if (next.done) throw new BenchRefusal("ran out of distinct envelopes; use fewer --seconds");
        batch.push(encodeEnvelope(next.value, DEMO_INGESTION_KEY));
      }
      return batch;
    };
    const mapping = await withClient(target.scratchUrl, (client) => readMapping(async (sql) => (await client.query<Record<string, unknown>>(sql)).rows));
    const contentKeys = parseEnv().CONTENT_ENCRYPTION_KEYS!;
    const location = { country: "GB", region: "England", city: "Bracknell" };
    /** The rows the route would store for these envelopes, with fresh ids (the route already stored the originals). */
    const normalizedRows = (envelopes: unknown[]) =>
      envelopes.map((item) => {
        const envelope = readEnvelope(item, new Date());
        if (!envelope.ok) throw new Error(envelope.message);
        return toInsertRow(normalizeEvent(envelope.event, { id: randomUUID(), sourceId: keyId, mapping, location }), contentKeys);
      });

    // Warm up: route module, database connection, geolocation reader, mapping cache.
    await POST(trackRequest(JSON.stringify(take(10))));

    const results: Array<{ batch: number; route: Cell; insert: Cell; copy: Cell }> = [];
    const floorClient = new pg.Client({ connectionString: target.scratchUrl });
    await floorClient.connect();
    try {
      for (const batch of BATCH_SIZES) {
        // route
        const routeLatencies: number[] = [];
        let routeEvents = 0;
        const routeBatches: unknown[][] = [];
        let started = performance.now();
        while (performance.now() - started < seconds * 1000) {
          const envelopes = take(batch);
          const body = JSON.stringify(envelopes);
          const t0 = performance.now();
          const response = await POST(trackRequest(body));
          const reply = (await response.json()) as { itemsAccepted: number };
          routeLatencies.push(performance.now() - t0);
          if (response.status !== 200 || reply.itemsAccepted !== batch) throw new Error(`the route answered ${response.status}: ${JSON.stringify(reply)}`);
          routeEvents += batch;
          routeBatches.push(envelopes);
        }
        const route = summarize(routeEvents, routeLatencies);

        // The same rows for the floors, prepared (normalized, sealed) outside the timing.
        const prepared = routeBatches.map(normalizedRows);

        // INSERT: one multi-row parameterized statement per batch
        const insertLatencies: number[] = [];
        let insertEvents = 0;
        started = performance.now();
        for (const rows of prepared) {
          if (performance.now() - started >= seconds * 1000) break;
          const t0 = performance.now();
          const values: unknown[] = [];
          const tuples = rows.map((row) => {
            const placeholders = INSERT_COLUMNS.map((column) => {
              values.push(column === "content_ciphertext" && row.content_ciphertext ? Buffer.from(String(row.content_ciphertext), "hex") : jsonParam(row[column]));
              return `$${values.length}`;
            });
            return `(${placeholders.join(", ")})`;
          });
          await floorClient.query(`INSERT INTO telemetry_event (${INSERT_COLUMNS.join(", ")}) VALUES ${tuples.join(", ")}`, values);
          insertLatencies.push(performance.now() - t0);
          insertEvents += rows.length;
        }
        const insert = summarize(insertEvents, insertLatencies);

        // COPY: one COPY per batch, fresh ids again
        const copyLatencies: number[] = [];
        let copyEvents = 0;
        started = performance.now();
        for (const rows of prepared) {
          if (performance.now() - started >= seconds * 1000) break;
          const t0 = performance.now();
          const text = rows.map((row) => copyLine(INSERT_COLUMNS, { ...row, id: randomUUID() })).join("");
          const stream = floorClient.query(copyFrom(`COPY telemetry_event (${INSERT_COLUMNS.join(", ")}) FROM STDIN`));
          await new Promise<void>((resolve, reject) => {
            stream.on("error", reject);
            stream.on("finish", resolve);
            stream.end(text);
          });
          copyLatencies.push(performance.now() - t0);
          copyEvents += rows.length;
        }
        const copy = summarize(copyEvents, copyLatencies);
        results.push({ batch, route, insert, copy });
      }
    } finally {
      await floorClient.end();
    }

    const fmt = (value: number) => Math.round(value).toLocaleString("en-US").padStart(9);
    const ms = (value: number) => value.toFixed(1).padStart(7);
    console.log(`\nbench:ingest — PostgreSQL at ${new URL(target.adminUrl).host}, ${seconds} s per cell, one sequential client`);
    console.log("events/s (median ms per batch)");
    console.log("batch  |  /v2/track route        |  multi-row INSERT       |  COPY (floor)           | route / COPY");
    for (const { batch, route, insert, copy } of results) {
      console.log(
        `${String(batch).padStart(5)}  | ${fmt(route.perSecond)} (${ms(route.p50Ms)}) | ${fmt(insert.perSecond)} (${ms(insert.p50Ms)}) | ${fmt(copy.perSecond)} (${ms(copy.p50Ms)}) | ${(route.perSecond / copy.perSecond).toFixed(2)}`,
      );
    }
    console.log("(events/s over the time spent in the calls; route: the whole intake of each batch; INSERT, COPY: the same rows, already normalized and sealed)");
  } finally {
    if (routeLoaded) await (await getDatabase()).close();
    await withClient(target.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${target.name} WITH (FORCE)`));
  }
}

/** A generated Copilot event as @vscode/extension-telemetry would send it (an Application Insights envelope). */
function encodeEnvelope(event: SeedEvent, iKey: string): unknown {
  const properties: Record<string, string> = {
    "common.extname": event.extensionName,
    "common.extversion": event.extensionVersion,
    "common.vscodemachineid": event.machineId,
    "common.vscodesessionid": event.sessionId,
    "common.vscodeversion": event.vscodeVersion,
    "common.uikind": event.uiKind,
    "common.remotename": "none",
    "common.os": event.os,
    "common.platformversion": event.osVersion,
    "common.product": event.uiKind,
    "common.isnewappinstall": "false",
    "common.nodeArch": "x64",
    "common.telemetryclientversion": "1.5.2",
  };
  const measurements = { ...event.measurements } as Record<string, number>;
  const text = (name: string, value: string | null) => {
    if (value !== null) properties[name] = value;
  };
  const number = (name: string, value: number | null | undefined) => {
    if (value !== null && value !== undefined) measurements[name] = value;
  };
  text("completionId", event.completionId);
  text("languageId", event.languageId);
  text("errorKind", event.errorKind);
  text("redactionFilter", event.redactionFilter);
  if (event.accepted !== null) properties.accepted = String(event.accepted);
  if (event.postProcessing.length > 0) properties.postProcessing = event.postProcessing.join(",");
  for (const [name, value] of Object.entries(event.errorContext ?? {})) {
    if (typeof value === "number") measurements[name] = value;
    else properties[name] = String(value);
  }
  number("latencyMs", event.latencyMs);
  number("meanProb", event.modelCertainty);
  number("suggestionCount", event.suggestionCount);
  number("compCharLen", event.suggestionCharLength);
  number("persistenceCheckSec", event.persistenceCheckSec);
  number("persistenceRatio", event.persistenceRatio);
  const content = event.content;
  if (content) {
    text("prefix", content.prefix ?? null);
    text("suffix", content.suffix ?? null);
    text("persistedText", content.persistedText ?? null);
    if (content.suggestions) properties.suggestions = JSON.stringify(content.suggestions);
    if (content.editorState) {
      text("relativePath", content.editorState.relativePath ?? null);
      number("line", content.editorState.line);
      number("character", content.editorState.character);
      number("lineCount", content.editorState.lineCount);
    }
  }
  return {
    time: event.time.toISOString(),
    iKey,
    name: `Microsoft.ApplicationInsights.${iKey.replaceAll("-", "")}.Event`,
    tags: { "ai.user.id": event.machineId, "ai.user.authUserId": event.machineId, "ai.session.id": event.sessionId, "ai.internal.sdkVersion": "javascript:3.4.4" },
    data: { baseType: "EventData", baseData: { ver: 2, name: `GitHub.copilot/${event.eventName}`, properties, measurements } },
  };
}

/** One row (as the intake's INSERT reads it) in COPY text format. */
function copyLine(columns: readonly string[], row: Record<string, unknown>): string {
  return (
    columns
      .map((column) => {
        const value = row[column];
        if (value === null || value === undefined) return "\\N";
        if (column === "content_ciphertext") return `\\\\x${String(value)}`;
        if (Array.isArray(value)) return copyText(textArrayLiteral(value as string[]));
        if (typeof value === "object") return copyText(JSON.stringify(value));
        if (typeof value === "boolean") return value ? "t" : "f";
        return copyText(String(value));
      })
      .join("\t") + "\n"
  );
}

function trackRequest(body: string): Request {
  return new Request("http://localhost:3000/v2/track", {
    method: "POST",
    headers: { "content-type": "application/json", "x-portal-client-ip": SENDER_IP },
    body,
  });
}

/** pg sends objects as JSON already; arrays must stay arrays (text[]), plain objects become JSON text for jsonb. */
function jsonParam(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value;
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error instanceof BenchRefusal ? error.message : error);
    process.exit(1);
  });
