// The audit trail against real databases: a fresh embedded PGlite always, and
// a fresh PostgreSQL database (tp_it_<random>, dropped afterwards) when
// TEST_DATABASE_URL names a server. Tampering is done the way an attacker
// with the owner's rights would: triggers disabled, rows changed, re-enabled.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "@/server/db/connect";
import { migrateDatabase } from "@/server/db/migrate";
import type { PrismaClient } from "@/server/db/generated/client";
import { genesisHash, hashAuditColumns } from "./canonical";
import { findAuditRowsPastRetention } from "./retention";
import { readAuditRows, verifyAuditChain } from "./verify-audit-chain";
import { AuditWriteError, writeAuditEvent, writeAuditEvents, type AuditEntry } from "./write-audit-event";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";

const PROJECT_DIR = path.resolve(import.meta.dirname, "../..");
const CHAINS = 8;
const APPEND_ONLY = /audit_event is append-only/;

type Target = {
  name: string;
  /** environment that points the portal's scripts at this database */
  env: Record<string, string>;
  open(options?: { poolSize?: number }): Promise<Database>;
  /** a connection that can write to every table but cannot INSERT into audit_event */
  openWithoutAuditInsert(): Promise<{ db: Database; restore(): Promise<void> }>;
  dispose(): Promise<void>;
};

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    requestId: randomUUID(),
    actor: { personId: randomUUID(), email: "ada@github.com", employer: "github", groups: ["copilot_team"], roles: ["viewer"] },
    actorIp: "127.0.0.1",
    actorUserAgent: "vitest",
    action: "events.list",
    outcome: "allowed",
    purpose: "improve_product",
    eventIds: [randomUUID()],
    fieldClasses: ["measurements"],
    filters: { kinds: ["error"], before: new Date() },
    rowCount: 1,
    ...overrides,
  };
}

function write(prisma: PrismaClient, overrides: Partial<AuditEntry> = {}, chains = CHAINS) {
  // The one budget every audited transaction gets (a 2 s default failed on a loaded 2-core machine).
  return prisma.$transaction((tx) => writeAuditEvent(tx, entry(overrides), { chains }), AUDITED_TRANSACTION);
}

/** Runs statements with the audit triggers switched off, as a superuser could. */
async function tamper(prisma: PrismaClient, ...statements: string[]): Promise<void> {
  await prisma.$transaction([
    prisma.$executeRawUnsafe("ALTER TABLE audit_event DISABLE TRIGGER USER"),
    ...statements.map((sql) => prisma.$executeRawUnsafe(sql)),
    prisma.$executeRawUnsafe("ALTER TABLE audit_event ENABLE TRIGGER USER"),
  ]);
}

async function head(prisma: PrismaClient, chainId: number) {
  return prisma.auditChainHead.findUniqueOrThrow({ where: { chainId } });
}

function runAuditVerify(env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "audit:verify", ...(args.length > 0 ? ["--", ...args] : [])], {
      cwd: PROJECT_DIR,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    // npm may warn about the machine's own npmrc; only the script's output counts.
    const withoutNpmNoise = (text: string) => text.replace(/^npm warn .*\n?/gim, "");
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr: withoutNpmNoise(stderr) }));
  });
}

/** Secrets for the spawned script, so it never writes local-secrets.json into the repo. */
function scriptSecrets(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    PORTAL_ENV: "development",
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    CONTENT_ENCRYPTION_KEYS: `it1:${randomBytes(32).toString("base64")}`,
  };
}

async function embeddedTarget(): Promise<Target> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tp-audit-it-"));
  const dataDir = path.join(root, "pglite");
  const env = { ...scriptSecrets(root), DATABASE_URL: "", PGLITE_DATA_DIR: dataDir };
  await migrateDatabase({ env: { ...process.env, ...env }, log: () => {} });
  const open = () => connectDatabase({ pgliteDataDir: dataDir });
  return {
    name: "embedded PGlite",
    env,
    open,
    // PGlite has one superuser: make the INSERT impossible with a constraint no row satisfies.
    async openWithoutAuditInsert() {
      const db = await open();
      await db.prisma.$executeRawUnsafe("ALTER TABLE audit_event ADD CONSTRAINT tp_it_refuse_insert CHECK (false) NOT VALID");
      return {
        db,
        restore: async () => {
          await db.prisma.$executeRawUnsafe("ALTER TABLE audit_event DROP CONSTRAINT tp_it_refuse_insert");
          await db.close();
        },
      };
    },
    dispose: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

async function postgresTarget(serverUrl: string): Promise<Target> {
  const suffix = randomBytes(4).toString("hex");
  const name = `tp_it_${suffix}`;
  const role = `tp_it_app_${suffix}`;
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = "/postgres";
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${name}`;
  const admin = async (sql: string, database = adminUrl.toString()) => {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  // A session time zone other than UTC must not shift occurred_at (it is
  // hashed): Prisma's pg adapter misreads timestamptz there (prisma/orm#26786).
  await admin(`ALTER DATABASE ${name} SET timezone TO 'America/New_York'`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tp-audit-it-"));
  const env = { ...scriptSecrets(root), DATABASE_URL: databaseUrl.toString() };
  await migrateDatabase({ env: { ...process.env, ...env }, log: () => {} });
  return {
    name: "PostgreSQL",
    env,
    open: (options) => connectDatabase({ databaseUrl: databaseUrl.toString(), pgliteDataDir: root, poolSize: options?.poolSize }),
    // The production setup: an application role that may not INSERT into audit_event.
    async openWithoutAuditInsert() {
      await admin(`CREATE ROLE ${role} LOGIN`);
      await admin(
        `GRANT USAGE ON SCHEMA public TO ${role};
         GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${role};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role};
         REVOKE INSERT ON audit_event FROM ${role};`,
        databaseUrl.toString(),
      );
      const appUrl = new URL(databaseUrl);
      appUrl.username = role;
      appUrl.password = "";
      const db = await connectDatabase({ databaseUrl: appUrl.toString(), pgliteDataDir: root });
      return {
        db,
        restore: async () => {
          await db.close();
          await admin(`DROP OWNED BY ${role}; DROP ROLE ${role}`, databaseUrl.toString());
        },
      };
    },
    async dispose() {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin(`DROP ROLE IF EXISTS ${role}`);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

function defineAuditSuite(name: string, createTarget: () => Promise<Target>, options: { concurrentWrites: number }) {
  describe(`audit trail on ${name}`, () => {
    let target: Target;
    let db: Database;
    let prisma: PrismaClient;

    beforeAll(async () => {
      target = await createTarget();
      db = await target.open({ poolSize: 24 });
      prisma = db.prisma;
    });

    afterAll(async () => {
      await db?.close();
      await target?.dispose();
    });

    it("starts every chain at its genesis and verifies an empty trail", async () => {
      const heads = await prisma.auditChainHead.findMany({ orderBy: { chainId: "asc" } });
      expect(heads).toHaveLength(64);
      for (const chainHead of heads) {
        expect(chainHead.seq).toBe(0n);
        expect(chainHead.hash).toBe(genesisHash(chainHead.chainId));
      }
      expect(await verifyAuditChain(prisma)).toEqual({ ok: true, chains: 0, rowsChecked: 0 });
    });

    it("writes exactly one row, linked to its chain and moving the head", async () => {
      const before = await prisma.auditEvent.count();
      const written = await write(prisma, { before: { status: "active" }, after: { status: "disabled", at: new Date() } });
      expect(await prisma.auditEvent.count()).toBe(before + 1);

      const [stored] = await readAuditRows(prisma, { chainId: written.chainId, afterSeq: 0n, throughSeq: 1n, limit: 1 });
      expect(stored).toMatchObject({ id: written.id, chainId: written.chainId, seq: 1n, prevHash: genesisHash(written.chainId) });
      expect(hashAuditColumns(stored?.columns ?? {})).toBe(stored?.hash);
      expect(await head(prisma, written.chainId)).toMatchObject({ seq: 1n, hash: stored?.hash });
      const row = await prisma.auditEvent.findUniqueOrThrow({ where: { id: written.id } });
      expect(row).toMatchObject({ action: "events.list", outcome: "allowed", rowCount: 1, after: { status: "disabled" } });
      expect(row.filters).toMatchObject({ kinds: ["error"] });
      expect(await verifyAuditChain(prisma)).toEqual({ ok: true, chains: 1, rowsChecked: before + 1 });
    });

    it("keeps a request's rows on one chain", async () => {
      const requestId = randomUUID();
      const first = await write(prisma, { requestId });
      const second = await write(prisma, { requestId, action: "events.view" });
      expect(second.chainId).toBe(first.chainId);
      expect(second.seq).toBe(first.seq + 1n);
    });

    it("writes a request's rows together as consecutive links (one lock, one INSERT), all or none", async () => {
      const requestId = randomUUID();
      const first = await write(prisma, { requestId });
      const together = await prisma.$transaction(
        (tx) => writeAuditEvents(tx, [entry({ requestId, action: "events.chart", targetType: "histogram" }), entry({ requestId, action: "events.list" })], { chains: CHAINS }),
        AUDITED_TRANSACTION,
      );
      expect(together.map((row) => [row.chainId, row.seq])).toEqual([
        [first.chainId, first.seq + 1n],
        [first.chainId, first.seq + 2n],
      ]);
      const stored = await readAuditRows(prisma, { chainId: first.chainId, afterSeq: first.seq - 1n, throughSeq: first.seq + 2n, limit: 3 });
      expect(stored.map((row) => row.seq)).toEqual([first.seq, first.seq + 1n, first.seq + 2n]);
      expect(stored[1]!.prevHash).toBe(stored[0]!.hash);
      expect(stored[2]!.prevHash).toBe(stored[1]!.hash);
      for (const row of stored) expect(hashAuditColumns(row.columns)).toBe(row.hash);
      expect(await head(prisma, first.chainId)).toMatchObject({ seq: first.seq + 2n, hash: stored[2]!.hash });
      expect((await verifyAuditChain(prisma)).ok).toBe(true);

      // an invalid entry among them, or two request ids (two chains): nothing written, the head unmoved
      const count = await prisma.auditEvent.count();
      const attempt = (entries: AuditEntry[]) => prisma.$transaction((tx) => writeAuditEvents(tx, entries, { chains: CHAINS }), AUDITED_TRANSACTION);
      await expect(attempt([entry({ requestId }), entry({ requestId, action: "events.steal" as AuditEntry["action"] })])).rejects.toBeInstanceOf(AuditWriteError);
      await expect(attempt([entry({ requestId }), entry()])).rejects.toThrow(/share one request id/);
      await expect(attempt([])).rejects.toThrow(/no audit entry/);
      expect(await prisma.auditEvent.count()).toBe(count);
      expect(await head(prisma, first.chainId)).toMatchObject({ seq: first.seq + 2n });
    });

    it("refuses an invalid entry with AuditWriteError and writes nothing", async () => {
      const before = await prisma.auditEvent.count();
      await expect(write(prisma, { action: "events.steal" as AuditEntry["action"] })).rejects.toBeInstanceOf(AuditWriteError);
      await expect(write(prisma, { extra: 1 } as unknown as Partial<AuditEntry>)).rejects.toThrow(/invalid entry/);
      await expect(writeAuditEvent(prisma, entry(), { chains: CHAINS })).rejects.toThrow(/inside the caller's transaction/);
      await expect(write(prisma, {}, 65)).rejects.toThrow(/1\.\.64/);
      expect(await prisma.auditEvent.count()).toBe(before);
    });

    it("fits a reason, target or filter that echoes hostile input (NUL, 10,000 characters) instead of failing the row", async () => {
      const hostile = `x\u0000${"y".repeat(10_000)}`;
      const written = await write(prisma, { reason: hostile, targetId: hostile, filters: { q: hostile, [`k\u0000`]: 1 } });
      const row = await prisma.auditEvent.findUniqueOrThrow({ where: { id: written.id } });
      expect(row.reason).toHaveLength(2000);
      expect(row.reason?.startsWith("x\\u0000yyy")).toBe(true);
      expect(row.reason?.endsWith("…")).toBe(true);
      expect(row.targetId).toHaveLength(256);
      expect((row.filters as Record<string, string>).q).toHaveLength(2000);
      expect(Object.keys(row.filters as object)).toContain("k\\u0000");
      expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });
    });

    it(`produces gap-free chains under ${options.concurrentWrites} concurrent writes`, async () => {
      const before = await prisma.auditEvent.count();
      const results = await Promise.all(Array.from({ length: options.concurrentWrites }, () => write(prisma)));
      expect(await prisma.auditEvent.count()).toBe(before + options.concurrentWrites);
      expect(new Set(results.map((result) => result.chainId)).size).toBeGreaterThan(1);

      const rows = await prisma.auditEvent.findMany({ select: { chainId: true, seq: true }, orderBy: [{ chainId: "asc" }, { seq: "asc" }] });
      const byChain = new Map<number, typeof rows>();
      for (const row of rows) byChain.set(row.chainId, [...(byChain.get(row.chainId) ?? []), row]);
      for (const [chainId, chainRows] of byChain) {
        expect(chainRows.map((row) => row.seq)).toEqual(chainRows.map((_, index) => BigInt(index + 1)));
        expect((await head(prisma, chainId)).seq).toBe(BigInt(chainRows.length));
      }
      const verification = await verifyAuditChain(prisma, { batchSize: 7 });
      expect(verification).toEqual({ ok: true, chains: byChain.size, rowsChecked: rows.length });
      // also inside a caller's transaction
      expect(await prisma.$transaction((tx) => verifyAuditChain(tx))).toEqual(verification);
    });

    it("refuses UPDATE, DELETE and TRUNCATE on audit_event, and moving a head back", async () => {
      await expect(prisma.$executeRawUnsafe("UPDATE audit_event SET reason = 'edited'")).rejects.toThrow(APPEND_ONLY);
      await expect(prisma.$executeRawUnsafe("DELETE FROM audit_event")).rejects.toThrow(APPEND_ONLY);
      await expect(prisma.$executeRawUnsafe("TRUNCATE audit_event")).rejects.toThrow(APPEND_ONLY);
      await expect(prisma.$executeRawUnsafe("UPDATE audit_chain_head SET seq = 0, hash = 'x'")).rejects.toThrow(/only moves forward/);
      await expect(prisma.$executeRawUnsafe("DELETE FROM audit_chain_head")).rejects.toThrow(/audit_chain_head is append-only/);
      await expect(prisma.$executeRawUnsafe("TRUNCATE audit_chain_head")).rejects.toThrow(/audit_chain_head is append-only/);
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("leaves no row and an unchanged head when the caller's transaction rolls back", async () => {
      const requestId = randomUUID();
      const probe = await write(prisma, { requestId });
      const headBefore = await head(prisma, probe.chainId);
      const countBefore = await prisma.auditEvent.count();
      await expect(
        prisma.$transaction(async (tx) => {
          await writeAuditEvent(tx, entry({ requestId }), { chains: CHAINS });
          throw new Error("the read failed after auditing");
        }, AUDITED_TRANSACTION),
      ).rejects.toThrow("the read failed after auditing");
      expect(await prisma.auditEvent.count()).toBe(countBefore);
      expect(await head(prisma, probe.chainId)).toEqual(headBefore);
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("names an altered row, and is intact again once the row is put back", async () => {
      const victim = await prisma.auditEvent.findFirstOrThrow({ where: { seq: 2n }, orderBy: { chainId: "asc" } });
      await tamper(prisma, `UPDATE audit_event SET outcome = 'denied' WHERE id = ${victim.id}`);
      const verification = await verifyAuditChain(prisma);
      expect(verification.ok).toBe(false);
      expect(verification.firstFailure).toMatchObject({ id: victim.id, chainId: victim.chainId, seq: 2n });
      expect(verification.firstFailure?.reason).toBe(
        `row ${victim.id} (chain ${victim.chainId}, seq 2): content hash does not match — the row was altered`,
      );

      await tamper(prisma, `UPDATE audit_event SET outcome = '${victim.outcome}' WHERE id = ${victim.id}`);
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("detects a row whose hash was recomputed, at the next link", async () => {
      const { chainId } = await prisma.auditEvent.findFirstOrThrow({ where: { seq: 2n }, orderBy: { chainId: "asc" } });
      const [victim, next] = await readAuditRows(prisma, { chainId, afterSeq: 0n, throughSeq: 2n, limit: 2 });
      if (!victim || !next) throw new Error("expected two rows on the chain");
      const forged = hashAuditColumns({ ...victim.columns, reason: "forged" });
      await tamper(prisma, `UPDATE audit_event SET reason = 'forged', hash = '${forged}' WHERE id = ${victim.id}`);
      const verification = await verifyAuditChain(prisma);
      expect(verification.firstFailure).toMatchObject({ id: next.id, seq: 2n });
      expect(verification.firstFailure?.reason).toContain(`prev_hash does not match the hash of row ${victim.id}`);
      // Put back exactly what was there (an earlier test may have written a reason).
      const original = victim.columns.reason;
      const restored = typeof original === "string" ? `$tp$${original}$tp$` : "NULL";
      await tamper(prisma, `UPDATE audit_event SET reason = ${restored}, hash = '${victim.hash}' WHERE id = ${victim.id}`);
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("treats a sub-millisecond change to occurred_at as an alteration", async () => {
      const victim = await prisma.auditEvent.findFirstOrThrow({ where: { seq: 1n }, orderBy: { chainId: "desc" } });
      await tamper(prisma, `UPDATE audit_event SET occurred_at = occurred_at + interval '1 microsecond' WHERE id = ${victim.id}`);
      expect((await verifyAuditChain(prisma)).firstFailure).toMatchObject({ id: victim.id, seq: 1n });
      await tamper(prisma, `UPDATE audit_event SET occurred_at = occurred_at - interval '1 microsecond' WHERE id = ${victim.id}`);
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("reports rows cut from a chain's tail (head left alone)", async () => {
      const [longest] = await prisma.auditEvent.groupBy({ by: ["chainId"], _max: { seq: true }, orderBy: { _max: { seq: "desc" } }, take: 1 });
      const chainId = longest?.chainId ?? 0;
      const last = longest?._max.seq ?? 0n;
      expect(last).toBeGreaterThanOrEqual(3n);
      await tamper(
        prisma,
        `CREATE TABLE tp_it_saved AS SELECT * FROM audit_event WHERE chain_id = ${chainId} AND seq > ${last - 2n}`,
        `DELETE FROM audit_event WHERE chain_id = ${chainId} AND seq > ${last - 2n}`,
      );
      const verification = await verifyAuditChain(prisma);
      expect(verification.ok).toBe(false);
      expect(verification.firstFailure).toMatchObject({ id: null, chainId, seq: last });
      expect(verification.firstFailure?.reason).toBe(
        `chain ${chainId}: head says seq ${last} but the last row is seq ${last - 2n} — rows were cut from the tail`,
      );

      await tamper(prisma, "INSERT INTO audit_event SELECT * FROM tp_it_saved", "DROP TABLE tp_it_saved");
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("reports a gap where a row in the middle was deleted", async () => {
      const [longest] = await prisma.auditEvent.groupBy({ by: ["chainId"], _max: { seq: true }, orderBy: { _max: { seq: "desc" } }, take: 1 });
      const chainId = longest?.chainId ?? 0;
      const after = await prisma.auditEvent.findUniqueOrThrow({ where: { chainId_seq: { chainId, seq: 3n } } });
      await tamper(
        prisma,
        `CREATE TABLE tp_it_saved AS SELECT * FROM audit_event WHERE chain_id = ${chainId} AND seq = 2`,
        `DELETE FROM audit_event WHERE chain_id = ${chainId} AND seq = 2`,
      );
      const verification = await verifyAuditChain(prisma);
      expect(verification.firstFailure).toMatchObject({ id: after.id, chainId, seq: 3n });
      expect(verification.firstFailure?.reason).toContain("seq 2 is missing before it");
      await tamper(prisma, "INSERT INTO audit_event SELECT * FROM tp_it_saved", "DROP TABLE tp_it_saved");
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("throws AuditWriteError and rolls the caller back when the INSERT is refused", async () => {
      const countBefore = await prisma.auditEvent.count();
      const requestId = randomUUID();
      const probe = await write(prisma, { requestId });
      const headBefore = await head(prisma, probe.chainId);
      // The other connection (PGlite: the same single one) must not be held open meanwhile.
      await db.close();
      const refusing = await target.openWithoutAuditInsert();
      try {
        const mapping = `tp.it.${randomBytes(4).toString("hex")}`;
        const attempt = refusing.db.prisma.$transaction(async (tx) => {
          await tx.eventNameMapping.create({ data: { eventName: mapping, kind: "other" } });
          return writeAuditEvent(tx, entry({ requestId }), { chains: CHAINS });
        });
        await expect(attempt).rejects.toBeInstanceOf(AuditWriteError);
        expect(await refusing.db.prisma.eventNameMapping.findUnique({ where: { eventName: mapping } })).toBeNull();
      } finally {
        await refusing.restore();
        db = await target.open({ poolSize: 24 });
        prisma = db.prisma;
      }
      expect(await prisma.auditEvent.count()).toBe(countBefore + 1);
      expect(await head(prisma, probe.chainId)).toEqual(headBefore);
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("npm run audit:verify exits 0 when intact, 1 naming an altered row, 2 when it cannot run", async () => {
      const victim = await prisma.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
      const rows = await prisma.auditEvent.count();
      await db.close(); // one process per PGlite directory
      try {
        const intact = await runAuditVerify(target.env);
        expect(intact.stderr).toBe("");
        expect(intact.stdout).toMatch(new RegExp(`^Audit trail intact: ${rows} rows in \\d+ chains verified in [\\d.]+ s \\(\\d+ rows/s\\), full\\.`));
        expect(intact.code).toBe(0);

        db = await target.open();
        await tamper(db.prisma, `UPDATE audit_event SET row_count = 999 WHERE id = ${victim.id}`);
        await db.close();
        // An already-verified row edited with its hash left alone: only a full run re-hashes it (server/audit/verify-trail.ts).
        const altered = await runAuditVerify(target.env, ["--full"]);
        expect(altered.stdout).toContain(`row ${victim.id} (chain ${victim.chainId}, seq ${victim.seq}): content hash does not match`);
        expect(altered.code).toBe(1);

        const unmigrated = path.join(target.env.DATA_DIR ?? os.tmpdir(), "empty-pglite");
        const broken =
          target.name === "PostgreSQL"
            ? { ...target.env, DATABASE_URL: target.env.DATABASE_URL?.replace(/\/[^/]+$/, "/tp_it_does_not_exist") ?? "" }
            : { ...target.env, PGLITE_DATA_DIR: unmigrated };
        const failed = await runAuditVerify(broken);
        expect(failed.code).toBe(2);
        expect(failed.stderr.trim().split("\n")).toHaveLength(1);
      } finally {
        db = await target.open();
        prisma = db.prisma;
      }
      await tamper(prisma, `UPDATE audit_event SET row_count = ${victim.rowCount ?? "NULL"} WHERE id = ${victim.id}`);
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });

    it("reports rows past retention as chain prefixes; after an operator purge, verifies from the checkpoints", async () => {
      expect(await findAuditRowsPastRetention(prisma, undefined)).toBeNull();
      // Put the cutoff at the time of a row in the middle of the trail.
      const middle = await prisma.auditEvent.findFirstOrThrow({ where: { seq: 3n }, orderBy: { chainId: "asc" } });
      const [stored] = await readAuditRows(prisma, { chainId: middle.chainId, afterSeq: 2n, throughSeq: 3n, limit: 1 });
      const cutoff = new Date(String(stored?.columns.occurred_at));
      const report = await findAuditRowsPastRetention(prisma, 30, new Date(cutoff.getTime() + 30 * 24 * 60 * 60 * 1000));
      expect(report?.cutoff).toEqual(cutoff);
      expect(report?.rowsPastRetention).toBeGreaterThan(0);
      expect(report?.rowsPastRetention).toBeLessThan(await prisma.auditEvent.count());
      const checkpoints = report?.chains.map((chain) => chain.checkpoint) ?? [];
      for (const chain of report?.chains ?? []) expect(chain.newest.getTime()).toBeLessThan(cutoff.getTime());

      // The documented purge, done as the owner.
      const purge = checkpoints.map((checkpoint) => `(chain_id = ${checkpoint.chainId} AND seq <= ${checkpoint.seq})`).join(" OR ");
      await tamper(prisma, `DELETE FROM audit_event WHERE ${purge}`);
      expect((await verifyAuditChain(prisma)).firstFailure?.reason).toMatch(/missing before it — rows were deleted/);
      expect(await verifyAuditChain(prisma, { checkpoints })).toMatchObject({ ok: true });

      const file = path.join(target.env.DATA_DIR ?? os.tmpdir(), "checkpoints.json");
      fs.writeFileSync(file, JSON.stringify(checkpoints.map((checkpoint) => ({ ...checkpoint, seq: String(checkpoint.seq) }))));
      await db.close();
      try {
        const result = await runAuditVerify(target.env, ["--checkpoints", file]);
        expect(result.stdout).toMatch(/^Audit trail intact/);
        expect(result.code).toBe(0);
      } finally {
        db = await target.open();
        prisma = db.prisma;
      }
    });
  });
}

defineAuditSuite("embedded PGlite", embeddedTarget, { concurrentWrites: 60 });

const testDatabaseUrl = process.env.TEST_DATABASE_URL;
if (testDatabaseUrl) {
  defineAuditSuite("PostgreSQL", () => postgresTarget(testDatabaseUrl), { concurrentWrites: 200 });
} else {
  describe.skip("audit trail on PostgreSQL (set TEST_DATABASE_URL to run)", () => {
    it("needs TEST_DATABASE_URL", () => {});
  });
}
