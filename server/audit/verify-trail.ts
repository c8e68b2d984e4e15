// Verification of the whole audit trail — chains, Merkle log, signed
// checkpoints (stored and in AUDIT_CHECKPOINT_DIR), witnesses' cosignatures —
// full or, by default, INCREMENTAL from the last successful verification
// (audit_verification, append-only):
//
//   chains   only rows after each chain's last verified (seq, hash): each new
//            row's hash and link, and the link from the verified hash; a head
//            that went back below it, or a verified hash that changed, is named.
//   rows     the number of rows up to the heads must be the verified count
//            plus the rows just checked: a deleted old row is named.
//   log      the last verified checkpoint (size, root) must still be signed —
//            stored or as a file — with that root, and its frontier must fold
//            to it; then only the new leaves are recomputed from their rows'
//            current hashes and folded onto that frontier: each newer
//            checkpoint's root must come out (that fold IS the consistency of
//            the verified checkpoint with the new one), so a rewritten or
//            forked history, or a tail cut, is named against the signed copies.
//   witnesses only cosignatures of the new checkpoints.
//
// What incremental does NOT see: an old row whose content was edited while
// its stored hash, its chain and the log were left alone (the hashes still
// agree with each other; only re-hashing the row shows it). A full run does,
// and so does any proof bundle of that row; the `audit.verify-full` job runs
// one daily. Every successful run (full or incremental) records where it got
// to, so the next incremental run starts there.
//
// No "server-only": `npm run audit:verify` runs it.
import type pg from "pg";
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { StreamingRoot, auditLeafHash, emptyRoot, type Hash } from "@/server/audit/merkle/merkle";
import { NoteError, openCheckpoint, type NoteVerifier } from "@/server/audit/checkpoints/signed-note";
import { checkpointFileName, readCheckpointFiles } from "@/server/audit/checkpoints/checkpoint-sink";
import { verifyAuditCheckpoints } from "@/server/audit/checkpoints/verify-checkpoints";
import { verifyStoredCosignatures } from "@/server/audit/witness/submit-checkpoints";
import type { Witness } from "@/server/audit/witness/witness-config";
import { verifyAuditChain, type AuditCheckpoint, type AuditVerification } from "./verify-audit-chain";

type Reader = PrismaClient | Prisma.TransactionClient;

export type TrailVerification = {
  ok: boolean;
  mode: "full" | "incremental";
  /** where an incremental run started (null: there was no earlier verification, so it ran in full) */
  resumedFrom: { treeSize: number; verifiedAt: string; rowCount: number } | null;
  chains: AuditVerification;
  /** leaves recomputed and checkpoints checked */
  leavesChecked: number;
  checkpointsChecked: number;
  cosignaturesChecked: number;
  /** the newest checkpoint verified (where the next run resumes) */
  treeSize: number;
  /** every failure, one sentence each; the chains' first failure first */
  failures: string[];
  /** checkpoints are not verified (no key) */
  checkpointsDisabled: boolean;
  durationMs: number;
};

export type VerifyTrailOptions = {
  /** null: checkpoints disabled (chains only) */
  verifier: NoteVerifier | null;
  directory: string | null;
  witnesses?: readonly Pick<Witness, "verifier">[];
  full?: boolean;
  /** PostgreSQL: stream rows with COPY (./copy-walk.ts) */
  copyClient?: pg.Client;
  /** record a successful run as the next resume point (default true) */
  persist?: boolean;
  onProgress?: (rows: number) => void;
};

type Resume = { treeSize: number; root: Hash; frontier: Hash[]; heads: AuditCheckpoint[]; rowCount: bigint; verifiedAt: string };

export async function verifyAuditTrail(prisma: Reader, options: VerifyTrailOptions): Promise<TrailVerification> {
  const started = performance.now();
  const resume = options.full ? null : await readResumePoint(prisma);
  const mode = resume ? "incremental" : "full";
  const failures: string[] = [];

  const chains = await verifyAuditChain(prisma, {
    checkpoints: resume?.heads,
    startLabel: resume ? "verified" : "checkpoint",
    copyClient: options.copyClient,
    onProgress: options.onProgress,
    withHeads: true,
  });
  if (!chains.ok && chains.firstFailure) failures.push(chains.firstFailure.reason);

  // Rows up to the heads: every verified row must still be there.
  const rowCount = (resume?.rowCount ?? 0n) + BigInt(chains.rowsChecked);
  if (chains.ok && chains.heads) {
    const present = await countRowsUpToHeads(prisma, chains.heads);
    if (present < rowCount) {
      failures.push(`the chains hold ${present} rows up to their heads, but ${rowCount} were verified — ${rowCount - present} verified rows were deleted`);
    }
  }

  let leavesChecked = 0;
  let checkpointsChecked = 0;
  let cosignaturesChecked = 0;
  let verified: { treeSize: number; root: Hash; frontier: Hash[] } | null = resume;
  if (options.verifier) {
    if (resume) {
      const log = await verifyLogFrom(prisma, resume, options.verifier, options.directory);
      failures.push(...log.failures);
      leavesChecked = log.leavesChecked;
      checkpointsChecked = log.checkpointsChecked;
      verified = log.latest;
    } else {
      const log = await verifyAuditCheckpoints(prisma, { verifier: options.verifier, directory: options.directory });
      failures.push(...log.failures);
      leavesChecked = log.logSize;
      checkpointsChecked = log.checkpoints;
      verified = log.latest ?? null;
    }
    if (options.witnesses && options.witnesses.length > 0) {
      const cosignatures = await verifyStoredCosignatures(prisma, options.witnesses, { fromSize: resume ? resume.treeSize + 1 : 0 });
      failures.push(...cosignatures.failures);
      cosignaturesChecked = cosignatures.checked;
    }
  }

  const ok = failures.length === 0;
  const treeSize = verified?.treeSize ?? 0;
  if (ok && options.persist !== false && chains.heads) {
    await prisma.$executeRaw`
      INSERT INTO audit_verification (kind, tree_size, root_hash, frontier, chain_heads, row_count)
      VALUES (${mode}, ${BigInt(treeSize)}, ${(verified?.root ?? emptyRoot()).toString("hex")},
              ${(verified?.frontier ?? []).map((hash) => hash.toString("hex"))}::text[],
              ${JSON.stringify(chains.heads.map((head) => ({ chainId: head.chainId, seq: head.seq.toString(), hash: head.hash })))}::jsonb,
              ${rowCount})`;
  }
  return {
    ok,
    mode,
    resumedFrom: resume ? { treeSize: resume.treeSize, verifiedAt: resume.verifiedAt, rowCount: Number(resume.rowCount) } : null,
    chains,
    leavesChecked,
    checkpointsChecked,
    cosignaturesChecked,
    treeSize,
    failures,
    checkpointsDisabled: !options.verifier,
    durationMs: Math.round(performance.now() - started),
  };
}

async function readResumePoint(prisma: Reader): Promise<Resume | null> {
  const [row] = await prisma.$queryRaw<Array<{ tree_size: string; root_hash: string; frontier: string[] | null; chain_heads: unknown; row_count: string; verified_at: string }>>`
    SELECT tree_size::text, root_hash, frontier, chain_heads, row_count::text,
           to_char(verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS verified_at
      FROM audit_verification ORDER BY id DESC LIMIT 1`;
  if (!row) return null;
  const heads = (row.chain_heads as Array<{ chainId: number; seq: string; hash: string }>).map((head) => ({ chainId: head.chainId, seq: BigInt(head.seq), hash: head.hash }));
  return {
    treeSize: Number(row.tree_size),
    root: Buffer.from(row.root_hash, "hex"),
    frontier: (row.frontier ?? []).map((hex) => Buffer.from(hex, "hex")),
    heads,
    rowCount: BigInt(row.row_count),
    verifiedAt: row.verified_at,
  };
}

async function countRowsUpToHeads(prisma: Reader, heads: readonly AuditCheckpoint[]): Promise<bigint> {
  if (heads.length === 0) return 0n;
  const [row] = await prisma.$queryRaw<Array<{ n: string }>>`
    SELECT count(*)::text AS n FROM audit_event e
      JOIN unnest(${heads.map((head) => head.chainId)}::int[], ${heads.map((head) => head.seq.toString())}::bigint[]) AS h(chain_id, seq)
        ON e.chain_id = h.chain_id AND e.seq <= h.seq`;
  return BigInt(row?.n ?? "0");
}

type Signed = { treeSize: number; root: Hash; where: string };

/** The log from the last verified checkpoint on (see the header). */
async function verifyLogFrom(
  prisma: Reader,
  resume: Resume,
  verifier: NoteVerifier,
  directory: string | null,
): Promise<{ failures: string[]; leavesChecked: number; checkpointsChecked: number; latest: { treeSize: number; root: Hash; frontier: Hash[] } }> {
  const failures: string[] = [];
  const signed: Signed[] = [];
  const stored = await prisma.$queryRaw<Array<{ tree_size: string; root_hash: string; note: string }>>`
    SELECT c.tree_size::text, c.root_hash, c.note FROM audit_checkpoint c WHERE c.tree_size >= ${BigInt(resume.treeSize)} ORDER BY c.tree_size`;
  for (const row of stored) {
    const where = `stored checkpoint at size ${row.tree_size}`;
    try {
      const checkpoint = openCheckpoint(row.note, verifier);
      if (String(checkpoint.treeSize) !== row.tree_size || checkpoint.rootHash.toString("hex") !== row.root_hash) {
        failures.push(`${where}: its columns (size ${row.tree_size}, root ${row.root_hash}) differ from its signed text — the row was altered`);
      }
      signed.push({ treeSize: checkpoint.treeSize, root: checkpoint.rootHash, where });
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      failures.push(`${where}: ${error.message}`);
    }
  }
  const files = directory ? await readCheckpointFiles(directory, { fromSize: resume.treeSize }) : [];
  for (const file of files) {
    const where = `checkpoint file ${file.name}`;
    try {
      if (file.treeSize === null) throw new NoteError("its name is not checkpoint-<16-digit size>.txt");
      const checkpoint = openCheckpoint(file.text, verifier);
      if (checkpoint.treeSize !== file.treeSize) throw new NoteError(`it says size ${checkpoint.treeSize} but is named for size ${file.treeSize} — it was renamed or replaced`);
      signed.push({ treeSize: checkpoint.treeSize, root: checkpoint.rootHash, where });
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      failures.push(`${where}: ${error.message}`);
    }
  }
  signed.sort((a, b) => a.treeSize - b.treeSize);

  // The resume point itself: its frontier folds to its root, and a signed checkpoint of that size still says so.
  let log: StreamingRoot;
  try {
    log = StreamingRoot.fromFrontier(resume.treeSize, resume.frontier);
  } catch {
    log = new StreamingRoot();
  }
  const latest = { treeSize: resume.treeSize, root: resume.root, frontier: resume.frontier };
  if (log.size !== resume.treeSize || !log.root().equals(resume.root)) {
    failures.push(`the last verification's record (size ${resume.treeSize}) does not fold to its own root — the audit_verification row was altered; run a full verification`);
    return { failures, leavesChecked: 0, checkpointsChecked: 0, latest };
  }
  if (resume.treeSize > 0) {
    const atResume = signed.filter((item) => item.treeSize === resume.treeSize);
    if (atResume.length === 0) {
      failures.push(`the checkpoint last verified (size ${resume.treeSize}) is no longer held, stored or as a file (${checkpointFileName(resume.treeSize)}) — it was removed`);
    }
    for (const item of atResume) {
      if (!item.root.equals(resume.root)) failures.push(`${item.where} signs another root than the one verified at size ${resume.treeSize} — the log was forked or rewritten since`);
    }
  }

  const [held] = await prisma.$queryRaw<Array<{ size: string }>>`SELECT coalesce(max(leaf_index) + 1, 0)::text AS size FROM audit_merkle_leaf`;
  if (Number(held?.size ?? 0) < resume.treeSize) {
    failures.push(`the Merkle log holds ${held?.size ?? 0} leaves, but ${resume.treeSize} were verified — the log was rewound (rows cut from the tail)`);
    return { failures, leavesChecked: 0, checkpointsChecked: 0, latest };
  }

  // New leaves, recomputed from the rows' current hashes, folded onto the verified frontier.
  const pending = signed.filter((item) => item.treeSize > resume.treeSize);
  let leavesChecked = 0;
  let after = BigInt(resume.treeSize) - 1n;
  const BATCH = 10_000;
  const compare = () => {
    while (pending.length > 0 && (pending[0] as Signed).treeSize === log.size) {
      const item = pending.shift() as Signed;
      if (!log.root().equals(item.root)) {
        failures.push(`${item.where}: the log's root at size ${item.treeSize} is not the signed root — it does not extend the checkpoint verified at size ${resume.treeSize} (audit rows were rewritten, removed or reordered, or the checkpoint is a fork)`);
      } else if (latest.treeSize < item.treeSize) {
        latest.treeSize = item.treeSize;
        latest.root = item.root;
        latest.frontier = log.frontier();
      }
    }
  };
  compare();
  for (;;) {
    const rows = await prisma.$queryRaw<Array<{ leaf_index: string; audit_event_id: string; leaf_hash: string; row_hash: string | null }>>`
      SELECT l.leaf_index::text, l.audit_event_id::text, l.leaf_hash, e.hash AS row_hash
        FROM audit_merkle_leaf l LEFT JOIN audit_event e ON e.id = l.audit_event_id
       WHERE l.leaf_index > ${after} ORDER BY l.leaf_index LIMIT ${BATCH}`;
    for (const row of rows) {
      const index = Number(row.leaf_index);
      if (index !== log.size) {
        failures.push(`the Merkle log has no leaf ${log.size} (the next is ${index}) — leaves were deleted`);
        return { failures, leavesChecked, checkpointsChecked: 0, latest };
      }
      let leaf: Hash;
      if (row.row_hash === null) {
        failures.push(`leaf ${index}: audit row ${row.audit_event_id} is missing — the row was deleted`);
        leaf = Buffer.from(row.leaf_hash, "hex");
      } else {
        leaf = /^[0-9a-f]{64}$/.test(row.row_hash) ? auditLeafHash(row.row_hash) : Buffer.alloc(32);
        if (leaf.toString("hex") !== row.leaf_hash) failures.push(`leaf ${index}: audit row ${row.audit_event_id}'s hash no longer gives the leaf sealed for it — the row was rewritten after it was sealed`);
      }
      if (leaf.length !== 32) leaf = Buffer.alloc(32);
      log.append(leaf);
      leavesChecked += 1;
      compare();
    }
    if (rows.length < BATCH) break;
    after = BigInt((rows[rows.length - 1] as { leaf_index: string }).leaf_index);
  }
  for (const item of pending) {
    failures.push(`${item.where}: the log has only ${log.size} leaves, the checkpoint covers ${item.treeSize} — rows were cut from the tail (or the log was rewound)`);
  }
  const checkpointsChecked = new Set(signed.filter((item) => item.treeSize > resume.treeSize).map((item) => item.treeSize)).size;
  return { failures, leavesChecked, checkpointsChecked, latest };
}
