// Disclosure receipts against real databases (PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set, as the runtime role): a machine's events are
// listed, opened, revealed, exported and charted by different personas; the
// receipt lists exactly those accesses (not another machine's, not an
// aggregate chart's), proves the sealed ones against the newest signed
// checkpoint and lists the later one as not yet covered; asking is audited and
// refused to a viewer; the receipt verifies offline (the CLI, with the key
// alone) and every tampering is named; the index check agrees with a scan and
// catches an index that misses rows.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { checkpointFileName } from "@/server/audit/checkpoints/checkpoint-sink";
import { sealAuditLog } from "@/server/audit/checkpoints/seal-audit-log";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import {
  checkDisclosureIndex,
  disclosureReceiptSchema,
  verifyDisclosureReceipt,
  type DisclosureReceipt,
} from "@/server/audit/checkpoints/disclosure-receipt";
import { formatVerifierKey, parseSigningKey, verifierOf } from "@/server/audit/checkpoints/signed-note";
import { connectDatabase, type Database } from "@/server/db/connect";
import { AppError } from "@/server/http/app-error";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import { GET as getDisclosuresRoute } from "@/app/api/v1/audit/disclosures/route";
import { CHART_DISCLOSES_MACHINES_UP_TO, getEventInsights } from "../event-insights";
import { exportEvents } from "../export-events";
import { getEvent } from "../get-event";
import { listEvents } from "../list-events";
import { revealEventContent } from "../reveal-event-content";
import { getDisclosureReceipt, getDisclosureReceiptView } from "./get-disclosure-receipt";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `rck1:${Buffer.alloc(32, 12).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest receipts", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const KEYS = [{ id: "rck1", key: Buffer.alloc(32, 12) }];
const COPILOT = "viewer.copilot@github.example";
const HEALTH = "viewer.health@github.example";
const MICROSOFT = "viewer@microsoft.example";
const OPENAI = "viewer@openai.example";
const AUDITOR = "auditor@github.example";
const ORIGIN = "portal.test/audit";
const ROOT = path.resolve(import.meta.dirname, "../../..");

describe.each(seededTestTargets({ label: "receipts", keys: KEYS, events: 3000, seed: 91 }))("disclosure receipts on $name", (target) => {
  let db: Database;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "tp-receipts-it-"));
  const signer = parseSigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), ORIGIN);
  const verifier = verifierOf(signer);
  const otherKey = formatVerifierKey(parseSigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), ORIGIN));
  const seal = () => sealAuditLog(db.prisma, { signer, directory });

  // Filled in by the first test: the machine under report, the other machine, and the audit rows each access wrote.
  let machine = "";
  let other = "";
  const disclosedX: string[] = [];
  let lateX = "";
  let receipt: DisclosureReceipt;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
  });
  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const sql = <T,>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);
  const signIn = async (email: string) => {
    state.token = await signInForTest(db.prisma, email, { purpose: "improve_product" });
  };
  const lastRow = async () => (await sql<{ id: string; action: string; machine_ids: string[] }>("SELECT e.id::text AS id, action, machine_ids FROM audit_event e ORDER BY e.id DESC LIMIT 1"))[0]!;
  /** Runs a disclosure and returns the audit row it wrote. */
  const disclose = async (email: string, call: () => Promise<unknown>) => {
    await signIn(email);
    const result = await call();
    if (result && typeof result === "object" && "body" in result) await (result.body as ReadableStream).cancel();
    return lastRow();
  };

  it("lists exactly the accesses that disclosed the machine's data, proven against the newest checkpoint", async () => {
    const [event] = await sql<{ id: string; machine_id: string; session_id: string }>(
      "SELECT id::text, machine_id, session_id FROM telemetry_event WHERE kind = 'completion_requested' AND content_ciphertext IS NOT NULL ORDER BY time DESC LIMIT 1",
    );
    machine = event!.machine_id;
    const [otherEvent] = await sql<{ id: string; machine_id: string }>(
      "SELECT id::text, machine_id FROM telemetry_event WHERE kind = 'error' AND machine_id <> $1 ORDER BY time DESC LIMIT 1",
      machine,
    );
    other = otherEvent!.machine_id;
    const [{ machines } = { machines: 0 }] = await sql<{ machines: number }>("SELECT count(DISTINCT machine_id)::int AS machines FROM telemetry_event");
    expect(machines).toBeGreaterThan(CHART_DISCLOSES_MACHINES_UP_TO); // so an unfiltered chart is an aggregate

    // Four personas disclose machine X's data five ways…
    const listed = await disclose(COPILOT, () => listEvents({ machineId: machine }));
    const viewed = await disclose(MICROSOFT, () => getEvent({ id: event!.id }));
    const revealed = await disclose(COPILOT, () => revealEventContent({ id: event!.id }));
    const exported = await disclose(OPENAI, () => exportEvents({ kind: "completion_requested" }));
    const charted = await disclose(COPILOT, () => getEventInsights({ machineId: machine }));
    // A chart narrowed to one session is a chart of its machine, though it names none.
    const sessionChart = await disclose(COPILOT, () => getEventInsights({ sessionId: event!.session_id }));
    for (const [row, action] of [
      [listed, "events.list"],
      [viewed, "events.view"],
      [revealed, "events.reveal"],
      [exported, "events.export"],
      [charted, "events.chart"],
      [sessionChart, "events.chart"],
    ] as const) {
      expect(row).toMatchObject({ action });
      expect(row.machine_ids).toContain(machine);
    }
    expect(sessionChart.machine_ids).toEqual([machine]);
    disclosedX.push(listed.id, viewed.id, revealed.id, exported.id, charted.id, sessionChart.id);
    // …and accesses that did not: another machine's list and detail, an aggregate chart.
    const otherList = await disclose(COPILOT, () => listEvents({ machineId: other }));
    const otherView = await disclose(HEALTH, () => getEvent({ id: otherEvent!.id }));
    const aggregate = await disclose(COPILOT, () => getEventInsights({}));
    expect(otherList.machine_ids).toEqual([other]);
    expect(otherView.machine_ids).toEqual([other]);
    expect(aggregate).toMatchObject({ action: "events.chart", machine_ids: [] });

    await seal();
    // One more disclosure after the checkpoint: listed apart, not yet covered.
    lateX = (await disclose(COPILOT, () => getEvent({ id: event!.id }))).id;

    await signIn(AUDITOR);
    receipt = await getDisclosureReceipt(new URLSearchParams({ machineId: machine }));
    expect(disclosureReceiptSchema.parse(receipt)).toEqual(receipt);
    const [checkpoint] = await sql<{ tree_size: string }>("SELECT tree_size::text FROM audit_checkpoint ORDER BY tree_size DESC LIMIT 1");
    expect(receipt.treeSize).toBe(Number(checkpoint!.tree_size));
    expect(receipt.rows.map((row) => row.auditEventId)).toEqual(disclosedX);
    expect(receipt.notYetCovered.map((row) => row.auditEventId)).toEqual([lateX]);
    expect(receipt.notYetCovered[0]?.leafIndex).toBeNull();
    expect(receipt.rows.map((row) => row.row.action)).toEqual(["events.list", "events.view", "events.reveal", "events.export", "events.chart", "events.chart"]);
    expect(receipt.rows.map((row) => row.row.actor_email)).toEqual([COPILOT, MICROSOFT, COPILOT, OPENAI, COPILOT, COPILOT]);
    expect(receipt.rows[2]?.row).toMatchObject({ field_classes: ["content"], purpose: "improve_product", actor_employer: "github" });
    expect(receipt.completeness).toContain(`Complete up to checkpoint size ${receipt.treeSize}`);
    // Exactly what the database holds for X, as a scan (not the index) finds it.
    const scanned = await sql<{ id: string }>("SELECT e.id::text AS id FROM audit_event e WHERE $1 = ANY(e.machine_ids) ORDER BY e.id", machine);
    expect(scanned.map((row) => row.id)).toEqual([...disclosedX, lateX]);
    expect(verifyDisclosureReceipt(receipt, verifier)).toMatchObject({ ok: true, covered: 6, notYetCovered: 1, treeSize: receipt.treeSize });
  });

  it("audits the request itself, naming the machine as target (not in machine_ids), and serves the same over the API", async () => {
    const [row] = await sql<{ action: string; outcome: string; target_type: string; target_id: string; machine_ids: string[]; row_count: number; actor_email: string }>(
      "SELECT action, outcome::text, target_type, target_id, machine_ids, row_count, actor_email FROM audit_event ORDER BY id DESC LIMIT 1",
    );
    expect(row).toEqual({ action: "audit.disclosure_receipt", outcome: "allowed", target_type: "machine", target_id: machine, machine_ids: [], row_count: 7, actor_email: AUDITOR });

    await signIn(AUDITOR);
    const response = await getDisclosuresRoute(new Request(`http://portal.test/api/v1/audit/disclosures?machineId=${encodeURIComponent(machine)}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="disclosure-receipt-\d{8}T\d{6}Z\.json"$/);
    const body = disclosureReceiptSchema.parse(await response.json());
    expect(body.rows.map((entry) => entry.auditEventId)).toEqual(disclosedX);

    const view = await getDisclosureReceiptView({ machineId: machine });
    expect(view?.rows.map((entry) => [entry.action, entry.actorEmail, entry.leafIndex !== null])).toEqual([
      ["events.list", COPILOT, true],
      ["events.view", MICROSOFT, true],
      ["events.reveal", COPILOT, true],
      ["events.export", OPENAI, true],
      ["events.chart", COPILOT, true],
      ["events.chart", COPILOT, true],
    ]);
    expect(view?.notYetCovered.map((entry) => entry.auditEventId)).toEqual([lateX]);
    expect(await getDisclosureReceiptView({})).toBeNull();

    const empty = await getDisclosureReceipt(new URLSearchParams({ machineId: "f".repeat(64) }));
    expect(empty).toMatchObject({ rows: [], notYetCovered: [] });
  });

  it("refuses a viewer (403, audited as denied) and names a bad machineId (400)", async () => {
    await signIn(COPILOT);
    const denied = await getDisclosureReceipt(new URLSearchParams({ machineId: machine })).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(AppError);
    expect((denied as AppError).status).toBe(403);
    const [row] = await sql<{ action: string; outcome: string; actor_email: string }>("SELECT action, outcome::text, actor_email FROM audit_event ORDER BY id DESC LIMIT 1");
    expect(row).toEqual({ action: "audit.disclosure_receipt", outcome: "denied", actor_email: COPILOT });

    await signIn(AUDITOR);
    for (const [query, message] of [
      ["", /machineId: is required/],
      [`machineId=${"a".repeat(257)}`, /machineId: must be at most 256 characters/],
      ["machineId=a%00b", /machineId: must not contain NUL/],
      ["machineId=a&machineId=b", /machineId: may be given only once/],
      ["machine=a", /unknown parameter "machine"/],
    ] as const) {
      const response = await getDisclosuresRoute(new Request(`http://portal.test/api/v1/audit/disclosures?${query}`));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it("verifies offline with the key alone, and names every tampering, a truncated file and a wrong key", () => {
    const key = formatVerifierKey(signer);
    const cli = (file: string, publicKey = key) => {
      const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts", "--receipt", file, "--public-key", publicKey], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" },
        encoding: "utf8",
      });
      return { code: run.status, out: `${run.stdout}${run.stderr}` };
    };
    const file = (name: string, value: unknown) => {
      const target = path.join(directory, name);
      fs.writeFileSync(target, typeof value === "string" ? value : JSON.stringify(value));
      return target;
    };
    const good = file("receipt.json", receipt);
    const ok = cli(good);
    expect(ok.out).toMatch(new RegExp(`Disclosure receipt verified: 6 audit rows that disclosed data of machine ${machine}, each proven to be in the log checkpointed at size ${receipt.treeSize}`));
    expect(ok.out).toMatch(/1 audit row written after that checkpoint is listed as not yet covered/);
    expect(ok.code).toBe(0);

    const rows = receipt.rows;
    const altered = { ...receipt, rows: rows.map((row, i) => (i === 1 ? { ...row, row: { ...row.row, actor_email: "someone.else@github.example" } } : row)) };
    expect(cli(file("altered.json", altered))).toEqual({ code: 1, out: expect.stringMatching(/FAILED: row \d+ \(leaf \d+\) does not hash to its rowHash — the row was altered/) });
    const truncated = cli(file("truncated.json", JSON.stringify(receipt).slice(0, 2_000)));
    expect(truncated).toEqual({ code: 2, out: expect.stringMatching(/not complete JSON \(truncated\?\)/) });
    expect(cli(good, otherKey)).toEqual({ code: 1, out: expect.stringMatching(/FAILED: the receipt's checkpoint: it is not signed by the key|signature .* does not verify/) });

    // The same checks, without a process each.
    const fails = (value: DisclosureReceipt) => verifyDisclosureReceipt(value, verifier);
    const first = rows[0]!;
    const badProof = { ...receipt, rows: [{ ...first, inclusionProof: first.inclusionProof.slice(1) }, ...rows.slice(1)] };
    expect(fails(badProof)).toMatchObject({ ok: false, reason: expect.stringMatching(/inclusion proof does not lead to the signed root/) });
    const moved = { ...receipt, rows: [{ ...first, leafIndex: first.leafIndex + 1 }, ...rows.slice(1)] };
    expect(fails(moved)).toMatchObject({ ok: false, reason: expect.stringMatching(/inclusion proof does not lead/) });
    const twice = { ...receipt, rows: [...rows, first] };
    expect(fails(twice)).toMatchObject({ ok: false, reason: expect.stringMatching(/listed twice/) });
    const relabelled = { ...receipt, machineId: other };
    expect(fails(relabelled)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not name machine/) });
    const editedNote = { ...receipt, checkpoint: receipt.checkpoint!.replace(`\n${receipt.treeSize}\n`, `\n${receipt.treeSize + 1}\n`), treeSize: receipt.treeSize + 1 };
    expect(fails(editedNote)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
    const hiddenLate = { ...receipt, notYetCovered: [{ ...receipt.notYetCovered[0]!, leafIndex: 0 }] };
    expect(fails(hiddenLate)).toMatchObject({ ok: false, reason: expect.stringMatching(/inside the checkpoint .* without an inclusion proof/) });
    expect(disclosureReceiptSchema.safeParse({ ...receipt, rows: [{ ...first, inclusionProof: ["x"] }] }).success).toBe(false);
  });

  it("proves against the NEWEST checkpoint once sizes differ in digits (9 < 10 as numbers, not as text), and writes its file", async () => {
    const first = (await seal()).treeSize;
    const target = 10 ** String(first).length; // e.g. 13 → 100: "13" > "100" as text
    for (let written = first; written < target; written += 1) {
      await db.prisma.$transaction((tx) =>
        writeAuditEvent(tx, { requestId: randomUUID(), actor: null, actorIp: null, actorUserAgent: "filler", action: "request.refused", outcome: "denied" }, { chains: 8 }),
      );
    }
    expect((await seal()).treeSize).toBeGreaterThanOrEqual(target);
    const [newest] = await sql<{ tree_size: string }>("SELECT c.tree_size::text AS tree_size FROM audit_checkpoint c ORDER BY c.tree_size DESC LIMIT 1");
    expect(fs.existsSync(path.join(directory, checkpointFileName(Number(newest!.tree_size))))).toBe(true);
    await signIn(AUDITOR);
    const latest = await getDisclosureReceipt(new URLSearchParams({ machineId: machine }));
    expect(latest.treeSize).toBe(Number(newest!.tree_size));
    expect(latest.rows.map((row) => row.auditEventId)).toEqual([...disclosedX, lateX]);
    expect(latest.notYetCovered).toEqual([]);
    expect(verifyDisclosureReceipt(latest, verifier)).toMatchObject({ ok: true, covered: 7, notYetCovered: 0 });
  });

  it("checks that the index receipts are built from finds what a scan finds", async () => {
    const check = await checkDisclosureIndex(db.prisma);
    expect(check).toMatchObject({ ok: true, failures: [] });
    const [pairs] = await sql<{ n: number; m: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT m)::int AS m FROM (SELECT DISTINCT e.id, m FROM audit_event e, unnest(e.machine_ids) m) p",
    );
    expect(check).toMatchObject({ pairs: pairs!.n, machines: pairs!.m });
    expect(check.machines).toBeGreaterThan(2);
  });

  if (target.name === "PostgreSQL") {
    it("names a machine whose rows the index misses (an index not maintained while a row was written)", async () => {
      const owner = await connectDatabase({ databaseUrl: target.migrationUrl ?? process.env.TEST_DATABASE_URL!, pgliteDataDir: "(unused)", poolSize: 1 });
      const admin = await connectDatabase({ databaseUrl: adminUrlFor(target.migrationUrl ?? process.env.TEST_DATABASE_URL!), pgliteDataDir: "(unused)", poolSize: 1 });
      try {
        await admin.prisma.$executeRawUnsafe("UPDATE pg_index SET indisready = false WHERE indexrelid = 'audit_event_machine_ids_idx'::regclass");
        const [otherEvent] = await sql<{ id: string }>("SELECT id::text FROM telemetry_event WHERE machine_id = $1 LIMIT 1", other);
        await disclose(COPILOT, () => getEvent({ id: otherEvent!.id }));
        await admin.prisma.$executeRawUnsafe("UPDATE pg_index SET indisready = true WHERE indexrelid = 'audit_event_machine_ids_idx'::regclass");
        const check = await checkDisclosureIndex(db.prisma);
        expect(check.ok).toBe(false);
        expect(check.failures).toEqual([expect.stringMatching(new RegExp(`^machine ${other}: a scan finds \\d+ audit rows naming it, the receipts' indexed query \\d+ — the audit_event_machine_ids_idx index is damaged`))]);
        await owner.prisma.$executeRawUnsafe("REINDEX INDEX audit_event_machine_ids_idx");
        expect(await checkDisclosureIndex(db.prisma)).toMatchObject({ ok: true });
      } finally {
        await owner.close();
        await admin.close();
      }
    });
  }
});

/** The test server's own (superuser) role on the same database: only it may mark an index as not maintained. */
function adminUrlFor(url: string): string {
  const server = new URL(process.env.TEST_DATABASE_URL!);
  const database = new URL(url);
  server.pathname = database.pathname;
  return server.toString();
}
