// One portal witnessing another's audit log (C2SP tlog-witness), each with a
// database of its own (PGlite always, PostgreSQL too when TEST_DATABASE_URL is
// set), over real HTTP: checkpoints are cosigned and the cosignatures kept and
// verified; a wrong token, a stale old size and an unknown log are refused as
// the protocol says; a rewound log and a forked log are refused by the
// witness AND named by verification; an unreachable witness is named, never
// blocking. Tampering runs as the owner with triggers off, rolled back.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { MerkleTree } from "@/server/audit/merkle/merkle";
import { sealAuditLog } from "@/server/audit/checkpoints/seal-audit-log";
import { parseSigningKey, signCheckpoint, verifierOf } from "@/server/audit/checkpoints/signed-note";
import { verifyAuditTrail } from "@/server/audit/verify-trail";
import { connectDatabase, type Database } from "@/server/db/connect";
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { seededTestTargets } from "@/test/test-databases";
import { cosignerVerifierOf, parseCosignerKey, verifyCosignature } from "./cosignature";
import { submitToWitnesses } from "./submit-checkpoints";
import { answerAddCheckpoint } from "./witness-endpoint";
import type { Witness, WitnessServerConfig } from "./witness-config";

const LOG_ORIGIN = "log.test/audit";
const pem = () => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const logSigner = parseSigningKey(pem(), LOG_ORIGIN);
const cosigner = parseCosignerKey(pem(), "witness.test/witness");
const TOKEN = randomBytes(24).toString("base64url");
const KEYS = [{ id: "wit1", key: randomBytes(32) }];

const logTargets = seededTestTargets({ label: "wlog", keys: KEYS });
const witnessTargets = seededTestTargets({ label: "wwit", keys: KEYS });

describe.each(logTargets.map((target, i) => ({ name: target.name, log: target, witness: witnessTargets[i] as (typeof witnessTargets)[number] })))(
  "a portal witnessing another's audit log on $name",
  ({ log, witness }) => {
    let logDb: Database;
    let witnessDb: Database;
    let owner: Database | undefined;
    let ownerPrisma: PrismaClient;
    let server: http.Server;
    let url: string;
    let witnesses: Witness[];
    const config: WitnessServerConfig = { enabled: true, token: TOKEN, cosigner, logs: new Map([[LOG_ORIGIN, verifierOf(logSigner)]]) };

    const write = async (count: number) => {
      for (let i = 0; i < count; i += 1) {
        await logDb.prisma.$transaction(
          (tx) =>
            writeAuditEvent(tx, { requestId: randomUUID(), actor: null, actorIp: "127.0.0.1", actorUserAgent: "vitest", action: "audit.search", outcome: "allowed" }, { chains: 2 }),
          AUDITED_TRANSACTION,
        );
      }
    };
    const seal = () => sealAuditLog(logDb.prisma, { signer: logSigner, directory: null });
    const post = (body: string, token = TOKEN) =>
      fetch(url, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "text/plain" }, body });
    const witnessed = () =>
      witnessDb.prisma.$queryRawUnsafe<Array<{ tree_size: number; root_hash: string }>>("SELECT tree_size::int, root_hash FROM audit_witnessed_checkpoint ORDER BY tree_size");

    async function whileTampered<T>(statements: string[], check: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
      let result: T | undefined;
      const rollback = new Error("rollback");
      await ownerPrisma
        .$transaction(
          async (tx) => {
            for (const table of ["audit_event", "audit_chain_head", "audit_merkle_leaf", "audit_log_state", "audit_checkpoint", "audit_checkpoint_cosignature"]) {
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
      logDb = await log.open();
      witnessDb = await witness.open();
      owner = log.migrationUrl ? await connectDatabase({ databaseUrl: log.migrationUrl, pgliteDataDir: "(unused)", poolSize: 2 }) : undefined;
      ownerPrisma = owner?.prisma ?? logDb.prisma;
      // The witness portal's endpoint, served over real HTTP.
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          const request = new Request(`http://witness.test${req.url}`, {
            method: req.method,
            headers: Object.entries(req.headers).flatMap(([name, value]) => (typeof value === "string" ? [[name, value] as [string, string]] : [])),
            body: Buffer.concat(chunks),
          });
          void answerAddCheckpoint(request, { config, prisma: async () => witnessDb.prisma }).then(async (response) => {
            res.writeHead(response.status, { "Content-Type": response.headers.get("content-type") ?? "text/plain" });
            res.end(await response.text());
          });
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/witness/add-checkpoint`;
      witnesses = [{ url, token: TOKEN, verifier: cosignerVerifierOf(cosigner) }];
    });
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
      await owner?.close();
      await logDb?.close();
      await witnessDb?.close();
      await log.dispose();
      await witness.dispose();
    });

    it("cosigns each new checkpoint with a consistency proof from the last one it cosigned, and the log keeps the cosignatures", async () => {
      await write(5);
      const first = await seal();
      expect(await submitToWitnesses(logDb.prisma, witnesses)).toEqual([{ witness: "witness.test/witness", url, result: "cosigned", treeSize: first.treeSize }]);
      await write(4);
      const second = await seal();
      expect(await submitToWitnesses(logDb.prisma, witnesses)).toMatchObject([{ result: "cosigned", treeSize: second.treeSize }]);
      expect(await submitToWitnesses(logDb.prisma, witnesses)).toMatchObject([{ result: "already", treeSize: second.treeSize }]);
      expect((await witnessed()).map((row) => row.tree_size)).toEqual([first.treeSize, second.treeSize]);

      const [stored] = await logDb.prisma.$queryRawUnsafe<Array<{ signature: string; note: string }>>(
        `SELECT c.signature, k.note FROM audit_checkpoint_cosignature c JOIN audit_checkpoint k USING (tree_size) WHERE c.tree_size = ${second.treeSize}`,
      );
      expect(verifyCosignature(stored?.note ?? "", (stored?.signature ?? "").trimEnd(), cosignerVerifierOf(cosigner)).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const verified = await verifyAuditTrail(logDb.prisma, { verifier: verifierOf(logSigner), directory: null, witnesses, persist: false });
      expect(verified).toMatchObject({ ok: true, cosignaturesChecked: 2, failures: [] });
      // Append-only on both sides.
      await expect(witnessDb.prisma.$executeRawUnsafe("DELETE FROM audit_witnessed_checkpoint")).rejects.toThrow(/append-only|permission denied/);
      await expect(logDb.prisma.$executeRawUnsafe("DELETE FROM audit_checkpoint_cosignature")).rejects.toThrow(/append-only|permission denied/);
    });

    it("refuses a wrong token (401), a stale old size (409 with the size it holds), an unknown log (404) and a bad signature (403)", async () => {
      const [latest] = await logDb.prisma.$queryRawUnsafe<Array<{ tree_size: number; note: string }>>("SELECT tree_size::int, note FROM audit_checkpoint ORDER BY tree_size DESC LIMIT 1");
      const note = latest?.note ?? "";
      const wrongToken = await post(`old 0\n\n${note}`, "not-the-token-at-all");
      expect(wrongToken.status).toBe(401);
      expect(await wrongToken.json()).toEqual({ error: { code: "unauthenticated", message: "The bearer token is not this witness's token." } });
      const stale = await post(`old 0\n\n${note}`);
      expect(stale.status).toBe(409);
      expect(stale.headers.get("content-type")).toBe("text/x.tlog.size");
      expect(await stale.text()).toBe(`${latest?.tree_size}\n`);
      const other = parseSigningKey(pem(), "other.test/audit");
      const unknown = await post(`old 0\n\n${signCheckpoint({ origin: "other.test/audit", treeSize: 1, rootHash: randomBytes(32), time: null }, other)}`);
      expect(unknown.status).toBe(404);
      const impostor = parseSigningKey(pem(), LOG_ORIGIN);
      const forged = await post(`old 0\n\n${signCheckpoint({ origin: LOG_ORIGIN, treeSize: 99, rootHash: randomBytes(32), time: null }, impostor)}`);
      expect(forged.status).toBe(403);
      expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/not validly signed by log\.test\/audit's key/);
      const malformed = await post("old x\n\nnot a note");
      expect(malformed.status).toBe(400);
    });

    it("refuses a rewound log that the database alone no longer shows (npm run audit:verify asks the witnesses too)", async () => {
      const { treeSize } = await seal();
      const keep = treeSize - 4;
      const result = await whileTampered(
        [
          `DELETE FROM audit_merkle_leaf WHERE leaf_index >= ${keep}`,
          `DELETE FROM audit_checkpoint WHERE tree_size > ${keep}`,
          `DELETE FROM audit_checkpoint_cosignature`,
          `UPDATE audit_log_state SET tree_size = ${keep}, frontier = NULL WHERE id = 1`,
        ],
        async (tx) => {
          // The rewound log signs a checkpoint at its new size, as the sealer would.
          const leaves = await tx.$queryRawUnsafe<Array<{ leaf_hash: string }>>(`SELECT leaf_hash FROM audit_merkle_leaf ORDER BY leaf_index`);
          const root = new MerkleTree(leaves.map((leaf) => Buffer.from(leaf.leaf_hash, "hex"))).root();
          const note = signCheckpoint({ origin: LOG_ORIGIN, treeSize: keep, rootHash: root, time: new Date() }, logSigner);
          await tx.$executeRawUnsafe(`DELETE FROM audit_checkpoint WHERE tree_size = ${keep}`);
          await tx.$executeRawUnsafe(`INSERT INTO audit_checkpoint (tree_size, root_hash, issued_at, note) VALUES (${keep}, '${root.toString("hex")}', now(), $1)`, note);
          const databaseOnly = await verifyAuditTrail(tx, { verifier: verifierOf(logSigner), directory: null, witnesses, full: true, persist: false });
          expect(databaseOnly).toMatchObject({ ok: true, treeSize: keep });
          return submitToWitnesses(tx, witnesses);
        },
      );
      expect(result).toMatchObject([
        { result: "refused", message: `witness witness.test/witness has cosigned size ${treeSize}, but the log's newest checkpoint is of size ${keep} — the log was rewound (rows cut from the tail)` },
      ]);
    });

    it("refuses a forked log (a checkpoint that does not extend the one it cosigned), and verification names it", async () => {
      const { treeSize } = await seal();
      const [firstLeaf] = await logDb.prisma.$queryRawUnsafe<Array<{ audit_event_id: bigint }>>("SELECT audit_event_id FROM audit_merkle_leaf WHERE leaf_index = 0");
      const fake = randomBytes(32).toString("hex");
      const result = await whileTampered(
        [`UPDATE audit_merkle_leaf SET leaf_hash = '${fake}' WHERE leaf_index = 0`, `DELETE FROM audit_checkpoint WHERE tree_size >= ${treeSize}`],
        async (tx) => {
          // Two more leaves, and a checkpoint over the rewritten history, signed with the log's own key.
          for (let i = 0; i < 2; i += 1) {
            await tx.$executeRawUnsafe(`INSERT INTO audit_merkle_leaf (leaf_index, audit_event_id, leaf_hash) VALUES (${treeSize + i}, ${900_000_000 + i}, '${randomBytes(32).toString("hex")}')`);
          }
          const leaves = await tx.$queryRawUnsafe<Array<{ leaf_hash: string }>>(`SELECT leaf_hash FROM audit_merkle_leaf ORDER BY leaf_index`);
          const root = new MerkleTree(leaves.map((leaf) => Buffer.from(leaf.leaf_hash, "hex"))).root();
          const note = signCheckpoint({ origin: LOG_ORIGIN, treeSize: treeSize + 2, rootHash: root, time: new Date() }, logSigner);
          await tx.$executeRawUnsafe(`INSERT INTO audit_checkpoint (tree_size, root_hash, issued_at, note) VALUES (${treeSize + 2}, '${root.toString("hex")}', now(), $1)`, note);
          return {
            outcomes: await submitToWitnesses(tx, witnesses),
            verification: await verifyAuditTrail(tx, { verifier: verifierOf(logSigner), directory: null, witnesses, full: true, persist: false }),
          };
        },
      );
      expect(result.outcomes).toMatchObject([
        { result: "refused", message: expect.stringMatching(new RegExp(`^witness witness\\.test/witness refused checkpoint ${treeSize + 2} \\(old size ${treeSize}\\): HTTP 422 .*does not extend the one witnessed`)) },
      ]);
      expect(result.verification.ok).toBe(false);
      expect(result.verification.failures).toEqual(
        expect.arrayContaining([
          `leaf 0: audit row ${firstLeaf?.audit_event_id}'s hash no longer gives the leaf sealed for it — the row was rewritten after it was sealed`,
          `witness witness.test/witness's cosignature of checkpoint ${treeSize}: the database no longer holds the checkpoint it cosigned — stored checkpoints were removed`,
        ]),
      );
      // The witness kept only what extends what it saw.
      expect((await witnessed()).at(-1)?.tree_size).toBe(treeSize);
    });

    it("names a witness that cannot be reached, and goes on", async () => {
      await write(1);
      await seal();
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/api/v1/witness/add-checkpoint`;
      await new Promise((resolve) => closed.close(resolve));
      const outcomes = await submitToWitnesses(logDb.prisma, [{ ...(witnesses[0] as Witness), url: deadUrl }, ...witnesses]);
      expect(outcomes).toMatchObject([
        { result: "unreachable", message: `witness witness.test/witness at ${deadUrl} is unreachable: ECONNREFUSED` },
        { result: "cosigned" },
      ]);
    });
  },
);
