// `npm run audit:verify` as an operator or auditor runs it, against a real
// database (PostgreSQL when TEST_DATABASE_URL is set, else an embedded
// PGlite): incremental by default, --full, consistency bundles, and each fault
// — a tampered checkpoint file, a wrong public key, a truncated or altered
// bundle, an unreachable witness — a specific sentence and a non-zero exit,
// never a stack trace.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { checkpointFileName } from "@/server/audit/checkpoints/checkpoint-sink";
import { buildConsistencyBundle, type ConsistencyBundle } from "@/server/audit/checkpoints/proof-bundle";
import { sealAuditLog } from "@/server/audit/checkpoints/seal-audit-log";
import { formatSigningKey, formatVerifierKey, parseSigningKey, signCheckpoint } from "@/server/audit/checkpoints/signed-note";
import { MerkleTree } from "@/server/audit/merkle/merkle";
import { formatCosignerVerifierKey, parseCosignerKey } from "@/server/audit/witness/cosignature";
import { connectDatabase, type Database } from "@/server/db/connect";
import { migrateDatabase } from "@/server/db/migrate";
import { seededTestTargets } from "@/test/test-databases";

const ORIGIN = "cli.test/audit";
const pem = () => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const signer = parseSigningKey(pem(), ORIGIN);
const root = path.resolve(import.meta.dirname, "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tp-cli-it-"));
const directory = path.join(work, "checkpoints");
const keyFile = path.join(work, "signing-key");
fs.writeFileSync(keyFile, `${formatSigningKey(signer)}\n`, { mode: 0o600 });

const serverUrl = process.env.TEST_DATABASE_URL;
const pgTarget = serverUrl ? seededTestTargets({ label: "cli", keys: [{ id: "cli1", key: randomBytes(32) }] }).find((target) => target.name === "PostgreSQL") : undefined;
const pgliteDir = path.join(work, "pglite");

describe(`npm run audit:verify on ${pgTarget ? "PostgreSQL" : "PGlite"}`, () => {
  let db: Database | undefined;
  const open = async () => (db = pgTarget ? await pgTarget.open() : await connectDatabase({ pgliteDataDir: pgliteDir }));
  /** PGlite serves one process: close before the CLI runs. */
  const release = async () => {
    if (!pgTarget) {
      await db?.close();
      db = undefined;
    }
  };
  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    PORTAL_ENV: "development",
    DATA_DIR: work,
    DATABASE_URL: pgTarget?.databaseUrl ?? "",
    DATABASE_MIGRATION_URL: "",
    PGLITE_DATA_DIR: pgliteDir,
    AUDIT_SIGNING_KEY_FILE: keyFile,
    AUDIT_CHECKPOINT_DIR: directory,
    AUDIT_LOG_ORIGIN: ORIGIN,
    AUDIT_WITNESS_URLS: "",
    AUDIT_WITNESS_KEYS: "",
    ...extra,
  });
  const cli = async (args: string[], extra: Record<string, string> = {}) => {
    await release();
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts", ...args], { cwd: root, env: env(extra), encoding: "utf8", timeout: 120_000 });
    const result = { code: run.status, stdout: run.stdout, stderr: run.stderr, out: `${run.stdout}${run.stderr}` };
    expect(result.out, "never a stack trace").not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    return result;
  };
  const write = async (count: number) => {
    const prisma = (db ?? (await open())).prisma;
    for (let i = 0; i < count; i += 1) {
      await prisma.$transaction(
        (tx) => writeAuditEvent(tx, { requestId: randomUUID(), actor: null, actorIp: "127.0.0.1", actorUserAgent: "vitest", action: "audit.search", outcome: "allowed" }, { chains: 4 }),
        AUDITED_TRANSACTION,
      );
    }
    return sealAuditLog(prisma, { signer, directory });
  };

  beforeAll(async () => {
    if (!pgTarget) await migrateDatabase({ env: { ...process.env, DATABASE_URL: "", DATABASE_MIGRATION_URL: "", PGLITE_DATA_DIR: pgliteDir }, log: () => undefined });
    await open();
  });
  afterAll(async () => {
    await db?.close();
    await pgTarget?.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("verifies in full the first time, incrementally after, and in full again with --full", async () => {
    await write(6);
    const first = await cli([]);
    expect(first.stdout).toMatch(/^Audit trail intact: \d+ rows in \d+ chains verified in [\d.]+ s \(\d+ rows\/s\), full\.\nMerkle log consistent with the signed checkpoints up to size \d+/);
    expect(first.code).toBe(0);
    await open();
    await write(3);
    const second = await cli([]);
    expect(second.stdout).toMatch(/^Audit trail intact: 3 rows in \d+ chains verified in [\d.]+ s \(\d+ rows\/s\), incremental from the verification of \d{4}-\d\d-\d\dT[\d:.]+Z \(checkpoint \d+, 6 rows\); --full re-checks every row\./);
    expect(second.code).toBe(0);
    const full = await cli(["--full"]);
    expect(full.stdout).toMatch(/^Audit trail intact: 9 rows in \d+ chains verified .*, full\./);
    expect(full.code).toBe(0);
  }, 120_000);

  it("names a tampered checkpoint file (exit 1) and a wrong public key (exit 1)", async () => {
    const { treeSize } = await write(2);
    const file = path.join(directory, checkpointFileName(treeSize));
    const original = fs.readFileSync(file, "utf8");
    const lines = original.split("\n");
    lines[2] = Buffer.alloc(32, 7).toString("base64");
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, lines.join("\n"));
    try {
      const tampered = await cli([]);
      expect(tampered.code).toBe(1);
      expect(tampered.stdout).toContain(`  - checkpoint file ${checkpointFileName(treeSize)}: its signature by ${ORIGIN} does not verify — the checkpoint text was altered.`);
    } finally {
      fs.writeFileSync(file, original);
    }
    const other = parseSigningKey(pem(), ORIGIN);
    const wrongKey = await cli(["--full", "--public-key", formatVerifierKey(other)]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/it is not signed by the key cli\.test\/audit\+[0-9a-f]{8} \(its signatures are by cli\.test\/audit\+[0-9a-f]{8}\) — the wrong public key, or a checkpoint of another log/);
    const garbageKey = await cli(["--public-key", "not-a-key"]);
    expect(garbageKey).toMatchObject({ code: 2, stderr: expect.stringContaining("The public key is not a <name>+<key id>+<base64> Ed25519 verifier key") });
  }, 120_000);

  it("checks a consistency bundle with the key alone; an altered one fails (1), a truncated one is unusable (2)", async () => {
    const prisma = (db ?? (await open())).prisma;
    const sizes = (await prisma.$queryRawUnsafe<Array<{ tree_size: number }>>("SELECT tree_size::int FROM audit_checkpoint ORDER BY tree_size")).map((row) => row.tree_size);
    const [from, to] = [sizes[0] as number, sizes.at(-1) as number];
    const bundle = (await prisma.$transaction((tx) => buildConsistencyBundle(tx, from, to))) as ConsistencyBundle;
    const key = formatVerifierKey(signer);
    const files = { good: path.join(work, "good.json"), forked: path.join(work, "forked.json"), truncated: path.join(work, "truncated.json"), altered: path.join(work, "altered.json") };
    const text = JSON.stringify(bundle, null, 2);
    fs.writeFileSync(files.good, text);
    const fork = new MerkleTree(Array.from({ length: to }, (_, i) => Buffer.alloc(32, i + 1)));
    fs.writeFileSync(files.forked, JSON.stringify({ ...bundle, newCheckpoint: signCheckpoint({ origin: ORIGIN, treeSize: to, rootHash: fork.root(), time: new Date() }, signer) }));
    fs.writeFileSync(files.truncated, text.slice(0, Math.floor(text.length / 2)));
    fs.writeFileSync(files.altered, JSON.stringify({ ...bundle, consistencyProof: undefined }));
    const good = await cli(["--bundle", files.good, "--public-key", key]);
    expect(good).toMatchObject({ code: 0, stdout: `Consistency bundle verified: the log checkpointed at size ${from} is a prefix of the log checkpointed at size ${to}, both signed by ${ORIGIN}.\n` });
    const forked = await cli(["--bundle", files.forked, "--public-key", key]);
    expect(forked).toMatchObject({ code: 1, stdout: expect.stringContaining(`Consistency bundle FAILED: the consistency proof from size ${from} to ${to} does not verify — the newer checkpoint does not extend the older one`) });
    const truncated = await cli(["--bundle", files.truncated, "--public-key", key]);
    expect(truncated).toMatchObject({ code: 2, stderr: `Cannot read the proof bundle ${files.truncated}: it is not complete JSON (truncated?).\n` });
    const altered = await cli(["--bundle", files.altered, "--public-key", key]);
    expect(altered).toMatchObject({ code: 2, stderr: `${files.altered} is not a proof bundle (truncated or altered?): consistencyProof Invalid input: expected array, received undefined.\n` });
    const missing = await cli(["--bundle", path.join(work, "nope.json"), "--public-key", key]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("there is no such file") });
  }, 120_000);

  it("says which witness cannot be reached and exits 2 (nothing else wrong)", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/api/v1/witness/add-checkpoint`;
    await new Promise((resolve) => closed.close(resolve));
    const witnessKey = formatCosignerVerifierKey(parseCosignerKey(pem(), "w.test/witness"));
    const result = await cli([], { AUDIT_WITNESS_URLS: url, AUDIT_WITNESS_KEYS: witnessKey });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Audit trail intact/);
    expect(result.stderr).toBe(`Witness check incomplete: witness w.test/witness at ${url} is unreachable: ECONNREFUSED.\n`);
  }, 120_000);
});
