// Offline proof bundles: one audit row, its place in the Merkle log, the
// inclusion proof and the signed checkpoint it is included in — everything an
// auditor needs to check, with only the log's public key, that the row is part
// of the history the portal signed (`npm run audit:verify -- --bundle FILE
// --public-key KEY`, or their own tool: SHA-256 of the row's canonical JSON is
// its chain hash, the leaf is SHA-256(0x00 || that hash), RFC 9162 §2.1.3.2).
//
// No "server-only": the CLI verifies bundles without a database.
import { z } from "zod";
import type { Prisma } from "@/server/db/generated/client";
import { MerkleTree, auditLeafHash, verifyConsistency, verifyInclusion } from "@/server/audit/merkle/merkle";
import { canonicalAuditColumns, canonicalJson, sha256Hex } from "@/server/audit/canonical";
import { readAuditRows } from "@/server/audit/verify-audit-chain";
import { NoteError, openCheckpoint, type NoteVerifier } from "./signed-note";

export const PROOF_BUNDLE_FORMAT = "telemetry-portal-audit-proof/1";

const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "must be a base64 SHA-256 hash");

export const proofBundleSchema = z.strictObject({
  format: z.literal(PROOF_BUNDLE_FORMAT),
  auditEventId: z.string().regex(/^\d{1,19}$/),
  /** the row's hashed columns by SQL name, as canonical.ts hashes them */
  row: z.record(z.string(), z.unknown()),
  rowHash: z.string().regex(/^[0-9a-f]{64}$/),
  leafIndex: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  treeSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  inclusionProof: z.array(base64Hash).max(64),
  /** the C2SP signed checkpoint of size treeSize */
  checkpoint: z.string().min(1).max(16_384),
});

export type ProofBundle = z.infer<typeof proofBundleSchema>;

/** The row or log cannot give a bundle now (not sealed yet, no checkpoint covering it, log inconsistent). */
export class ProofUnavailableError extends Error {
  override name = "ProofUnavailableError";
}

export async function buildProofBundle(tx: Prisma.TransactionClient, auditEventId: bigint): Promise<ProofBundle | null> {
  const [event] = await tx.$queryRaw<Array<{ chain_id: number; seq: bigint }>>`SELECT chain_id, seq FROM audit_event WHERE id = ${auditEventId}`;
  if (!event) return null;
  const seq = BigInt(event.seq);
  const [stored] = await readAuditRows(tx, { chainId: Number(event.chain_id), afterSeq: seq - 1n, throughSeq: seq, limit: 1 });
  if (!stored) return null;
  const [leaf] = await tx.$queryRaw<Array<{ leaf_index: string }>>`SELECT leaf_index::text FROM audit_merkle_leaf WHERE audit_event_id = ${auditEventId}`;
  if (!leaf) throw new ProofUnavailableError(`Audit row ${auditEventId} is not in the Merkle log yet: the audit.checkpoint job adds it within a minute or two.`);
  const leafIndex = Number(leaf.leaf_index);
  const [checkpoint] = await tx.$queryRaw<Array<{ tree_size: string; root_hash: string; note: string }>>`
    SELECT c.tree_size::text AS tree_size, c.root_hash, c.note FROM audit_checkpoint c WHERE c.tree_size > ${BigInt(leafIndex)} ORDER BY c.tree_size DESC LIMIT 1`;
  if (!checkpoint) throw new ProofUnavailableError(`No signed checkpoint covers audit row ${auditEventId} yet: the audit.checkpoint job signs one within a minute or two.`);
  const treeSize = Number(checkpoint.tree_size);
  const leaves = await tx.$queryRaw<Array<{ leaf_hash: string }>>`
    SELECT leaf_hash FROM audit_merkle_leaf WHERE leaf_index < ${BigInt(treeSize)} ORDER BY leaf_index`;
  const tree = new MerkleTree(leaves.map((row) => Buffer.from(row.leaf_hash, "hex")));
  if (tree.size !== treeSize || tree.root().toString("hex") !== checkpoint.root_hash || !tree.leaf(leafIndex).equals(auditLeafHash(stored.hash))) {
    throw new ProofUnavailableError("The Merkle log does not match its newest checkpoint, so no proof can be given: run npm run audit:verify.");
  }
  return {
    format: PROOF_BUNDLE_FORMAT,
    auditEventId: auditEventId.toString(),
    row: JSON.parse(canonicalAuditColumns(stored.columns)) as Record<string, unknown>,
    rowHash: stored.hash,
    leafIndex,
    treeSize,
    inclusionProof: tree.inclusionProof(leafIndex).map((hash) => hash.toString("base64")),
    checkpoint: checkpoint.note,
  };
}

export type BundleVerdict = { ok: true; treeSize: number; leafIndex: number; time: Date | null } | { ok: false; reason: string };

/** Checks a parsed bundle with nothing but the verifier key. */
export function verifyProofBundle(bundle: ProofBundle, verifier: NoteVerifier): BundleVerdict {
  const fail = (reason: string): BundleVerdict => ({ ok: false, reason });
  let checkpoint;
  try {
    checkpoint = openCheckpoint(bundle.checkpoint, verifier);
  } catch (error) {
    if (error instanceof NoteError) return fail(`the bundle's checkpoint: ${error.message}`);
    throw error;
  }
  if (checkpoint.treeSize !== bundle.treeSize) return fail(`the bundle says tree size ${bundle.treeSize} but its checkpoint is of size ${checkpoint.treeSize}`);
  let canonical: string;
  try {
    canonical = canonicalJson(bundle.row);
  } catch {
    return fail("the row holds values JSON cannot carry");
  }
  if (canonical !== canonicalAuditColumns(bundle.row)) return fail("the row has columns that are not the audit row's hashed columns — it was altered");
  const rowHash = sha256Hex(canonical);
  if (rowHash !== bundle.rowHash) return fail("the row's content does not hash to its rowHash — the row was altered");
  const proof = bundle.inclusionProof.map((hash) => Buffer.from(hash, "base64"));
  if (!verifyInclusion(auditLeafHash(rowHash), bundle.leafIndex, bundle.treeSize, proof, checkpoint.rootHash)) {
    return fail(`the inclusion proof does not lead from leaf ${bundle.leafIndex} to the signed root of size ${bundle.treeSize} — the row or the proof was altered`);
  }
  return { ok: true, treeSize: bundle.treeSize, leafIndex: bundle.leafIndex, time: checkpoint.time };
}

// ─── Consistency bundles ─────────────────────────────────────────────────────
// Two signed checkpoints and the RFC 9162 consistency proof between them: the
// older tree is a prefix of the newer, i.e. nothing the log once signed was
// rewritten. Checked with the key alone (`npm run audit:verify -- --bundle`).

export const CONSISTENCY_BUNDLE_FORMAT = "telemetry-portal-audit-consistency/1";

export const consistencyBundleSchema = z.strictObject({
  format: z.literal(CONSISTENCY_BUNDLE_FORMAT),
  oldSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  newSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** the C2SP signed checkpoints of sizes oldSize and newSize */
  oldCheckpoint: z.string().min(1).max(16_384),
  newCheckpoint: z.string().min(1).max(16_384),
  consistencyProof: z.array(base64Hash).max(64),
});

export type ConsistencyBundle = z.infer<typeof consistencyBundleSchema>;

/** Either kind of bundle, told apart by `format`. */
export const anyBundleSchema = z.discriminatedUnion("format", [proofBundleSchema, consistencyBundleSchema]);
export type AnyBundle = z.infer<typeof anyBundleSchema>;

/**
 * The consistency bundle between the stored checkpoints of sizes `from` and
 * `to`; null (with which) when either is not a stored checkpoint.
 */
export async function buildConsistencyBundle(tx: Prisma.TransactionClient, from: number, to: number): Promise<ConsistencyBundle | { missing: number }> {
  const rows = await tx.$queryRaw<Array<{ tree_size: string; root_hash: string; note: string }>>`
    SELECT tree_size::text, root_hash, note FROM audit_checkpoint WHERE tree_size IN (${BigInt(from)}, ${BigInt(to)})`;
  const older = rows.find((row) => Number(row.tree_size) === from);
  const newer = rows.find((row) => Number(row.tree_size) === to);
  if (!older) return { missing: from };
  if (!newer) return { missing: to };
  const leaves = await tx.$queryRaw<Array<{ leaf_hash: string }>>`
    SELECT leaf_hash FROM audit_merkle_leaf WHERE leaf_index < ${BigInt(to)} ORDER BY leaf_index`;
  const tree = new MerkleTree(leaves.map((row) => Buffer.from(row.leaf_hash, "hex")));
  if (tree.size !== to || tree.root(from).toString("hex") !== older.root_hash || tree.root().toString("hex") !== newer.root_hash) {
    throw new ProofUnavailableError("The Merkle log does not match its signed checkpoints, so no consistency proof can be given: run npm run audit:verify.");
  }
  return {
    format: CONSISTENCY_BUNDLE_FORMAT,
    oldSize: from,
    newSize: to,
    oldCheckpoint: older.note,
    newCheckpoint: newer.note,
    consistencyProof: tree.consistencyProof(from, to).map((hash) => hash.toString("base64")),
  };
}

export type ConsistencyVerdict = { ok: true; oldSize: number; newSize: number; oldTime: Date | null; newTime: Date | null } | { ok: false; reason: string };

/** Checks a consistency bundle with nothing but the verifier key. */
export function verifyConsistencyBundle(bundle: ConsistencyBundle, verifier: NoteVerifier): ConsistencyVerdict {
  const open = (text: string, which: string) => {
    try {
      return openCheckpoint(text, verifier);
    } catch (error) {
      if (error instanceof NoteError) return `the bundle's ${which} checkpoint: ${error.message}`;
      throw error;
    }
  };
  const older = open(bundle.oldCheckpoint, "old");
  if (typeof older === "string") return { ok: false, reason: older };
  const newer = open(bundle.newCheckpoint, "new");
  if (typeof newer === "string") return { ok: false, reason: newer };
  if (older.treeSize !== bundle.oldSize) return { ok: false, reason: `the bundle says old size ${bundle.oldSize} but its old checkpoint is of size ${older.treeSize}` };
  if (newer.treeSize !== bundle.newSize) return { ok: false, reason: `the bundle says new size ${bundle.newSize} but its new checkpoint is of size ${newer.treeSize}` };
  if (older.treeSize > newer.treeSize) return { ok: false, reason: `the old checkpoint (size ${older.treeSize}) is larger than the new one (size ${newer.treeSize})` };
  const proof = bundle.consistencyProof.map((hash) => Buffer.from(hash, "base64"));
  if (!verifyConsistency(older.treeSize, newer.treeSize, proof, older.rootHash, newer.rootHash)) {
    return { ok: false, reason: `the consistency proof from size ${older.treeSize} to ${newer.treeSize} does not verify — the newer checkpoint does not extend the older one (a fork or a rewritten history), or the proof was altered` };
  }
  return { ok: true, oldSize: older.treeSize, newSize: newer.treeSize, oldTime: older.time, newTime: newer.time };
}
