// Verifies the audit Merkle log against its signed checkpoints — those in the
// database AND those in the checkpoint directory, which the database operator
// cannot rewrite:
//   - every checkpoint's signature (by the verifier key given) and form;
//   - a stored checkpoint and a file of the same size agree;
//   - the log itself: leaf indexes 0…n-1 without a gap, each leaf pointing at
//     an existing audit row whose chain hash gives that leaf;
//   - the root recomputed from the CURRENT rows at each checkpoint's size is
//     the checkpoint's root — so rows cut from the tail (heads rewound too) or
//     a history rewritten with recomputed chain hashes, which the chains alone
//     cannot reveal, are named against the external checkpoints;
//   - each checkpoint is consistent with the next (RFC 9162 consistency proof
//     from the log, checked against the two signed roots): a forked checkpoint
//     is named.
// Every failure is one sentence naming the checkpoint (size, where it is kept)
// and why. The whole tree is held in memory (about 64 bytes per row).
//
// No "server-only": `npm run audit:verify` runs it.
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { MerkleTree, auditLeafHash, verifyConsistency, type Hash } from "@/server/audit/merkle/merkle";
import { NoteError, openCheckpoint, type NoteVerifier } from "./signed-note";
import { readCheckpointFiles } from "./checkpoint-sink";

export type CheckpointVerification = {
  ok: boolean;
  /** distinct checkpoints (by size and root) that verified */
  checkpoints: number;
  files: number;
  logSize: number;
  failures: string[];
  /** the newest checkpoint the log reaches and agrees with (where an incremental run can resume), when ok */
  latest?: { treeSize: number; root: Hash; frontier: Hash[] } | null;
};

type Seen = { treeSize: number; root: Hash; where: string };
type Reader = PrismaClient | Prisma.TransactionClient;
const BATCH = 10_000;

export async function verifyAuditCheckpoints(prisma: Reader, options: { verifier: NoteVerifier; directory: string | null }): Promise<CheckpointVerification> {
  const failures: string[] = [];
  const seen: Seen[] = [];

  const stored = await prisma.$queryRaw<Array<{ tree_size: string; root_hash: string; note: string }>>`
    SELECT c.tree_size::text, c.root_hash, c.note FROM audit_checkpoint c ORDER BY c.tree_size`;
  for (const row of stored) {
    const where = `stored checkpoint at size ${row.tree_size}`;
    try {
      const checkpoint = openCheckpoint(row.note, options.verifier);
      if (String(checkpoint.treeSize) !== row.tree_size || checkpoint.rootHash.toString("hex") !== row.root_hash) {
        failures.push(`${where}: its columns (size ${row.tree_size}, root ${row.root_hash}) differ from its signed text — the row was altered`);
      }
      seen.push({ treeSize: checkpoint.treeSize, root: checkpoint.rootHash, where });
    } catch (error) {
      failures.push(`${where}: ${describe(error)}`);
    }
  }

  const files = options.directory ? await readCheckpointFiles(options.directory) : [];
  for (const file of files) {
    const where = `checkpoint file ${file.name}`;
    try {
      if (file.treeSize === null) throw new NoteError("its name is not checkpoint-<16-digit size>.txt");
      const checkpoint = openCheckpoint(file.text, options.verifier);
      if (checkpoint.treeSize !== file.treeSize) throw new NoteError(`it says size ${checkpoint.treeSize} but is named for size ${file.treeSize} — it was renamed or replaced`);
      seen.push({ treeSize: checkpoint.treeSize, root: checkpoint.rootHash, where });
    } catch (error) {
      failures.push(`${where}: ${describe(error)}`);
    }
  }

  // Checkpoints of one size must agree wherever they are kept.
  const bySize = new Map<number, Seen[]>();
  for (const item of seen) bySize.set(item.treeSize, [...(bySize.get(item.treeSize) ?? []), item]);
  const distinct: Seen[] = [];
  for (const [size, items] of [...bySize].sort(([a], [b]) => a - b)) {
    const first = items[0] as Seen;
    for (const other of items.slice(1)) {
      if (!other.root.equals(first.root)) failures.push(`${other.where} and ${first.where} sign different roots for size ${size} — the log was forked`);
    }
    for (const item of items) if (!distinct.some((d) => d.treeSize === size && d.root.equals(item.root))) distinct.push(item);
  }

  const { tree, failures: logFailures } = await readLog(prisma);
  failures.push(...logFailures);

  for (const checkpoint of distinct) {
    if (checkpoint.treeSize > tree.size) {
      failures.push(`${checkpoint.where}: the log has only ${tree.size} leaves, the checkpoint covers ${checkpoint.treeSize} — rows were cut from the tail (or the log was rewound)`);
    } else if (!tree.root(checkpoint.treeSize).equals(checkpoint.root)) {
      failures.push(`${checkpoint.where}: the log's root at size ${checkpoint.treeSize} is not the signed root — audit rows up to that size were rewritten, removed or reordered`);
    }
  }
  for (let i = 0; i + 1 < distinct.length; i += 1) {
    const [older, newer] = [distinct[i] as Seen, distinct[i + 1] as Seen];
    if (older.treeSize === newer.treeSize || newer.treeSize > tree.size) continue;
    const proof = tree.consistencyProof(older.treeSize, newer.treeSize);
    if (!verifyConsistency(older.treeSize, newer.treeSize, proof, older.root, newer.root)) {
      failures.push(`${older.where} is not consistent with ${newer.where}: the consistency proof from size ${older.treeSize} to ${newer.treeSize} fails — one of them is a fork`);
    }
  }
  const failed = new Set(failures.join("\n").match(/(stored checkpoint at size \d+|checkpoint file \S+)/g) ?? []);
  const newest = distinct.filter((item) => item.treeSize <= tree.size).at(-1);
  return {
    latest: failures.length === 0 ? (newest ? { treeSize: newest.treeSize, root: newest.root, frontier: tree.frontier(newest.treeSize) } : null) : undefined,
    ok: failures.length === 0,
    checkpoints: distinct.filter((item) => !failed.has(item.where)).length,
    files: files.length,
    logSize: tree.size,
    failures,
  };
}

/** The log as the current rows make it: each leaf recomputed from its audit row's chain hash. */
async function readLog(prisma: Reader): Promise<{ tree: MerkleTree; failures: string[] }> {
  const tree = new MerkleTree();
  const failures: string[] = [];
  let after = -1n;
  for (;;) {
    const rows = await prisma.$queryRaw<Array<{ leaf_index: string; audit_event_id: string; leaf_hash: string; row_hash: string | null }>>`
      SELECT l.leaf_index::text, l.audit_event_id::text, l.leaf_hash, e.hash AS row_hash
        FROM audit_merkle_leaf l LEFT JOIN audit_event e ON e.id = l.audit_event_id
       WHERE l.leaf_index > ${after} ORDER BY l.leaf_index LIMIT ${BATCH}`;
    for (const row of rows) {
      const index = Number(row.leaf_index);
      if (index !== tree.size) {
        failures.push(`the Merkle log has no leaf ${tree.size} (the next is ${index}) — leaves were deleted`);
        return { tree, failures };
      }
      if (row.row_hash === null) {
        failures.push(`leaf ${index}: audit row ${row.audit_event_id} is missing — the row was deleted`);
        tree.append(Buffer.from(row.leaf_hash, "hex").length === 32 ? Buffer.from(row.leaf_hash, "hex") : Buffer.alloc(32));
        continue;
      }
      const leaf = /^[0-9a-f]{64}$/.test(row.row_hash) ? auditLeafHash(row.row_hash) : Buffer.alloc(32);
      if (leaf.toString("hex") !== row.leaf_hash) failures.push(`leaf ${index}: audit row ${row.audit_event_id}'s hash no longer gives the leaf sealed for it — the row was rewritten after it was sealed`);
      tree.append(leaf);
    }
    if (rows.length < BATCH) break;
    after = BigInt((rows[rows.length - 1] as { leaf_index: string }).leaf_index);
  }
  const [state] = await prisma.$queryRaw<Array<{ tree_size: string }>>`SELECT tree_size::text FROM audit_log_state WHERE id = 1`;
  if (state && Number(state.tree_size) !== tree.size) failures.push(`the log state says ${state.tree_size} leaves but the log holds ${tree.size}`);
  return { tree, failures };
}

function describe(error: unknown): string {
  if (error instanceof NoteError) return error.message;
  throw error;
}
