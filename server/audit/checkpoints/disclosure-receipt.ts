// Disclosure receipts: "who has seen data of machine X?" as a document anyone
// can check offline. A receipt lists every audit row whose machine_ids holds
// X — every access that disclosed any event of that machine: list, detail,
// reveal, export, and charts narrowed to it (server/data/event-insights.ts) —
// each with its canonical content and, when a signed checkpoint covers it, its
// leaf index and RFC 9162 inclusion proof against ONE checkpoint (the newest).
// Rows the log has not sealed into a checkpoint yet are listed apart, as "not
// yet covered by a checkpoint".
//
// What a verifier holding only the receipt and the log's public key can check
// (`npm run audit:verify -- --receipt FILE --public-key KEY`):
//   - the checkpoint is signed by the log's key (a wrong key, an edited note);
//   - each listed row's content hashes to its chain hash, names machine X in
//     its machine_ids (no unrelated rows padded in), and is leaf `leafIndex`
//     of the signed tree (inclusion proof) — so every listed access really is
//     in the history the portal signed, with the actor, purpose, field classes
//     and time shown, and cannot later be denied or altered;
//   - rows and leaf indexes are distinct; a truncated or edited file fails.
// What it cannot check: that NO OTHER row of the log names X. Absence needs
// the whole log (an RFC 9162 log proves membership, not non-membership). The
// portal's side of completeness is checked in full verification
// (`npm run audit:verify`, checkDisclosureIndex below): the GIN index the
// receipt query uses and a sequential scan must find the same rows for every
// machine. Someone holding the whole log can re-derive any receipt and hold
// the listed leaf indexes against it.
//
// No "server-only": the CLI verifies receipts without a database.
import { z } from "zod";
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { auditLeafHash, verifyInclusion } from "@/server/audit/merkle/merkle";
import { BatchInclusionProver } from "@/server/audit/merkle/batch-inclusion";
import { canonicalAuditColumns, canonicalJson, hashAuditColumns, sha256Hex } from "@/server/audit/canonical";
import { NoteError, openCheckpoint, type NoteVerifier } from "./signed-note";
import { ProofUnavailableError } from "./proof-bundle";

export const DISCLOSURE_RECEIPT_FORMAT = "telemetry-portal-disclosure-receipt/1";
/** More rows than this for one machine: refused (409) rather than a receipt that is incomplete or exhausts memory. */
export const MAX_RECEIPT_ROWS = 10_000;
const LEAF_BATCH = 50_000;

const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "must be a base64 SHA-256 hash");
const auditEventId = z.string().regex(/^\d{1,19}$/, "must be an audit row number");
const rowHash = z.string().regex(/^[0-9a-f]{64}$/, "must be a lower-case SHA-256 hex digest");
const leafIndex = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const coveredRowSchema = z.strictObject({
  auditEventId,
  leafIndex,
  rowHash,
  /** the row's hashed columns by SQL name, as canonical.ts hashes them */
  row: z.record(z.string(), z.unknown()),
  inclusionProof: z.array(base64Hash).max(64),
});

const uncoveredRowSchema = z.strictObject({
  auditEventId,
  /** sealed into the log after the checkpoint, or null: not sealed yet */
  leafIndex: leafIndex.nullable(),
  rowHash,
  row: z.record(z.string(), z.unknown()),
});

export const disclosureReceiptSchema = z.strictObject({
  format: z.literal(DISCLOSURE_RECEIPT_FORMAT),
  machineId: z.string().min(1).max(256),
  generatedAt: z.iso.datetime(),
  /** the checkpoint's tree size; 0 when no checkpoint exists yet */
  treeSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** the newest C2SP signed checkpoint, or null when none has been signed */
  checkpoint: z.string().min(1).max(16_384).nullable(),
  /** a sentence: complete up to checkpoint size N at time T, and what that means */
  completeness: z.string().max(2_000),
  rows: z.array(coveredRowSchema).max(MAX_RECEIPT_ROWS),
  notYetCovered: z.array(uncoveredRowSchema).max(MAX_RECEIPT_ROWS),
});

export type DisclosureReceipt = z.infer<typeof disclosureReceiptSchema>;
export type CoveredReceiptRow = z.infer<typeof coveredRowSchema>;
export type UncoveredReceiptRow = z.infer<typeof uncoveredRowSchema>;

type Reader = PrismaClient | Prisma.TransactionClient;
type RawRow = { columns: Record<string, unknown>; id: string; seq: string; occurred_at: string; leaf_index: string | null };

export function completenessStatement(machineId: string, treeSize: number, time: Date | null, covered: number, uncovered: number): string {
  const rows = (n: number) => `${n} audit row${n === 1 ? "" : "s"}`;
  const later =
    uncovered === 0
      ? "No row written since names it."
      : `${rows(uncovered)} written since ${uncovered === 1 ? "is" : "are"} listed as not yet covered by a checkpoint.`;
  if (treeSize === 0) {
    return uncovered === 0
      ? `No signed checkpoint exists yet, so nothing is proven; no audit row names machine ${machineId}.`
      : `No signed checkpoint exists yet, so nothing is proven: ${rows(uncovered)} name machine ${machineId} and are listed as not yet covered by a checkpoint.`;
  }
  const at = time ? ` signed at ${time.toISOString()}` : "";
  const found =
    covered === 0
      ? `none disclosed data of machine ${machineId}`
      : `exactly ${rows(covered)} disclosed data of machine ${machineId}, each with an inclusion proof`;
  return `Complete up to checkpoint size ${treeSize}${at}: of the first ${treeSize} rows of the audit log, ${found}. ${later}`;
}

/**
 * Builds the receipt inside the caller's (audited) transaction. The newest
 * checkpoint is read FIRST: rows sealed under it are immutable and committed
 * before it was signed, so the rows query that follows sees all of them, and
 * anything sealed later has a leaf index ≥ its size and is listed as not yet
 * covered. The proofs come from one pass over the leaf hashes up to the
 * checkpoint (BatchInclusionProver), which must give the signed root.
 */
export async function buildDisclosureReceipt(tx: Reader, machineId: string, options: { now?: Date } = {}): Promise<DisclosureReceipt> {
  const [checkpoint] = await tx.$queryRaw<Array<{ tree_size: string; root_hash: string; note: string; issued_at: Date }>>`
    SELECT c.tree_size::text AS tree_size, c.root_hash, c.note, c.issued_at FROM audit_checkpoint c ORDER BY c.tree_size DESC LIMIT 1`;
  const treeSize = checkpoint ? Number(checkpoint.tree_size) : 0;

  const raw = await tx.$queryRaw<Array<{ row: string }>>`
    SELECT json_build_object(
      'columns', row_to_json(e),
      'id', e.id::text,
      'seq', e.seq::text,
      'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'leaf_index', l.leaf_index::text
    )::text AS row
    FROM audit_event e LEFT JOIN audit_merkle_leaf l ON l.audit_event_id = e.id
    WHERE e.machine_ids @> ARRAY[${machineId}]::text[]
    ORDER BY e.id
    LIMIT ${MAX_RECEIPT_ROWS + 1}`;
  if (raw.length > MAX_RECEIPT_ROWS) {
    throw new ProofUnavailableError(`More than ${MAX_RECEIPT_ROWS} audit rows disclosed data of this machine; a receipt that long is not served (it would be incomplete or too large to check).`);
  }

  const covered: Array<Omit<CoveredReceiptRow, "inclusionProof">> = [];
  const notYetCovered: UncoveredReceiptRow[] = [];
  for (const { row: text } of raw) {
    const parsed = JSON.parse(text) as RawRow;
    // As verify-audit-chain.ts reads rows: "…:03.456000Z" → "…:03.456Z", the form the writer hashed.
    const exactToMs = /^(.*\.\d{3})000Z$/.exec(parsed.occurred_at);
    const columns = { ...parsed.columns, seq: parsed.seq, occurred_at: exactToMs ? `${exactToMs[1]}Z` : parsed.occurred_at };
    const hash = String(parsed.columns.hash);
    if (hashAuditColumns(columns) !== hash) {
      throw new ProofUnavailableError(`Audit row ${parsed.id} no longer hashes to its chain hash, so no receipt can be given: run npm run audit:verify.`);
    }
    const row = JSON.parse(canonicalAuditColumns(columns)) as Record<string, unknown>;
    const index = parsed.leaf_index === null ? null : Number(parsed.leaf_index);
    if (index !== null && index < treeSize) covered.push({ auditEventId: parsed.id, leafIndex: index, rowHash: hash, row });
    else notYetCovered.push({ auditEventId: parsed.id, leafIndex: index, rowHash: hash, row });
  }

  const proofs = covered.length > 0 && checkpoint ? await proveLeaves(tx, treeSize, checkpoint.root_hash, covered) : new Map<number, string[]>();
  const time = checkpoint ? new Date(checkpoint.issued_at) : null;
  return {
    format: DISCLOSURE_RECEIPT_FORMAT,
    machineId,
    generatedAt: (options.now ?? new Date()).toISOString(),
    treeSize,
    checkpoint: checkpoint?.note ?? null,
    completeness: completenessStatement(machineId, treeSize, time, covered.length, notYetCovered.length),
    rows: covered.map((row) => ({ ...row, inclusionProof: proofs.get(row.leafIndex) ?? [] })),
    notYetCovered,
  };
}

/** One pass over the leaf hashes [0, treeSize): every covered row's proof, checked against the signed root and the row's own hash. */
async function proveLeaves(tx: Reader, treeSize: number, rootHex: string, covered: ReadonlyArray<{ leafIndex: number; rowHash: string; auditEventId: string }>): Promise<Map<number, string[]>> {
  const prover = new BatchInclusionProver(
    treeSize,
    covered.map((row) => row.leafIndex),
  );
  let after = -1n;
  for (;;) {
    const leaves = await tx.$queryRaw<Array<{ leaf_index: string; leaf_hash: string }>>`
      SELECT l.leaf_index::text AS leaf_index, l.leaf_hash FROM audit_merkle_leaf l
       WHERE l.leaf_index > ${after} AND l.leaf_index < ${BigInt(treeSize)} ORDER BY l.leaf_index LIMIT ${LEAF_BATCH}`;
    for (const leaf of leaves) {
      if (Number(leaf.leaf_index) !== prover.appended) throw new ProofUnavailableError(`The Merkle log has no leaf ${prover.appended}, so no receipt can be given: run npm run audit:verify.`);
      prover.append(Buffer.from(leaf.leaf_hash, "hex"));
    }
    if (leaves.length < LEAF_BATCH) break;
    after = BigInt((leaves[leaves.length - 1] as { leaf_index: string }).leaf_index);
  }
  if (prover.appended !== treeSize) throw new ProofUnavailableError(`The Merkle log holds ${prover.appended} leaves but its newest checkpoint covers ${treeSize}, so no receipt can be given: run npm run audit:verify.`);
  const { root, proofs } = prover.finish();
  if (root.toString("hex") !== rootHex) throw new ProofUnavailableError("The Merkle log does not match its newest checkpoint, so no receipt can be given: run npm run audit:verify.");
  const result = new Map<number, string[]>();
  for (const row of covered) {
    const proof = proofs.get(row.leafIndex);
    if (!proof || !proof.leaf.equals(auditLeafHash(row.rowHash))) {
      throw new ProofUnavailableError(`Leaf ${row.leafIndex} is not audit row ${row.auditEventId}'s hash, so no receipt can be given: run npm run audit:verify.`);
    }
    result.set(
      row.leafIndex,
      proof.proof.map((hash) => hash.toString("base64")),
    );
  }
  return result;
}

// ─── Offline check ───────────────────────────────────────────────────────────

export type ReceiptVerdict =
  | { ok: true; machineId: string; treeSize: number; time: Date | null; covered: number; notYetCovered: number }
  | { ok: false; reason: string };

function namesMachine(row: Record<string, unknown>, machineId: string): boolean {
  const ids = row.machine_ids;
  return Array.isArray(ids) && ids.includes(machineId);
}

/** The row's content hashes to rowHash with the hashed columns only; null when it does. */
function rowProblem(row: Record<string, unknown>, claimedHash: string): string | null {
  let canonical: string;
  try {
    canonical = canonicalJson(row);
  } catch {
    return "holds values JSON cannot carry";
  }
  if (canonical !== canonicalAuditColumns(row)) return "has columns that are not the audit row's hashed columns — it was altered";
  if (sha256Hex(canonical) !== claimedHash) return "does not hash to its rowHash — the row was altered";
  return null;
}

/** Checks a parsed receipt with nothing but the log's verifier key. */
export function verifyDisclosureReceipt(receipt: DisclosureReceipt, verifier: NoteVerifier): ReceiptVerdict {
  const fail = (reason: string): ReceiptVerdict => ({ ok: false, reason });
  let time: Date | null = null;
  if (receipt.checkpoint === null) {
    if (receipt.treeSize !== 0 || receipt.rows.length > 0) return fail("the receipt lists rows covered by a checkpoint but carries no checkpoint");
  } else {
    let checkpoint;
    try {
      checkpoint = openCheckpoint(receipt.checkpoint, verifier);
    } catch (error) {
      if (error instanceof NoteError) return fail(`the receipt's checkpoint: ${error.message}`);
      throw error;
    }
    if (checkpoint.treeSize !== receipt.treeSize) return fail(`the receipt says tree size ${receipt.treeSize} but its checkpoint is of size ${checkpoint.treeSize}`);
    time = checkpoint.time;
    const seenLeaves = new Set<number>();
    for (const entry of receipt.rows) {
      const where = `row ${entry.auditEventId} (leaf ${entry.leafIndex})`;
      const problem = rowProblem(entry.row, entry.rowHash);
      if (problem) return fail(`${where} ${problem}`);
      if (!namesMachine(entry.row, receipt.machineId)) return fail(`${where} does not name machine ${receipt.machineId} in its machine_ids — it does not belong in this receipt`);
      if (seenLeaves.has(entry.leafIndex)) return fail(`leaf ${entry.leafIndex} is listed twice`);
      seenLeaves.add(entry.leafIndex);
      const proof = entry.inclusionProof.map((hash) => Buffer.from(hash, "base64"));
      if (!verifyInclusion(auditLeafHash(entry.rowHash), entry.leafIndex, receipt.treeSize, proof, checkpoint.rootHash)) {
        return fail(`${where}: the inclusion proof does not lead to the signed root of size ${receipt.treeSize} — the row, its leaf index or the proof was altered`);
      }
    }
  }
  for (const entry of receipt.notYetCovered) {
    const where = `row ${entry.auditEventId} (not yet covered)`;
    const problem = rowProblem(entry.row, entry.rowHash);
    if (problem) return fail(`${where} ${problem}`);
    if (!namesMachine(entry.row, receipt.machineId)) return fail(`${where} does not name machine ${receipt.machineId} in its machine_ids — it does not belong in this receipt`);
    if (entry.leafIndex !== null && entry.leafIndex < receipt.treeSize) return fail(`${where} has leaf ${entry.leafIndex}, inside the checkpoint of size ${receipt.treeSize}, yet comes without an inclusion proof`);
  }
  const ids = [...receipt.rows, ...receipt.notYetCovered].map((entry) => entry.auditEventId);
  if (new Set(ids).size !== ids.length) return fail("an audit row is listed twice");
  return { ok: true, machineId: receipt.machineId, treeSize: receipt.treeSize, time, covered: receipt.rows.length, notYetCovered: receipt.notYetCovered.length };
}

// ─── The portal's side of completeness ──────────────────────────────────────

export type DisclosureIndexCheck = { ok: boolean; machines: number; pairs: number; failures: string[] };

const MACHINE_BATCH = 500;

/**
 * Does the query receipts use (machine_ids @>, answered by the GIN index)
 * find, for every machine, exactly the rows a sequential scan finds? A
 * corrupted or tampered index (indexes are not hashed) would otherwise make
 * receipts silently incomplete. Compares per machine the count and the sum
 * of row ids. Runs in one read-only transaction of its own.
 */
export async function checkDisclosureIndex(prisma: PrismaClient): Promise<DisclosureIndexCheck> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_indexscan = off");
      await tx.$executeRawUnsafe("SET LOCAL enable_bitmapscan = off");
      await tx.$executeRawUnsafe("SET LOCAL enable_indexonlyscan = off");
      const scanned = await tx.$queryRaw<Array<{ machine_id: string; n: number; id_sum: string }>>`
        SELECT m AS machine_id, count(*)::int AS n, sum(id)::text AS id_sum
          FROM (SELECT DISTINCT e.id, m FROM audit_event e CROSS JOIN LATERAL unnest(e.machine_ids) AS m) pairs
         GROUP BY m ORDER BY m`;
      await tx.$executeRawUnsafe("SET LOCAL enable_bitmapscan = on");
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      const failures: string[] = [];
      let pairs = 0;
      for (let i = 0; i < scanned.length; i += MACHINE_BATCH) {
        const batch = scanned.slice(i, i + MACHINE_BATCH);
        const indexed = await tx.$queryRaw<Array<{ machine_id: string; n: number; id_sum: string }>>`
          SELECT m.id AS machine_id, x.n, x.id_sum
            FROM unnest(${batch.map((row) => row.machine_id)}::text[]) AS m(id)
            CROSS JOIN LATERAL (
              SELECT count(*)::int AS n, coalesce(sum(e.id), 0)::text AS id_sum FROM audit_event e WHERE e.machine_ids @> ARRAY[m.id]
            ) x`;
        const byMachine = new Map(indexed.map((row) => [row.machine_id, row]));
        for (const row of batch) {
          pairs += Number(row.n);
          const found = byMachine.get(row.machine_id);
          if (!found || Number(found.n) !== Number(row.n) || found.id_sum !== row.id_sum) {
            failures.push(
              `machine ${row.machine_id.slice(0, 80)}: a scan finds ${row.n} audit rows naming it, the receipts' indexed query ${found ? found.n : "none"}${found && Number(found.n) === Number(row.n) ? " (other rows)" : ""} — the audit_event_machine_ids_idx index is damaged: REINDEX it`,
            );
          }
        }
      }
      return { ok: failures.length === 0, machines: scanned.length, pairs, failures };
    },
    // one snapshot for the scan and the indexed queries
    { maxWait: 10_000, timeout: 600_000, isolationLevel: "RepeatableRead" },
  );
}

// ─── The receipt file (the CLI) ─────────────────────────────────────────────

/** A receipt file that cannot be checked at all (missing, not JSON, truncated, not a receipt): exit 2 in the CLI. */
export class ReceiptFileError extends Error {
  override name = "ReceiptFileError";
}

/** Parses a receipt file's text; throws ReceiptFileError naming the first problem. */
export function parseReceiptText(text: string, file: string): DisclosureReceipt {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ReceiptFileError(`Cannot read the disclosure receipt ${file}: it is not complete JSON (truncated?).`);
  }
  const parsed = disclosureReceiptSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReceiptFileError(`${file} is not a disclosure receipt: ${issue?.path.join(".") || "the receipt"} ${issue?.message ?? "is invalid"}.`);
  }
  return parsed.data;
}

/** What the CLI prints for a verdict, and its exit code (0 verified, 1 failed). */
export function describeReceiptVerdict(verdict: ReceiptVerdict, verifier: NoteVerifier): { code: 0 | 1; lines: string[] } {
  if (!verdict.ok) return { code: 1, lines: [`Disclosure receipt FAILED: ${verdict.reason}.`] };
  const rows = (n: number) => `${n} audit row${n === 1 ? "" : "s"}`;
  const time = verdict.time ? `, signed ${verdict.time.toISOString()}` : "";
  const lines =
    verdict.treeSize === 0
      ? [`Disclosure receipt for machine ${verdict.machineId}: no signed checkpoint yet, so nothing in it is proven.`]
      : [
          `Disclosure receipt verified: ${rows(verdict.covered)} that disclosed data of machine ${verdict.machineId}, each proven to be in the log checkpointed at size ${verdict.treeSize}${time}, signed by ${verifier.name}.`,
        ];
  if (verdict.notYetCovered > 0) {
    lines.push(`${rows(verdict.notYetCovered)} written after that checkpoint ${verdict.notYetCovered === 1 ? "is" : "are"} listed as not yet covered: their content is consistent, but no checkpoint proves them yet.`);
  }
  lines.push(
    "Not provable from the receipt alone: that no other row of the log names this machine (that needs the whole log: npm run audit:verify on the portal's database checks the index receipts are built from).",
  );
  return { code: 0, lines };
}
