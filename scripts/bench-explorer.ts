// npm run bench:explorer [-- --iterations 100 --warmup 10 --min-events 1000000]
//
// How fast the events explorer's list is, and what the portal adds on top of
// the database. Against PostgreSQL (DATABASE_URL, loopback only) holding at
// least 1,000,000 events (npm run db:migrate && npm run db:seed -- --events 1000000).
//
// For five queries (page 1; page 10,000 reached by a keyset cursor; three
// typical filters) at 1 and 8 concurrent clients, it measures three things in
// the same run:
//   floor     the very SQL statements the data layer runs (the page, then the
//             count: planner estimate, bounded exact count when needed), over pg;
//   +audit    the same statements through Prisma in one transaction that also
//             writes the audit row (writeAuditEvent): the floor of an audited read;
//   portal    listEvents() itself: the gate (session → person → grants → policy),
//             the query, the DTOs and the audit row, in one transaction.
// and prints median and p95 of each, with portal ÷ (+audit) and portal ÷ floor.
//
// Then the overviews (issue 14, "Speed: pre-aggregate"), at 1 and 4 clients:
//   charts 30 d  getEventInsights() for the last 30 days (counts and the
//                percentiles' buckets from the per-hour rollups) vs its raw SQL
//                floor: the same charts' GROUP BYs over telemetry_event alone,
//                no rollups, no gate, no audit, over pg;
//   explorer page  listEvents() for the last 30 days (the list alone), then the
//                page as it loads: listEventsWithHistogram(), the list and its
//                histogram in one audited transaction; then that page plus the
//                facets of OS and language (what two opened pickers fetch, each
//                its own audited request), and the overhead ratios of both; and
//                the list with and without its histogram for the last 24 hours.
// `--overviews-only` skips the list table above; `--events N` (or
// --min-events) sets how many events the database must hold: run it on 1M
// and on 10M (or 2M) and compare the ratios.
//
// 1M vs 10M side by side: every run records its medians (portal, and the
// histogram, facets and totals alone) with the event count and the load
// average in `--record FILE` (default .data/bench-explorer/<events>.json); at
// the end it prints the side-by-side table of the smallest and the largest
// recorded sizes when there are two. `--compare A.json B.json` prints that
// table from two records without measuring anything.
//
// It signs in as the seeded Copilot-team viewer with a session row of its own
// (deleted at the end). The audit rows it writes stay: the trail is append-only.
// Bounded: a fixed number of calls per cell, nothing runs in the background.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { register } from "node:module";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import type { TelemetryScope } from "../lib/access/policy";
import type { EventKind } from "../lib/telemetry/vocabulary";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";
import type { Prisma } from "../server/db/generated/client";
import { signInForTest } from "../test/sessions";

// The data layer is written for Next's server: "server-only" marks it, and it
// reads the session cookie and request headers through next/headers. Outside
// Next, this process supplies both: a no-op "server-only" and a next/headers
// whose cookie jar holds this benchmark's session token.
const NEXT_HEADERS_STUB = `
export async function cookies() { return globalThis.__benchExplorer.cookies(); }
export async function headers() { return globalThis.__benchExplorer.headers(); }
export async function draftMode() { return { isEnabled: false }; }`;
const HOOKS = `
export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export%20%7B%7D", shortCircuit: true };
  if (specifier === "next/headers") return { url: ${JSON.stringify(`data:text/javascript,${encodeURIComponent(NEXT_HEADERS_STUB)}`)}, shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);

type BenchGlobal = typeof globalThis & { __benchExplorer?: { cookies(): unknown; headers(): Headers } };

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const VIEWER_EMAIL = "viewer.copilot@github.example";
const CLIENTS = [1, 8] as const;
const DEEP_PAGE = 10_000;
const PAGE_SIZE = 50;

class BenchRefusal extends Error {}

function parseOptions() {
  const { values, positionals } = parseArgs({
    options: {
      iterations: { type: "string", default: "100" },
      warmup: { type: "string", default: "10" },
      "min-events": { type: "string", default: "1000000" },
      events: { type: "string" },
      "overviews-only": { type: "boolean", default: false },
      record: { type: "string" },
      compare: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (values.compare) {
    if (positionals.length !== 2) throw new BenchRefusal("--compare takes two recorded files: --compare A.json B.json");
    return { compare: positionals as [string, string] } as const;
  }
  if (positionals.length > 0) throw new BenchRefusal(`Unexpected argument ${positionals[0]}.`);
  const iterations = Number(values.iterations);
  const warmup = Number(values.warmup);
  // --events N: the database must hold at least N events (say 10000000 for the 10M run; the same as --min-events)
  const minEvents = Number(values.events ?? values["min-events"]);
  if (!Number.isInteger(iterations) || iterations < 16 || iterations > 5_000) throw new BenchRefusal("--iterations must be a whole number from 16 to 5000.");
  if (!Number.isInteger(warmup) || warmup < 0 || warmup > 1_000) throw new BenchRefusal("--warmup must be a whole number from 0 to 1000.");
  if (!Number.isInteger(minEvents) || minEvents < 0) throw new BenchRefusal("--min-events (--events) must be a whole number.");
  return { compare: null, iterations, warmup, minEvents, overviewsOnly: values["overviews-only"] === true, record: values.record };
}

function checkDatabaseUrl(): string {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new BenchRefusal("bench:explorer needs PostgreSQL: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/portal) to a migrated, seeded database.");
  }
  const host = new URL(databaseUrl).hostname;
  if (!LOOPBACK_HOSTS.has(host)) throw new BenchRefusal(`bench:explorer runs against a loopback server only, not ${host}.`);
  return databaseUrl;
}

type Stats = { median: number; p95: number; calls: number };

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

/** `calls` calls of `operation` spread over `clients` concurrent workers; each call timed on its own. */
async function measure(operation: () => Promise<unknown>, clients: number, calls: number, warmup: number): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await operation();
  const durations: number[] = [];
  let remaining = calls;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (remaining > 0) {
        remaining--;
        const started = performance.now();
        await operation();
        durations.push(performance.now() - started);
      }
    }),
  );
  durations.sort((a, b) => a - b);
  return { median: percentile(durations, 0.5), p95: percentile(durations, 0.95), calls: durations.length };
}

// ─── Recording, and the side-by-side table ──────────────────────────────────

/** One run's medians, per measured row (portal side, and the floors), for the side-by-side table. */
type Recorded = { events: number; recordedAt: string; loadAverage: number[]; iterations: number; rows: Array<{ name: string; clients: number; p50: number; p95: number }> };

const recorded: Recorded["rows"] = [];
function record(name: string, clients: number, stats: Stats): void {
  recorded.push({ name, clients, p50: stats.median, p95: stats.p95 });
}

const RECORD_DIR = path.join(".data", "bench-explorer");
const recordedSchema = (value: unknown): Recorded => {
  const candidate = value as Recorded | null;
  if (!candidate || typeof candidate.events !== "number" || !Array.isArray(candidate.rows)) throw new BenchRefusal("Not a bench:explorer record.");
  return candidate;
};

function readRecord(file: string): Recorded {
  try {
    return recordedSchema(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch (error) {
    if (error instanceof BenchRefusal) throw new BenchRefusal(`${file}: ${error.message}`);
    throw new BenchRefusal(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const size = (events: number) => (events >= 1_000_000 ? `${(events / 1_000_000).toFixed(events % 1_000_000 === 0 ? 0 : 1)}M` : `${Math.round(events / 1000)}k`);

/** Medians at the smaller and the larger size, with the ratio, row by row. */
function printSideBySide(a: Recorded, b: Recorded): void {
  const [small, large] = a.events <= b.events ? [a, b] : [b, a];
  const load = (r: Recorded) => r.loadAverage.map((n) => n.toFixed(2)).join(" ");
  console.log("");
  console.log(
    `Side by side: ${small.events.toLocaleString("en-US")} events (${small.recordedAt}, load ${load(small)}) vs ${large.events.toLocaleString("en-US")} (${large.recordedAt}, load ${load(large)}); medians in ms (p95).`,
  );
  const head = `${"".padEnd(44)} ${"clients".padStart(7)} │ ${size(small.events).padStart(18)} │ ${size(large.events).padStart(18)} │ ${"ratio".padStart(7)}`;
  console.log(head);
  const cell = (row: Recorded["rows"][number] | undefined) => (row ? `${row.p50.toFixed(2)} (${row.p95.toFixed(1)})`.padStart(18) : "n/a".padStart(18));
  for (const row of small.rows) {
    const other = large.rows.find((candidate) => candidate.name === row.name && candidate.clients === row.clients);
    console.log(`${row.name.padEnd(44)} ${String(row.clients).padStart(7)} │ ${cell(row)} │ ${cell(other)} │ ${other ? ratio(other.p50, row.p50) : "    n/a"}`);
  }
  if (Math.max(...small.loadAverage, ...large.loadAverage) > os.cpus().length) {
    console.log(`(Load averages above ${os.cpus().length} cores: the two runs were measured at different times under other work; read the ratios with that in mind.)`);
  }
}

function saveAndCompare(file: string | undefined, run: Recorded): void {
  const target = file ?? path.join(RECORD_DIR, `${run.events}.json`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${JSON.stringify(run, null, 2)}\n`);
  console.log("");
  console.log(`Recorded in ${target}.`);
  const dir = path.dirname(target);
  const others = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .flatMap((name) => {
      try {
        return [readRecord(path.join(dir, name))];
      } catch {
        return [];
      }
    })
    .filter((other) => other.events !== run.events);
  if (others.length === 0) {
    console.log(`No other size recorded in ${dir} yet: run it at another size (e.g. 1M and 10M) for the side-by-side table.`);
    return;
  }
  const sorted = [...others, run].sort((x, y) => x.events - y.events);
  printSideBySide(sorted[0]!, sorted.at(-1)!);
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2).padStart(8) : "     n/a");
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×`.padStart(7) : "    n/a");

async function main(): Promise<void> {
  const parsed = parseOptions();
  if (parsed.compare) {
    printSideBySide(readRecord(parsed.compare[0]), readRecord(parsed.compare[1]));
    return;
  }
  const options = parsed;
  const databaseUrl = checkDatabaseUrl();

  // Imported only now, after the hooks above are in place.
  const { listEvents } = await import("../server/data/list-events");
  const { eventListQuerySchema, encodeCursor } = await import("../lib/telemetry/event-query");
  const { telemetryScope } = await import("../lib/access/policy");
  const sqlLayer = await import("../server/telemetry/event-sql");
  const { EVENT_ROW_COLUMNS } = await import("../server/telemetry/event-dto");
  const { getEnv } = await import("../server/config/env");
  const { getDatabase } = await import("../server/db/client");
  const { writeAuditEvent } = await import("../server/audit/write-audit-event");
  const env = getEnv();

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, application_name: "bench-explorer-floor" });
  const database = await getDatabase();
  if (database.kind !== "postgresql") throw new BenchRefusal("bench:explorer measures PostgreSQL; DATABASE_URL did not select it.");
  const prisma = database.prisma;
  let sessionToken: string | null = null;

  try {
    const counted = await pool.query<{ n: string }>("SELECT count(*) AS n FROM telemetry_event");
    const events = Number(counted.rows[0]?.n ?? 0);
    if (events < options.minEvents) {
      throw new BenchRefusal(
        `The database holds ${events.toLocaleString("en-US")} events; the benchmark needs at least ${options.minEvents.toLocaleString("en-US")} (npm run db:seed -- --events 1000000).`,
      );
    }

    // A session of our own for the seeded Copilot-team viewer.
    const person = await prisma.person.findUnique({ where: { email: VIEWER_EMAIL }, include: { grants: { include: { group: true } } } });
    if (!person) throw new BenchRefusal(`The seeded viewer ${VIEWER_EMAIL} is missing; run npm run db:seed first.`);
    // Made as a real sign-in leaves it: the viewer's bound identity, its user row, a session. Purpose
    // improve_product: the one whose scope holds every field class the scenarios filter on (location included).
    sessionToken = await signInForTest(prisma, VIEWER_EMAIL, { purpose: "improve_product" });
    const token = sessionToken;
    (globalThis as BenchGlobal).__benchExplorer = {
      cookies: () => ({ get: (name: string) => (name === "authjs.session-token" ? { name, value: token } : undefined) }),
      headers: () => new Headers({ "user-agent": "bench-explorer", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
    };

    const now = new Date();
    const grants = person.grants.filter((grant) => !grant.revokedAt && grant.expiresAt > now); // grantInForce, in memory
    const scope = telemetryScope({
      roles: grants.flatMap((grant) => (grant.role ? [grant.role] : [])),
      groups: grants.flatMap((grant) => (grant.group ? [{ key: grant.group.key, scope: { eventKinds: grant.group.eventKinds, fieldClasses: grant.group.fieldClasses } }] : [])),
    });

    // Page 10,000 of 50 rows: its cursor is the keyset position of row 499,999 (found once, outside the measurement).
    const deep = await pool.query<{ time: Date; id: string }>("SELECT time, id::text AS id FROM telemetry_event ORDER BY time DESC, id DESC OFFSET $1 LIMIT 1", [
      (DEEP_PAGE - 1) * PAGE_SIZE - 1,
    ]);
    const deepRow = deep.rows[0];
    if (!deepRow) throw new BenchRefusal("Not enough events for a page 10,000.");
    const deepCursor = encodeCursor({ sort: "time_desc", value: deepRow.time.toISOString(), id: deepRow.id });

    const scenarios: Array<{ name: string; input: Record<string, string> }> = [
      { name: "page 1 (newest 50)", input: {} },
      { name: `page ${DEEP_PAGE.toLocaleString("en-US")} (keyset cursor)`, input: { cursor: deepCursor } },
      { name: "errors, last 7 days", input: { kind: "error", range: "7d" } },
      { name: "linux + web UI", input: { os: "linux", uiKind: "web" } },
      { name: "shown, US, latency ≥ 500 ms", input: { kind: "completion_shown", country: "US", latencyMin: "500" } },
    ];

    console.log(
      `bench:explorer — ${events.toLocaleString("en-US")} events on PostgreSQL (loopback), ${options.iterations} calls per cell after ${options.warmup} warm-up calls; ` +
        `page size ${PAGE_SIZE}, exact count up to ${env.EXACT_COUNT_THRESHOLD.toLocaleString("en-US")}, audit chains ${env.AUDIT_CHAINS}. Times in ms.`,
    );
    console.log("");
    console.log(
      `${"query".padEnd(32)} ${"clients".padStart(7)} │ ${"floor p50".padStart(9)} ${"p95".padStart(8)} │ ${"+audit p50".padStart(10)} ${"p95".padStart(8)} │ ${"portal p50".padStart(10)} ${"p95".padStart(8)} │ ${"÷+audit".padStart(7)} ${"÷floor".padStart(7)}`,
    );

    const summary: Array<{ name: string; clients: number; portal: Stats; audited: Stats; floor: Stats }> = [];
    for (const scenario of options.overviewsOnly ? [] : scenarios) {
      const query = eventListQuerySchema.parse(scenario.input);
      const statementsAt = (at: Date) => {
        const plan = sqlLayer.planEventQuery(scope, query.filters, query.sort);
        const where = sqlLayer.listWhere(plan.kinds, query.filters, query.sort, at);
        return { where, page: sqlLayer.pageQuery(EVENT_ROW_COLUMNS, where, query.sort, query.cursor, query.limit + 1) };
      };

      // The floor: the same statements, straight over pg.
      const floor = async () => {
        const statements = statementsAt(new Date());
        const client = await pool.connect();
        try {
          const runner = { $queryRaw: async <T,>(query: typeof statements.page) => (await client.query(query.text, query.values)).rows as T };
          await runner.$queryRaw(statements.page);
          await sqlLayer.countEvents(runner, statements.where, env.EXACT_COUNT_THRESHOLD);
        } finally {
          client.release();
        }
      };

      // The floor of an audited read: the statements and the audit row, in one transaction.
      const floorWithAudit = async () => {
        const statements = statementsAt(new Date());
        await prisma.$transaction(async (tx) => {
          const rows = await tx.$queryRaw<Array<{ id: string; machine_id: string }>>(statements.page);
          await sqlLayer.countEvents(tx, statements.where, env.EXACT_COUNT_THRESHOLD);
          const page = rows.slice(0, query.limit);
          await writeAuditEvent(tx, {
            requestId: randomUUID(),
            actor: { personId: person.id, email: person.email, employer: person.employer, groups: ["copilot_team"], roles: ["viewer"] },
            actorIp: "127.0.0.1",
            actorUserAgent: "bench-explorer",
            action: "events.list",
            outcome: "allowed",
            purpose: "improve_product",
            filters: { bench: scenario.name },
            rowCount: page.length,
            eventIds: page.map((row) => row.id),
            machineIds: [...new Set(page.map((row) => row.machine_id))],
            fieldClasses: ["identifiers", "environment", "location", "measurements"],
          });
        }, AUDITED_TRANSACTION);
      };

      const portal = () => listEvents(scenario.input);

      for (const clients of CLIENTS) {
        const floorStats = await measure(floor, clients, options.iterations, options.warmup);
        const auditedStats = await measure(floorWithAudit, clients, options.iterations, options.warmup);
        const portalStats = await measure(portal, clients, options.iterations, options.warmup);
        summary.push({ name: scenario.name, clients, portal: portalStats, audited: auditedStats, floor: floorStats });
        record(`list: ${scenario.name}`, clients, portalStats);
        record(`list floor: ${scenario.name}`, clients, floorStats);
        console.log(
          `${scenario.name.padEnd(32)} ${String(clients).padStart(7)} │ ${ms(floorStats.median).padStart(9)} ${ms(floorStats.p95)} │ ${ms(auditedStats.median).padStart(10)} ${ms(auditedStats.p95)} │ ${ms(portalStats.median).padStart(10)} ${ms(portalStats.p95)} │ ${ratio(portalStats.median, auditedStats.median)} ${ratio(portalStats.median, floorStats.median)}`,
        );
      }
    }

    await benchOverviews({ pool, scope, options, events });
    saveAndCompare(options.record, { events, recordedAt: new Date().toISOString(), loadAverage: os.loadavg(), iterations: options.iterations, rows: recorded });

    console.log("");
    const worst = summary.reduce((max, row) => Math.max(max, row.portal.median / row.audited.median), 0);
    const page1 = summary.find((row) => row.clients === 1 && row.name.startsWith("page 1 "));
    const deepRowStats = summary.find((row) => row.clients === 1 && row.name.startsWith(`page ${DEEP_PAGE.toLocaleString("en-US")}`));
    console.log(`Portal ÷ (floor + audit insert), median, worst cell: ${worst.toFixed(2)}× (aim: ≤ 3×).`);
    if (page1 && deepRowStats) {
      console.log(
        `Page ${DEEP_PAGE.toLocaleString("en-US")} vs page 1 (portal, 1 client): ${deepRowStats.portal.median.toFixed(2)} ms vs ${page1.portal.median.toFixed(2)} ms median (aim: no slower).`,
      );
    }
  } finally {
    if (sessionToken) await prisma.session.deleteMany({ where: { sessionToken } }).catch(() => undefined);
    await pool.end();
    await database.close();
  }
}

const OVERVIEW_CLIENTS = [1, 4] as const;
type PrismaSql = Prisma.Sql;

/** The charts page, facets and histogram against their floors (see the header). */
async function benchOverviews({
  pool,
  scope,
  options,
  events,
}: {
  pool: pg.Pool;
  scope: TelemetryScope;
  options: { iterations: number; warmup: number };
  events: number;
}): Promise<void> {
  const { getEventInsights } = await import("../server/data/event-insights");
  const { getEventHistogram } = await import("../server/data/event-histogram");
  const { listEventFacets } = await import("../server/data/list-event-facets");
  const { listEvents, listEventsWithHistogram } = await import("../server/data/list-events");
  const { eventFilterQuerySchema } = await import("../lib/telemetry/event-query");
  const sqlLayer = await import("../server/telemetry/event-sql");
  const { Prisma } = await import("../server/db/generated/client");
  const { sql, raw } = Prisma;
  const exactCountThreshold = (await import("../server/config/env")).getEnv().EXACT_COUNT_THRESHOLD;

  const input = { range: "30d" };
  const { filters } = eventFilterQuerySchema.parse(input);
  const plan = sqlLayer.planEventQuery(scope, filters, null);
  const measured = plan.kinds.filter((kind) => scope[kind]?.includes("measurements"));
  const calls = Math.max(16, Math.round(options.iterations / 4));
  const warmup = Math.min(options.warmup, 3);

  // The raw SQL floor of the charts page: its GROUP BYs straight over telemetry_event, no rollups, gate or audit.
  const chartsFloor = async () => {
    const now = new Date();
    const where = (kinds: readonly EventKind[], ...extra: PrismaSql[]) =>
      sqlLayer.and([sqlLayer.kindCondition(kinds), ...sqlLayer.filterConditions(filters, now), ...extra]);
    const day = sql`date_trunc(${raw("'day'")}, time, 'UTC')`;
    const statements = [
      sql`SELECT ${day} AS bucket, kind::text AS kind, count(*)::int AS n FROM telemetry_event WHERE ${where(plan.kinds)} GROUP BY 1, 2`,
      sql`SELECT ${day} AS bucket, count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
          FROM telemetry_event WHERE ${where(measured, sql`latency_ms IS NOT NULL`)} GROUP BY 1`,
      sql`SELECT error_kind, count(*)::int FROM telemetry_event WHERE ${where(measured.includes("error") ? ["error"] : [], sql`error_kind IS NOT NULL`)} GROUP BY 1 ORDER BY 2 DESC LIMIT 50`,
      sql`SELECT coalesce(redaction_filter, '(unspecified)'), count(*)::int FROM telemetry_event WHERE ${where(measured.includes("completion_redacted") ? ["completion_redacted"] : [])} GROUP BY 1 ORDER BY 2 DESC LIMIT 50`,
      sql`SELECT persistence_check_sec, count(*)::int, avg(persistence_ratio), percentile_cont(0.5) WITHIN GROUP (ORDER BY persistence_ratio)
          FROM telemetry_event WHERE ${where(measured.includes("completion_persisted") ? ["completion_persisted"] : [], sql`persistence_check_sec IS NOT NULL AND persistence_ratio IS NOT NULL`)} GROUP BY 1`,
      sql`SELECT DISTINCT machine_id FROM telemetry_event WHERE ${where(plan.kinds)} LIMIT 11`,
    ];
    const client = await pool.connect();
    try {
      for (const statement of statements) await client.query(statement.text, statement.values);
    } finally {
      client.release();
    }
  };

  // two facets of environment fields (OS and language): the seeded viewer's grants do not include location, so country is refused
  const facets = ["os", "languageId"] as const;

  // The list's total as the data layer computes it (planner estimate, bounded exact count), 30 days, over pg.
  const totalsFloor = async () => {
    const where = sqlLayer.listWhere(plan.kinds, filters, null, new Date());
    const client = await pool.connect();
    try {
      await sqlLayer.countEvents({ $queryRaw: async <T,>(query: PrismaSql) => (await client.query(query.text, query.values)).rows as T }, where, exactCountThreshold);
    } finally {
      client.release();
    }
  };

  const explorerPage = () => listEvents(input);
  // the page as it loads: its list and histogram read, and audited, in one transaction
  const explorerWithHistogram = () => listEventsWithHistogram(input);
  // and with two pickers open, each a request of its own
  const explorerWithOverviews = () => Promise.all([listEventsWithHistogram(input), ...facets.map((field) => listEventFacets({ ...input, field }))]);

  console.log("");
  console.log(`Overviews, last 30 days, ${events.toLocaleString("en-US")} events; ${calls} calls per cell after ${warmup} warm-up calls. Times in ms.`);
  console.log(`${"".padEnd(44)} ${"clients".padStart(7)} │ ${"p50".padStart(8)} ${"p95".padStart(8)} │ ${"÷floor".padStart(7)}`);
  const rows: Record<string, Stats> = {};
  for (const clients of OVERVIEW_CLIENTS) {
    const floor = await measure(chartsFloor, clients, calls, warmup);
    const charts = await measure(() => getEventInsights(input), clients, calls, warmup);
    const page = await measure(explorerPage, clients, calls, warmup);
    const withHistogram = await measure(explorerWithHistogram, clients, calls, warmup);
    const withOverviews = await measure(explorerWithOverviews, clients, calls, warmup);
    // the quick range people open most: the last 24 hours (15-minute bars, or hour bars from the rollups past
    // FINE_HISTOGRAM_MAX_EVENTS events)
    const day = { range: "24h" };
    const page24 = await measure(() => listEvents(day), clients, calls, warmup);
    const withHistogram24 = await measure(() => listEventsWithHistogram(day), clients, calls, warmup);
    // The pieces on their own, for the 1M vs 10M table: the histogram, one facet, the list's total (count) alone.
    const histogram = await measure(() => getEventHistogram(input), clients, calls, warmup);
    const facet = await measure(() => listEventFacets({ ...input, field: "os" }), clients, calls, warmup);
    const totals = await measure(totalsFloor, clients, calls, warmup);
    Object.assign(rows, {
      [`floor${clients}`]: floor,
      [`charts${clients}`]: charts,
      [`page${clients}`]: page,
      [`histogramPage${clients}`]: withHistogram,
      [`overviews${clients}`]: withOverviews,
      [`page24h${clients}`]: page24,
      [`histogramPage24h${clients}`]: withHistogram24,
    });
    record("charts page (portal, rollups)", clients, charts);
    record("charts floor (raw SQL)", clients, floor);
    record("explorer page 30 d (list only)", clients, page);
    record("explorer page + histogram (one transaction)", clients, withHistogram);
    record("explorer page + histogram (one tx) + 2 facets", clients, withOverviews);
    record("explorer page 24 h (list only)", clients, page24);
    record("explorer page 24 h + histogram (one transaction)", clients, withHistogram24);
    record("histogram 30 d (portal)", clients, histogram);
    record("facet os 30 d (portal)", clients, facet);
    record("totals: count 30 d (SQL)", clients, totals);
    const line = (name: string, stats: Stats, base?: Stats) =>
      console.log(`${name.padEnd(44)} ${String(clients).padStart(7)} │ ${ms(stats.median)} ${ms(stats.p95)} │ ${base ? ratio(stats.median, base.median) : "".padStart(7)}`);
    line("charts floor (raw SQL over telemetry_event)", floor);
    line("charts page (portal, rollups)", charts, floor);
    line("explorer page (list only)", page);
    line("explorer page + its histogram (one tx)", withHistogram, page);
    line(`  + facets ${facets.join(", ")} (2 pickers open)`, withOverviews, page);
    line("explorer page, last 24 h (list only)", page24);
    line("explorer page, last 24 h + its histogram", withHistogram24, page24);
    line("histogram alone", histogram);
    line("facet (os) alone", facet);
    line("totals: the list's count, 30 d (SQL)", totals);
  }
  const charts4 = rows.charts4!;
  const overhead = (name: "histogramPage" | "overviews" | "histogramPage24h", clients: 1 | 4, base: "page" | "page24h" = "page") =>
    `+${((rows[`${name}${clients}`]!.median / rows[`${base}${clients}`]!.median - 1) * 100).toFixed(0)} %`;
  console.log("");
  console.log(`Charts page, 30 days, 4 clients: p50 ${charts4.median.toFixed(0)} ms (aim: ≤ 300 ms), ${ratio(charts4.median, rows.floor4!.median).trim()} the raw SQL floor.`);
  console.log(`The histogram on an explorer page: ${overhead("histogramPage", 1)} at 1 client, ${overhead("histogramPage", 4)} at 4 (aim: ≤ +50 %).`);
  console.log(`The histogram on a last-24-hours page: ${overhead("histogramPage24h", 1, "page24h")} at 1 client, ${overhead("histogramPage24h", 4, "page24h")} at 4 (aim: ≤ +50 %).`);
  console.log(`With two pickers' facets too: ${overhead("overviews", 1)} at 1 client, ${overhead("overviews", 4)} at 4 (aim: ≤ +50 %).`);
}

main().catch((error: unknown) => {
  if (error instanceof BenchRefusal) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof Error && error.name === "ConfigError") {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
