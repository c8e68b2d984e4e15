// Incremental and full verification of the audit trail (server/audit/verify-trail.ts)
// against real databases (PGlite always, PostgreSQL when TEST_DATABASE_URL is
// set, as the runtime role): what an incremental run checks and records, each
// detection by name — an edit of a new row, a deleted verified row, a tail cut
// with the head rewound, a history rewritten with recomputed chain hashes, a
// forked checkpoint — and the one thing only a full run sees (an old row
// edited with its hashes left alone). On PostgreSQL, the COPY-streamed walk
// (server/audit/copy-walk.ts) agrees with the batch walk on awkward content
// and names an edit. Tampering runs as the owner with triggers off, rolled back.
import { randomBytes, randomUUID, generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { hashAuditColumns } from "@/server/audit/canonical";
import { readAuditRows, verifyAuditChain } from "@/server/audit/verify-audit-chain";
import { writeAuditEvent, type AuditEntry } from "@/server/audit/write-audit-event";
import { MerkleTree } from "@/server/audit/merkle/merkle";
import { checkpointFileName, writeCheckpointFile } from "@/server/audit/checkpoints/checkpoint-sink";
import { sealAuditLog } from "@/server/audit/checkpoints/seal-audit-log";
import { parseSigningKey, signCheckpoint, verifierOf } from "@/server/audit/checkpoints/signed-note";
import { SESSION_OPTIONS, connectDatabase, type Database } from "@/server/db/connect";
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { seededTestTargets } from "@/test/test-databases";
import { verifyAuditTrail } from "./verify-trail";

const ORIGIN = "portal.test/audit";
const signer = parseSigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), ORIGIN);
const verifier = verifierOf(signer);
const KEYS = [{ id: "trail1", key: randomBytes(32) }];

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    requestId: randomUUID(),
    actor: { personId: randomUUID(), email: "ada@github.com", employer: "github", groups: ["copilot_team"], roles: ["viewer"] },
    actorIp: "127.0.0.1",
    actorUserAgent: "vitest",
    action: "events.list",
    outcome: "allowed",
    ...overrides,
  };
}

/** Content that canonical JSON and PostgreSQL's JSON write differently if anything does. */
const AWKWARD: Array<Partial<AuditEntry>> = [
  { eventIds: Array.from({ length: 50 }, () => randomUUID()), machineIds: ['m"q\\uote', "tab\there", "new\nline", "ctl\u0001\u001f", "é€😀", "\u2028sep"], rowCount: 50 },
  { filters: { z: 1, a: [1.5, 1e21, -0, 0.1, "x"], "é": { b: null, a: true }, "10": "ten", "9": "nine" }, reason: "quote \" backslash \\ ✓" },
  { before: { status: "active", n: 12345678901234 }, after: { status: "disabled", nested: { list: [{ k: "v" }] } }, targetType: "person", targetId: "x/y" },
  { purpose: "evaluate_product", purposeDetail: "line1\r\nline2", fieldClasses: ["identifiers", "content"], fileSha256: "a".repeat(64) },
  { actor: null, actorIp: null, actorUserAgent: null, outcome: "denied", reason: "unauthenticated: no session" },
];

describe.each(seededTestTargets({ label: "trail", keys: KEYS }))("audit trail verification on $name", (target) => {
  let db: Database;
  let owner: Database | undefined;
  let ownerPrisma: PrismaClient;
  let copyClient: pg.Client | undefined;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "tp-trail-it-"));
  const write = (overrides: Partial<AuditEntry> = {}) => db.prisma.$transaction((tx) => writeAuditEvent(tx, entry(overrides), { chains: 4 }), AUDITED_TRANSACTION);
  const seal = () => sealAuditLog(db.prisma, { signer, directory });
  const verify = (prisma: PrismaClient | Prisma.TransactionClient, options: { full?: boolean; persist?: boolean; copy?: boolean } = {}) =>
    verifyAuditTrail(prisma, { verifier, directory, full: options.full, persist: options.persist ?? false, copyClient: options.copy ? copyClient : undefined });

  /** Tampering as the owner, triggers off, then `check` on the tampered data; everything rolled back. */
  async function whileTampered<T>(statements: string[], check: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    let result: T | undefined;
    const rollback = new Error("rollback");
    await ownerPrisma
      .$transaction(
        async (tx) => {
          for (const table of ["audit_event", "audit_chain_head", "audit_merkle_leaf", "audit_log_state", "audit_checkpoint", "audit_verification"]) {
            await tx.$executeRawUnsafe(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
          }
          for (const sql of statements) await tx.$executeRawUnsafe(sql);
          result = await check(tx);
          throw rollback;
        },
        { timeout: 60_000, maxWait: 10_000 },
      )
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    return result as T;
  }

  beforeAll(async () => {
    db = await target.open();
    owner = target.migrationUrl ? await connectDatabase({ databaseUrl: target.migrationUrl, pgliteDataDir: "(unused)", poolSize: 2 }) : undefined;
    ownerPrisma = owner?.prisma ?? db.prisma;
    if (target.databaseUrl) {
      copyClient = new pg.Client({ connectionString: target.databaseUrl, options: SESSION_OPTIONS });
      await copyClient.connect();
    }
    for (const overrides of AWKWARD) await write(overrides);
    for (let i = 0; i < 20; i += 1) await write();
    await seal();
  });
  afterAll(async () => {
    await copyClient?.end();
    await owner?.close();
    await db?.close();
    await target.dispose();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("runs in full the first time and records where it got to; later runs check only what is new", async () => {
    const first = await verify(db.prisma, { persist: true });
    const rows = await db.prisma.auditEvent.count();
    expect(first).toMatchObject({ ok: true, mode: "full", resumedFrom: null, failures: [] });
    expect(first.chains.rowsChecked).toBe(rows);
    expect(first.treeSize).toBe(rows);

    for (let i = 0; i < 5; i += 1) await write();
    await seal();
    const second = await verify(db.prisma, { persist: true });
    expect(second).toMatchObject({ ok: true, mode: "incremental", resumedFrom: { treeSize: rows, rowCount: rows }, leavesChecked: 5, checkpointsChecked: 1, treeSize: rows + 5, failures: [] });
    expect(second.chains.rowsChecked).toBe(5);

    // Nothing new: nothing re-read.
    const third = await verify(db.prisma);
    expect(third).toMatchObject({ ok: true, mode: "incremental", leavesChecked: 0, failures: [] });
    expect(third.chains.rowsChecked).toBe(0);
    // The resume points are append-only for the portal's role.
    await expect(db.prisma.$executeRawUnsafe("UPDATE audit_verification SET tree_size = 0")).rejects.toThrow(/append-only|permission denied/);
  });

  it("names an edit of a row written since the last verification", async () => {
    const fresh = await write({ reason: "fresh" });
    const result = await whileTampered([`UPDATE audit_event SET reason = 'edited' WHERE id = ${fresh.id}`], (tx) => verify(tx));
    expect(result.mode).toBe("incremental");
    expect(result.failures[0]).toMatch(new RegExp(`^row ${fresh.id} \\(chain \\d+, seq \\d+\\): content hash does not match — the row was altered$`));
    await seal();
    await verify(db.prisma, { persist: true });
  });

  it("does not see an old row edited with its hashes left alone (documented); a full run names it", async () => {
    const [old] = await db.prisma.$queryRawUnsafe<Array<{ id: bigint }>>("SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 7");
    const result = await whileTampered([`UPDATE audit_event SET reason = 'quietly edited' WHERE id = ${old?.id}`], async (tx) => ({
      incremental: await verify(tx),
      full: await verify(tx, { full: true }),
    }));
    expect(result.incremental).toMatchObject({ ok: true, mode: "incremental" });
    expect(result.full.ok).toBe(false);
    expect(result.full.failures[0]).toMatch(new RegExp(`^row ${old?.id} .*content hash does not match — the row was altered$`));
  });

  it("names a verified row that was deleted", async () => {
    const [old] = await db.prisma.$queryRawUnsafe<Array<{ id: bigint }>>("SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 3");
    const result = await whileTampered([`DELETE FROM audit_event WHERE id = ${old?.id}`], (tx) => verify(tx));
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual(expect.arrayContaining([expect.stringMatching(/^the chains hold \d+ rows up to their heads, but \d+ were verified — 1 verified rows were deleted$/)]));
  });

  it("names a tail cut with the chain head rewound", async () => {
    const requestId = randomUUID();
    for (let i = 0; i < 3; i += 1) await write({ requestId });
    const { treeSize } = await seal();
    await verify(db.prisma, { persist: true });
    const cut = await db.prisma.$queryRawUnsafe<Array<{ chain_id: number; seq: bigint }>>(`SELECT chain_id, seq FROM audit_event WHERE request_id = '${requestId}' ORDER BY seq`);
    const firstCut = cut[0] as { chain_id: number; seq: bigint };
    const [before] = await readAuditRows(db.prisma, { chainId: firstCut.chain_id, afterSeq: firstCut.seq - 2n, throughSeq: firstCut.seq - 1n, limit: 1 });
    const keep = treeSize - 3;
    const result = await whileTampered(
      [
        `DELETE FROM audit_event WHERE request_id = '${requestId}'`,
        `UPDATE audit_chain_head SET seq = ${firstCut.seq - 1n}, hash = '${before?.hash}' WHERE chain_id = ${firstCut.chain_id}`,
        `DELETE FROM audit_merkle_leaf WHERE leaf_index >= ${keep}`,
        `DELETE FROM audit_checkpoint WHERE tree_size > ${keep}`,
        `UPDATE audit_log_state SET tree_size = ${keep}, frontier = NULL WHERE id = 1`,
      ],
      async (tx) => ({ chains: await verifyAuditChain(tx), trail: await verify(tx) }),
    );
    expect(result.chains.ok).toBe(true); // the chains alone miss it
    expect(result.trail.ok).toBe(false);
    expect(result.trail.failures[0]).toBe(
      `chain ${firstCut.chain_id}: head says seq ${firstCut.seq - 1n} but the chain resumes at the last verified seq ${firstCut.seq + 2n} — the head was moved back`,
    );
    expect(result.trail.failures).toContain(`the Merkle log holds ${keep} leaves, but ${treeSize} were verified — the log was rewound (rows cut from the tail)`);
  });

  it("names a history rewritten with recomputed chain hashes and leaves", async () => {
    const [{ chain_id: chainId } = { chain_id: 0 }] = await db.prisma.$queryRawUnsafe<Array<{ chain_id: number }>>(
      "SELECT chain_id FROM audit_event GROUP BY chain_id ORDER BY count(*) DESC LIMIT 1",
    );
    const result = await whileTampered([`UPDATE audit_event SET reason = 'rewritten' WHERE chain_id = ${chainId} AND seq = 1`], async (tx) => {
      const rows = await readAuditRows(tx, { chainId, afterSeq: 0n, throughSeq: 1_000_000n, limit: 10_000 });
      let prev = rows[0]?.prevHash as string;
      for (const row of rows) {
        const hash = hashAuditColumns({ ...row.columns, prev_hash: prev });
        await tx.$executeRawUnsafe(`UPDATE audit_event SET prev_hash = '${prev}', hash = '${hash}' WHERE id = ${row.id}`);
        await tx.$executeRawUnsafe(`UPDATE audit_merkle_leaf SET leaf_hash = encode(sha256('\\x00'::bytea || decode('${hash}', 'hex')), 'hex') WHERE audit_event_id = ${row.id}`);
        prev = hash;
      }
      await tx.$executeRawUnsafe(`UPDATE audit_chain_head SET hash = '${prev}' WHERE chain_id = ${chainId}`);
      return { chains: await verifyAuditChain(tx), trail: await verify(tx) };
    });
    expect(result.chains.ok).toBe(true);
    expect(result.trail.ok).toBe(false);
    expect(result.trail.failures[0]).toMatch(new RegExp(`^chain ${chainId}: head hash does not match the last verified row \\(seq \\d+\\) at seq \\d+ — the head or the row was altered$`));
  });

  it("names a forked checkpoint newer than the last verified one", async () => {
    for (let i = 0; i < 2; i += 1) await write();
    const { treeSize } = await seal();
    const forked = new MerkleTree(Array.from({ length: treeSize }, (_, i) => Buffer.alloc(32, i + 1)));
    const name = checkpointFileName(treeSize);
    fs.rmSync(path.join(directory, name), { force: true });
    await writeCheckpointFile(directory, treeSize, signCheckpoint({ origin: ORIGIN, treeSize, rootHash: forked.root(), time: new Date() }, signer));
    try {
      const result = await verify(db.prisma);
      expect(result.mode).toBe("incremental");
      expect(result.failures).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`^checkpoint file ${name}: the log's root at size ${treeSize} is not the signed root — it does not extend the checkpoint verified at size \\d+`))]),
      );
    } finally {
      fs.rmSync(path.join(directory, name), { force: true });
      const [stored] = await db.prisma.$queryRawUnsafe<Array<{ note: string }>>(`SELECT note FROM audit_checkpoint WHERE tree_size = ${treeSize}`);
      await writeCheckpointFile(directory, treeSize, stored?.note ?? "");
    }
    expect(await verify(db.prisma)).toMatchObject({ ok: true });
  });

  if (target.name === "PostgreSQL") {
    it("streams rows with COPY and hashes them exactly as the batch walk does, awkward content included, and names an edit", async () => {
      const batch = await verifyAuditChain(db.prisma);
      const copied = await verifyAuditChain(db.prisma, { copyClient });
      expect(copied).toMatchObject({ ok: true, rowsChecked: batch.rowsChecked });
      expect(copied.rowsChecked).toBeGreaterThan(AWKWARD.length);
      // An edit must be committed for the COPY connection to see it; restored afterwards.
      const [victim] = await db.prisma.$queryRawUnsafe<Array<{ id: bigint; filters: string }>>(`SELECT id, filters::text AS filters FROM audit_event WHERE filters->>'z' = '1' LIMIT 1`);
      const tamper = (sql: string, ...values: unknown[]) =>
        ownerPrisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe("ALTER TABLE audit_event DISABLE TRIGGER USER");
          await tx.$executeRawUnsafe(sql, ...values);
          await tx.$executeRawUnsafe("ALTER TABLE audit_event ENABLE TRIGGER USER");
        });
      await tamper(`UPDATE audit_event SET filters = '{"a": 2}'::jsonb WHERE id = ${victim?.id}`);
      try {
        const edited = await verifyAuditChain(db.prisma, { copyClient });
        expect(edited.firstFailure?.reason).toMatch(new RegExp(`^row ${victim?.id} .*content hash does not match — the row was altered$`));
        const full = await verify(db.prisma, { full: true, copy: true });
        expect(full.failures[0]).toMatch(new RegExp(`^row ${victim?.id} `));
      } finally {
        await tamper(`UPDATE audit_event SET filters = $1::jsonb WHERE id = ${victim?.id}`, victim?.filters);
      }
      expect(await verifyAuditChain(db.prisma, { copyClient })).toMatchObject({ ok: true });
    });
  }
});
