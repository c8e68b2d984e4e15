// The Merkle log and its signed checkpoints against real databases (PGlite
// always, PostgreSQL when TEST_DATABASE_URL is set, as the runtime role):
// sealing without skips or doubles (also when a lower id commits later), and
// each detection — an edited row, a deleted row, a tail cut with the head
// rewound, a history rewritten with recomputed chain hashes, a forked
// checkpoint file — plus the offline proof bundle. Tampering runs as the
// owner with triggers off, inside a transaction that is rolled back.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { hashAuditColumns } from "@/server/audit/canonical";
import { readAuditRows, verifyAuditChain } from "@/server/audit/verify-audit-chain";
import { pickChain, writeAuditEvent, type AuditEntry } from "@/server/audit/write-audit-event";
import { MerkleTree } from "@/server/audit/merkle/merkle";
import { connectDatabase, type Database } from "@/server/db/connect";
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { seededTestTargets } from "@/test/test-databases";
import { checkpointFileName, writeCheckpointFile } from "./checkpoint-sink";
import { buildProofBundle, verifyProofBundle, type ProofBundle } from "./proof-bundle";
import { sealAuditLog } from "./seal-audit-log";
import { formatVerifierKey, parseSigningKey, signCheckpoint, verifierOf } from "./signed-note";
import { verifyAuditCheckpoints } from "./verify-checkpoints";

const ORIGIN = "portal.test/audit";
const newSigner = () => parseSigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), ORIGIN);
const KEYS = [{ id: "merkle1", key: randomBytes(32) }];

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    requestId: randomUUID(),
    actor: { personId: randomUUID(), email: "ada@github.com", employer: "github", groups: ["copilot_team"], roles: ["auditor"] },
    actorIp: "127.0.0.1",
    actorUserAgent: "vitest",
    action: "audit.view",
    outcome: "allowed",
    ...overrides,
  };
}
const write = (prisma: PrismaClient, overrides: Partial<AuditEntry> = {}) =>
  prisma.$transaction((tx) => writeAuditEvent(tx, entry(overrides), { chains: 8 }), AUDITED_TRANSACTION);

/** Tampering as the owner, triggers off, then `check` on the tampered data; everything is rolled back. */
async function whileTampered<T>(owner: PrismaClient, statements: string[], check: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  let result: T | undefined;
  const rollback = new Error("rollback");
  await owner
    .$transaction(
      async (tx) => {
        for (const table of ["audit_event", "audit_chain_head", "audit_merkle_leaf", "audit_log_state", "audit_checkpoint"]) {
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

describe.each(seededTestTargets({ label: "merkle", keys: KEYS }))("the audit Merkle log on $name", (target) => {
  let db: Database;
  let owner: Database | undefined;
  let ownerPrisma: PrismaClient;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "tp-checkpoints-it-"));
  const signer = newSigner();
  const verifier = verifierOf(signer);
  const seal = (prisma: PrismaClient = db.prisma, batchSize?: number) => sealAuditLog(prisma, { signer, directory, batchSize });
  const verify = (prisma: PrismaClient | Prisma.TransactionClient = db.prisma) => verifyAuditCheckpoints(prisma, { verifier, directory });

  beforeAll(async () => {
    db = await target.open();
    const ownerUrl = target.migrationUrl;
    owner = ownerUrl ? await connectDatabase({ databaseUrl: ownerUrl, pgliteDataDir: "(unused)", poolSize: 2 }) : undefined;
    ownerPrisma = owner?.prisma ?? db.prisma;
  });
  afterAll(async () => {
    await owner?.close();
    await db?.close();
    await target.dispose();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("seals every committed row once, in batches, signing a checkpoint to the table and the directory", async () => {
    for (let i = 0; i < 23; i += 1) await write(db.prisma);
    const rows = await db.prisma.auditEvent.count();
    const first = await seal(db.prisma, 10);
    expect(first).toMatchObject({ appended: rows, treeSize: rows, checkpoints: 3, filesWritten: 1 });
    expect(fs.readFileSync(path.join(directory, checkpointFileName(rows)), "utf8")).toMatch(new RegExp(`^portal\\.test/audit\\n${rows}\\n`));
    // Idempotent: nothing new, nothing rewritten.
    expect(await seal()).toMatchObject({ appended: 0, treeSize: rows, checkpoints: 0, filesWritten: 0 });
    const leaves = await db.prisma.$queryRawUnsafe<Array<{ n: number; distinct_rows: number; max_index: number }>>(
      "SELECT count(*)::int AS n, count(DISTINCT audit_event_id)::int AS distinct_rows, max(leaf_index)::int AS max_index FROM audit_merkle_leaf",
    );
    expect(leaves).toEqual([{ n: rows, distinct_rows: rows, max_index: rows - 1 }]);
    for (let i = 0; i < 5; i += 1) await write(db.prisma);
    expect(await seal()).toMatchObject({ appended: 5, treeSize: rows + 5, checkpoints: 1, filesWritten: 1 });
    const result = await verify();
    expect(result).toMatchObject({ ok: true, checkpoints: 4, files: 2, logSize: rows + 5, failures: [] });
    // The runtime role may not rewrite the log.
    await expect(db.prisma.$executeRawUnsafe("UPDATE audit_merkle_leaf SET leaf_hash = 'x'")).rejects.toThrow(/append-only|permission denied/);
    await expect(db.prisma.$executeRawUnsafe("UPDATE audit_log_state SET tree_size = 0")).rejects.toThrow(/only grows|permission denied/);
  });

  if (target.name === "PostgreSQL") {
    it("seals a row whose transaction commits after a higher id's, later, and never twice", async () => {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let lowId = 0n;
      const slowRequest = randomUUID();
      const slow = db.prisma.$transaction(async (tx) => {
        lowId = (await writeAuditEvent(tx, entry({ requestId: slowRequest }), { chains: 8 })).id;
        await held;
      }, AUDITED_TRANSACTION);
      while (lowId === 0n) await new Promise((resolve) => setTimeout(resolve, 20));
      // on another chain: the open transaction holds its chain's head until it ends
      let highRequest = randomUUID();
      while (pickChain(highRequest, 8) === pickChain(slowRequest, 8)) highRequest = randomUUID();
      const high = await write(db.prisma, { requestId: highRequest });
      expect(high.id).toBeGreaterThan(lowId);
      await seal();
      const sealed = async (id: bigint) => (await db.prisma.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM audit_merkle_leaf WHERE audit_event_id = ${id}`)).length;
      expect(await sealed(high.id)).toBe(1);
      expect(await sealed(lowId)).toBe(0);
      // The floor must not have passed the uncommitted row.
      await seal();
      release();
      await slow;
      await seal();
      await seal();
      expect(await sealed(lowId)).toBe(1);
      expect(await sealed(high.id)).toBe(1);
      expect(await verify()).toMatchObject({ ok: true });
    });
  }

  it("names an edited row (chains) and a deleted row (chains and log)", async () => {
    const [victim] = await db.prisma.$queryRawUnsafe<Array<{ id: bigint }>>("SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 3");
    const edited = await whileTampered(ownerPrisma, [`UPDATE audit_event SET reason = 'edited' WHERE id = ${victim?.id}`], (tx) => verifyAuditChain(tx));
    expect(edited.firstFailure?.reason).toMatch(/content hash does not match — the row was altered/);
    const deleted = await whileTampered(ownerPrisma, [`DELETE FROM audit_event WHERE id = ${victim?.id}`], async (tx) => ({ chain: await verifyAuditChain(tx), log: await verify(tx) }));
    expect(deleted.chain.ok).toBe(false);
    expect(deleted.log.failures).toContain(`leaf 3: audit row ${victim?.id} is missing — the row was deleted`);
  });

  it("names a tail cut with the chain head rewound, which the chains alone miss", async () => {
    // on a chain that already holds rows: the head is rewound to the row before the cut
    const used = new Set((await db.prisma.$queryRawUnsafe<Array<{ chain_id: number }>>("SELECT DISTINCT chain_id FROM audit_event")).map((row) => row.chain_id));
    expect(used.size).toBeGreaterThan(0);
    let requestId = randomUUID();
    while (!used.has(pickChain(requestId, 8))) requestId = randomUUID();
    for (let i = 0; i < 3; i += 1) await write(db.prisma, { requestId });
    const { treeSize } = await seal();
    const cut = await db.prisma.$queryRawUnsafe<Array<{ id: bigint; chain_id: number; seq: bigint }>>(`SELECT id, chain_id, seq FROM audit_event WHERE request_id = '${requestId}' ORDER BY seq`);
    const firstCut = cut[0] as { chain_id: number; seq: bigint };
    const [before] = await readAuditRows(db.prisma, { chainId: firstCut.chain_id, afterSeq: firstCut.seq - 2n, throughSeq: firstCut.seq - 1n, limit: 1 });
    const keep = treeSize - 3;
    const leaves = await db.prisma.$queryRawUnsafe<Array<{ leaf_hash: string }>>(`SELECT leaf_hash FROM audit_merkle_leaf WHERE leaf_index < ${keep} ORDER BY leaf_index`);
    const frontier = new MerkleTree(leaves.map((leaf) => Buffer.from(leaf.leaf_hash, "hex")));
    const result = await whileTampered(
      ownerPrisma,
      [
        `DELETE FROM audit_event WHERE request_id = '${requestId}'`,
        `UPDATE audit_chain_head SET seq = ${firstCut.seq - 1n}, hash = '${before?.hash}' WHERE chain_id = ${firstCut.chain_id}`,
        `DELETE FROM audit_merkle_leaf WHERE leaf_index >= ${keep}`,
        `DELETE FROM audit_checkpoint WHERE tree_size > ${keep}`,
        // the attacker re-signs nothing: the stored checkpoints up to `keep` still hold
        `UPDATE audit_log_state SET tree_size = ${keep}, frontier = NULL WHERE id = 1`,
      ],
      async (tx) => ({ chain: await verifyAuditChain(tx), log: await verify(tx) }),
    );
    expect(frontier.size).toBe(keep);
    expect(result.chain.ok).toBe(true);
    expect(result.log.ok).toBe(false);
    expect(result.log.failures).toContain(
      `checkpoint file ${checkpointFileName(treeSize)}: the log has only ${keep} leaves, the checkpoint covers ${treeSize} — rows were cut from the tail (or the log was rewound)`,
    );
  });

  it("names a history rewritten with recomputed chain hashes (and leaves), against the checkpoint files", async () => {
    const [{ chain_id: chainId } = { chain_id: 0 }] = await db.prisma.$queryRawUnsafe<Array<{ chain_id: number }>>(
      "SELECT chain_id FROM audit_event GROUP BY chain_id ORDER BY count(*) DESC LIMIT 1",
    );
    const result = await whileTampered(ownerPrisma, [`UPDATE audit_event SET reason = 'rewritten' WHERE chain_id = ${chainId} AND seq = 1`], async (tx) => {
      // Recompute the whole chain as an owner would, then the leaves, and drop the stored checkpoints.
      const rows = await readAuditRows(tx, { chainId, afterSeq: 0n, throughSeq: 1_000_000n, limit: 10_000 });
      let prev = rows[0]?.prevHash as string;
      for (const row of rows) {
        const hash = hashAuditColumns({ ...row.columns, prev_hash: prev });
        await tx.$executeRawUnsafe(`UPDATE audit_event SET prev_hash = '${prev}', hash = '${hash}' WHERE id = ${row.id}`);
        await tx.$executeRawUnsafe(
          `UPDATE audit_merkle_leaf SET leaf_hash = encode(sha256('\\x00'::bytea || decode('${hash}', 'hex')), 'hex') WHERE audit_event_id = ${row.id}`,
        );
        prev = hash;
      }
      await tx.$executeRawUnsafe(`UPDATE audit_chain_head SET hash = '${prev}' WHERE chain_id = ${chainId}`);
      await tx.$executeRawUnsafe("DELETE FROM audit_checkpoint");
      return { chain: await verifyAuditChain(tx), log: await verify(tx) };
    });
    expect(result.chain.ok).toBe(true);
    expect(result.log.ok).toBe(false);
    expect(result.log.failures.some((failure) => /^checkpoint file checkpoint-\d+\.txt: the log's root at size \d+ is not the signed root — audit rows up to that size were rewritten/.test(failure))).toBe(true);
  });

  it("names a forked checkpoint file: validly signed, not consistent with the next", async () => {
    const { treeSize } = await seal();
    // Fork at a size the database also holds a checkpoint of (its file was never written: only the newest is).
    const [{ size: forkSize } = { size: 0 }] = await db.prisma.$queryRawUnsafe<Array<{ size: number }>>(
      `SELECT max(tree_size)::int AS size FROM audit_checkpoint WHERE tree_size < ${treeSize}`,
    );
    expect(forkSize).toBeGreaterThan(0);
    const forged = new MerkleTree(Array.from({ length: forkSize }, (_, i) => Buffer.alloc(32, i + 1)));
    const name = checkpointFileName(forkSize);
    fs.rmSync(path.join(directory, name), { force: true });
    await writeCheckpointFile(directory, forkSize, signCheckpoint({ origin: ORIGIN, treeSize: forkSize, rootHash: forged.root(), time: new Date() }, signer));
    try {
      const result = await verify();
      expect(result.ok).toBe(false);
      expect(result.failures).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^checkpoint file ${name} and stored checkpoint at size ${forkSize} sign different roots for size ${forkSize} — the log was forked$`)),
          expect.stringMatching(new RegExp(`^checkpoint file ${name}: the log's root at size ${forkSize} is not the signed root`)),
          expect.stringMatching(new RegExp(`^checkpoint file ${name} is not consistent with .*: the consistency proof from size ${forkSize} to \\d+ fails — one of them is a fork$`)),
        ]),
      );
      // A file that is not a checkpoint at all, and the wrong public key, are named too.
      fs.writeFileSync(path.join(directory, checkpointFileName(1)), "garbage\n");
      const garbage = await verify();
      expect(garbage.failures).toContain(`checkpoint file ${checkpointFileName(1)}: it is not a signed note (no blank line between text and signatures, or no final newline)`);
      const wrongKey = await verifyAuditCheckpoints(db.prisma, { verifier: verifierOf(newSigner()), directory: null });
      expect(wrongKey.ok).toBe(false);
      expect(wrongKey.failures[0]).toMatch(/^stored checkpoint at size \d+: it is not signed by the key portal\.test\/audit\+[0-9a-f]{8} .* the wrong public key/);
    } finally {
      fs.rmSync(path.join(directory, name), { force: true });
      fs.rmSync(path.join(directory, checkpointFileName(1)), { force: true });
    }
  });

  it("gives an offline proof bundle that verifies with the key alone, and fails when altered or under another key", async () => {
    const written = await write(db.prisma, { reason: "bundle me" });
    await expect(db.prisma.$transaction((tx) => buildProofBundle(tx, written.id))).rejects.toThrow(/not in the Merkle log yet/);
    await seal();
    const bundle = (await db.prisma.$transaction((tx) => buildProofBundle(tx, written.id))) as ProofBundle;
    expect(bundle).toMatchObject({ auditEventId: String(written.id), row: { reason: "bundle me" } });
    const roundTripped = JSON.parse(JSON.stringify(bundle)) as ProofBundle;
    expect(verifyProofBundle(roundTripped, verifier)).toMatchObject({ ok: true, leafIndex: bundle.leafIndex, treeSize: bundle.treeSize });
    expect(verifyProofBundle({ ...roundTripped, row: { ...roundTripped.row, reason: "other" } }, verifier)).toEqual({
      ok: false,
      reason: "the row's content does not hash to its rowHash — the row was altered",
    });
    const proof = [...roundTripped.inclusionProof];
    proof[0] = Buffer.alloc(32, 9).toString("base64");
    expect(verifyProofBundle({ ...roundTripped, inclusionProof: proof }, verifier)).toMatchObject({ ok: false, reason: expect.stringMatching(/inclusion proof does not lead from leaf/) });
    expect(verifyProofBundle(roundTripped, verifierOf(newSigner()))).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed by the key/) });
    expect(await db.prisma.$transaction((tx) => buildProofBundle(tx, 999_999_999n))).toBeNull();

    // The CLI, with no database at all: 0 verified, 1 with the reason, 2 on unusable input.
    if (target.name !== "PGlite") return;
    const cli = (file: string, key: string) => {
      const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts", "--bundle", file, "--public-key", key], {
        cwd: path.resolve(import.meta.dirname, "../../.."),
        env: { ...process.env, DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" },
        encoding: "utf8",
      });
      return { code: run.status, out: `${run.stdout}${run.stderr}` };
    };
    const good = path.join(directory, "bundle.json");
    const altered = path.join(directory, "altered.json");
    const truncated = path.join(directory, "truncated.json");
    const text = JSON.stringify(bundle);
    fs.writeFileSync(good, text);
    fs.writeFileSync(altered, JSON.stringify({ ...bundle, row: { ...bundle.row, outcome: "denied" } }));
    fs.writeFileSync(truncated, text.slice(0, text.length / 2));
    const key = formatVerifierKey(signer);
    try {
      expect(cli(good, key)).toMatchObject({ code: 0, out: expect.stringMatching(/^Proof bundle verified: audit row \d+ is leaf \d+ of the log checkpointed at size \d+/) });
      expect(cli(altered, key)).toMatchObject({ code: 1, out: expect.stringContaining("Proof bundle FAILED: the row's content does not hash to its rowHash") });
      expect(cli(good, formatVerifierKey(newSigner()))).toMatchObject({ code: 1, out: expect.stringContaining("not signed by the key") });
      expect(cli(truncated, key)).toMatchObject({ code: 2, out: expect.stringContaining("it is not complete JSON (truncated?)") });
      expect(cli(good, "not-a-key")).toMatchObject({ code: 2, out: expect.stringContaining("The public key is not a <name>+<key id>+<base64> Ed25519 verifier key") });
    } finally {
      for (const file of [good, altered, truncated]) fs.rmSync(file, { force: true });
    }
  }, 60_000);
});
