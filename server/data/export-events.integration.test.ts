// The events export streams: rows come from one server-side cursor a batch at
// a time, each batch reaches the temporary file before the next is fetched,
// the served bytes are the ones whose SHA-256 the audit row holds, a failing
// audit insert serves no byte, and an abandoned download leaves no file. On a
// temporary PGlite directory always, and on PostgreSQL when TEST_DATABASE_URL
// is set. The audit failure is a real one: a trigger on audit_event refuses
// the export's allowed row.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getEventsExport } from "@/app/api/v1/events/export/route";
import { EVENT_COLUMN_IDS } from "@/lib/telemetry/event-columns";
import { formatCsvRows } from "@/server/csv/format-csv";
import type { Database } from "@/server/db/connect";
import { signInForTest } from "@/test/sessions";
import { seededTestTargets } from "@/test/test-databases";
import { exportEventsProbed } from "./export-events";
import { listEvents } from "./list-events";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `xtk1:${Buffer.alloc(32, 13).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  process.env.EXPORT_MAX_ROWS = "5000";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest export", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
}));

vi.mock("@/server/db/client", () => ({
  getDatabase: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db;
  },
  getPrisma: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db.prisma;
  },
}));

const EVENT_COUNT = 1_234;
const KEYS = [{ id: "xtk1", key: Buffer.alloc(32, 13) }];
const COPILOT = "viewer.copilot@github.example";
const HEALTH = "viewer.health@github.example";

const targets = seededTestTargets({ label: "streamexp", keys: KEYS, events: EVENT_COUNT, seed: 31 });

/** The export's temporary directories (hashed-file.ts names them tp-export-…). */
function exportDirectories(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith("tp-export-"));
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe.each(targets)("the streaming events export on $name", (target) => {
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  const sql = <T,>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);

  /** SQL as the schema's owner (the PostgreSQL test connects as the least-privilege runtime role). */
  async function asOwner(...statements: string[]): Promise<void> {
    if (!target.migrationUrl) {
      for (const text of statements) await db.prisma.$executeRawUnsafe(text);
      return;
    }
    const client = new pg.Client({ connectionString: target.migrationUrl });
    await client.connect();
    try {
      for (const text of statements) await client.query(text);
    } finally {
      await client.end();
    }
  }

  async function signIn(email: string): Promise<void> {
    state.token = await signInForTest(db.prisma, email, { purpose: "improve_product" });
  }

  it("reads the rows a batch at a time, and each batch is in the file before the next is fetched", async () => {
    await signIn(COPILOT);
    const batches: Array<{ rows: number; bytesWritten: number }> = [];
    const exported = await exportEventsProbed({ sort: "time_asc" }, { batchRows: 100, onBatch: (batch) => batches.push(batch) });
    const bytes = await readAll(exported.body);

    expect(exported.rowCount).toBe(EVENT_COUNT);
    // ceil(1234 / 100) batches: twelve full ones and the last of 34 (a short batch ends the cursor).
    expect(batches.map((batch) => batch.rows)).toEqual([...Array.from({ length: 12 }, () => 100), 34]);
    // The file grew between fetches: batch k was formatted, hashed and written before batch k + 1 was asked for.
    for (let index = 1; index < batches.length; index++) expect(batches[index]!.bytesWritten).toBeGreaterThan(batches[index - 1]!.bytesWritten);
    expect(batches.at(-1)!.bytesWritten).toBeGreaterThan(bytes.length * 0.9);

    // Every event once, in the requested order.
    const lines = bytes.toString("utf8").split("\r\n").filter(Boolean);
    const ids = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event ORDER BY time ASC, id ASC");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(ids.map((row) => row.id));
  });

  it("writes the cells the explorer's DTO holds, for a narrower scope too", async () => {
    await signIn(HEALTH);
    const exported = await exportEventsProbed({ sort: "time_asc" }, { batchRows: 64 });
    const text = (await readAll(exported.body)).toString("utf8");
    const page = await listEvents({ sort: "time_asc", limit: "100" });
    expect(exported.columns.length).toBeGreaterThan(5);
    expect(exported.columns).not.toContain("machineId");
    const expected = formatCsvRows([
      ["id", ...exported.columns],
      ...page.items.map((item) => [item.id, ...exported.columns.map((column) => (item as Record<string, unknown>)[column])]),
    ]);
    expect(text.startsWith(expected)).toBe(true);
    expect(EVENT_COLUMN_IDS.length).toBeGreaterThan(exported.columns.length);
  });

  it("serves the bytes whose SHA-256, row count and machine ids the audit row holds", async () => {
    await signIn(COPILOT);
    const response = await getEventsExport(new NextRequest("http://localhost/api/v1/events/export?kind=error"));
    expect(response.status).toBe(200);
    const bytes = await readAll(response.body!);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    expect(response.headers.get("x-export-sha256")).toBe(sha256);
    const [audit] = await sql<{ row_count: number; file_sha256: string; machine_ids: string[]; field_classes: string[] }>(
      "SELECT row_count, file_sha256, machine_ids, field_classes FROM audit_event WHERE action = 'events.export' AND outcome = 'allowed' ORDER BY id DESC LIMIT 1",
    );
    const machines = await sql<{ machine_id: string }>("SELECT DISTINCT machine_id FROM telemetry_event WHERE kind = 'error'");
    const [errors] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE kind = 'error'");
    expect(audit).toMatchObject({ row_count: Number(errors!.n), file_sha256: sha256 });
    expect([...audit!.machine_ids].sort()).toEqual(machines.map((row) => row.machine_id).sort());
    expect(audit!.field_classes).toEqual(["environment", "identifiers", "location", "measurements"]);
  });

  it("answers an export that matches nothing with 200 and a header-only file, audited with 0 rows", async () => {
    await signIn(COPILOT);
    const before = exportDirectories().length;
    const response = await getEventsExport(new NextRequest("http://localhost/api/v1/events/export?kind=error&machineId=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff&columns=time,kind,os"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("x-export-row-count")).toBe("0");
    expect(response.headers.get("x-export-truncated")).toBe("false");
    const bytes = await readAll(response.body!);
    expect(bytes.toString("utf8")).toBe("id,time,kind,os\r\n");
    expect(response.headers.get("x-export-sha256")).toBe(createHash("sha256").update(bytes).digest("hex"));
    const [audit] = await sql<{ row_count: number; machine_ids: string[]; field_classes: string[] }>(
      "SELECT row_count, machine_ids, field_classes FROM audit_event WHERE action = 'events.export' AND outcome = 'allowed' ORDER BY id DESC LIMIT 1",
    );
    expect(audit).toMatchObject({ row_count: 0, machine_ids: [], field_classes: [] });
    expect(exportDirectories().length).toBe(before);
  });

  it("serves no byte and keeps no file when the audit row cannot be written", async () => {
    await signIn(COPILOT);
    await asOwner(
      `CREATE FUNCTION refuse_export_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.action = 'events.export' AND NEW.outcome = 'allowed' THEN RAISE EXCEPTION 'audit store refuses the export row'; END IF; RETURN NEW; END $$`,
      "CREATE TRIGGER refuse_export_audit BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION refuse_export_audit()",
    );
    const allowedRows = async () => Number((await sql<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE action = 'events.export' AND outcome = 'allowed'"))[0]?.n);
    const allowedBefore = await allowedRows();
    const before = exportDirectories();
    try {
      const response = await getEventsExport(new NextRequest("http://localhost/api/v1/events/export"));
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).not.toMatch(/text\/csv/);
      expect(response.headers.get("x-export-sha256")).toBeNull();
      expect(await response.text()).not.toMatch(/^id,/);
    } finally {
      await asOwner("DROP TRIGGER refuse_export_audit ON audit_event", "DROP FUNCTION refuse_export_audit()");
    }
    expect(exportDirectories().filter((name) => !before.includes(name))).toEqual([]);
    expect(await allowedRows()).toBe(allowedBefore);
  });

  it("deletes the temporary file when the client abandons the download", async () => {
    await signIn(COPILOT);
    // this export's own directory: another process's (a browser test's portal stopped mid-download) is not this test's to judge
    const earlier = new Set(exportDirectories());
    const response = await getEventsExport(new NextRequest("http://localhost/api/v1/events/export"));
    expect(response.status).toBe(200);
    const directories = exportDirectories().filter((name) => !earlier.has(name));
    expect(directories.length).toBeGreaterThan(0);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(Number(response.headers.get("content-length"))).toBeGreaterThan(first.value!.length);
    await reader.cancel();
    for (const name of directories) expect(fs.existsSync(path.join(os.tmpdir(), name))).toBe(false);
  });
});
