// Appends committed audit rows to the Merkle log and signs a checkpoint of it.
// Run by the `audit.checkpoint` job (./checkpoint-job.ts) every minute, on one
// instance at a time (the state row's lock).
//
// THE SEALING RULE — why no row is skipped and none is sequenced twice.
// Rows of concurrent chains commit in an order their ids do not show: id 100
// may commit after id 101. So the log does not follow ids; it follows sealing:
//   1. Each batch, in one transaction, takes every audit row it can see that
//      has no leaf yet (`NOT EXISTS` in audit_merkle_leaf) with id > floor_id,
//      in id order, and gives them the next leaf indexes. A row is visible only
//      once its transaction committed, so nothing uncommitted is sealed; a row
//      that commits later is found by a later run (it has no leaf, and its id
//      is above the floor — see 2). The state row is locked FOR UPDATE first,
//      so sealers on several instances take turns; leaf_index is the primary
//      key and audit_event_id is unique, so a row can never get two leaves.
//   2. floor_id only bounds the search; it must never pass a row that could
//      still commit. At the start of a run the sealer reads, in one statement
//      (one snapshot S), max(id) of the visible rows and S's xmax. Any row with
//      a smaller id is committed or belongs to a transaction that allocated its
//      id before S — and every audit insert happens after its transaction took
//      the chain head's row lock (write-audit-event.ts), which gave it an xid —
//      so that transaction's xid is < xmax(S). Those two numbers are stored as
//      (pending_id, pending_xmax). A later run whose snapshot's xmin (the oldest
//      xid still running) is ≥ pending_xmax knows every such transaction has
//      ended; once it has sealed every visible row ≤ pending_id, every row that
//      will ever exist with id ≤ pending_id is sealed, and floor_id moves there.
// xid8 values (64-bit) are used, so wraparound does not enter.
//
// After appending, the same transaction signs a checkpoint of the new size
// (C2SP signed note) and stores it; then, outside the transaction, it is
// written to the checkpoint directory (./checkpoint-sink.ts). A crash between
// the two is repaired by the next run, which writes the newest stored
// checkpoint if the directory lacks it.
//
// No "server-only": the job runner imports it.
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { StreamingRoot, auditLeafHash, type Hash } from "@/server/audit/merkle/merkle";
import { signCheckpoint, type NoteSigner } from "./signed-note";
import { writeCheckpointFile } from "./checkpoint-sink";

const DEFAULT_BATCH = 5_000;

export type SealResult = { appended: number; treeSize: number; checkpoints: number; filesWritten: number };

type State = { tree_size: string; frontier: string[] | null; floor_id: string; pending_id: string; pending_xmax: string };

export async function sealAuditLog(
  prisma: PrismaClient,
  options: { signer: NoteSigner; directory: string | null; batchSize?: number; now?: () => Date },
): Promise<SealResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const now = options.now ?? (() => new Date());
  let appended = 0;
  let checkpoints = 0;
  let treeSize = 0;
  for (;;) {
    const batch = await prisma.$transaction((tx) => sealBatch(tx, options.signer, batchSize, now), { maxWait: 10_000, timeout: 120_000 });
    appended += batch.appended;
    checkpoints += batch.signed ? 1 : 0;
    treeSize = batch.treeSize;
    if (batch.appended < batchSize) break;
  }
  let filesWritten = 0;
  if (options.directory) {
    const [latest] = await prisma.$queryRaw<Array<{ tree_size: string; note: string }>>`
      SELECT c.tree_size::text AS tree_size, c.note FROM audit_checkpoint c ORDER BY c.tree_size DESC LIMIT 1`;
    if (latest && (await writeCheckpointFile(options.directory, Number(latest.tree_size), latest.note))) filesWritten += 1;
  }
  return { appended, treeSize, checkpoints, filesWritten };
}

async function sealBatch(
  tx: Prisma.TransactionClient,
  signer: NoteSigner,
  batchSize: number,
  now: () => Date,
): Promise<{ appended: number; treeSize: number; signed: boolean }> {
  // First statement, before this transaction writes anything (so it has no xid of its own yet).
  const [snapshot] = await tx.$queryRaw<Array<{ xmin: string; xmax: string; max_id: string | null }>>`
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
           pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
           (SELECT max(id) FROM audit_event)::text AS max_id`;
  const [state] = await tx.$queryRaw<State[]>`
    SELECT tree_size::text, frontier, floor_id::text, pending_id::text, pending_xmax::text
      FROM audit_log_state WHERE id = 1 FOR UPDATE`;
  if (!snapshot || !state) throw new Error("audit_log_state has no row (is the audit_merkle_log migration applied?)");

  const size = Number(state.tree_size);
  const frontier = (state.frontier ?? []).map((hex) => Buffer.from(hex, "hex"));
  const log = StreamingRoot.fromFrontier(size, frontier);
  const rows = await tx.$queryRaw<Array<{ id: string; hash: string }>>`
    SELECT e.id::text, e.hash FROM audit_event e
     WHERE e.id > ${BigInt(state.floor_id)}
       AND NOT EXISTS (SELECT 1 FROM audit_merkle_leaf l WHERE l.audit_event_id = e.id)
     ORDER BY e.id
     LIMIT ${batchSize}`;
  const leaves: Hash[] = rows.map((row) => auditLeafHash(row.hash));
  if (rows.length > 0) {
    await tx.$executeRaw`
      INSERT INTO audit_merkle_leaf (leaf_index, audit_event_id, leaf_hash)
      SELECT ${BigInt(size)} + ordinality - 1, id, leaf_hash
        FROM unnest(${rows.map((row) => row.id)}::bigint[], ${leaves.map((leaf) => leaf.toString("hex"))}::text[]) WITH ORDINALITY AS t(id, leaf_hash, ordinality)`;
    for (const leaf of leaves) log.append(leaf);
  }

  // Move the floor (rule 2 above), then remember this run's (max id, xmax) for a later one.
  let floorId = BigInt(state.floor_id);
  let pendingId = BigInt(state.pending_id);
  let pendingXmax = BigInt(state.pending_xmax);
  if (pendingXmax <= BigInt(snapshot.xmin)) {
    const [unsealed] = await tx.$queryRaw<Array<{ found: boolean }>>`
      SELECT EXISTS (
        SELECT 1 FROM audit_event e
         WHERE e.id > ${floorId} AND e.id <= ${pendingId}
           AND NOT EXISTS (SELECT 1 FROM audit_merkle_leaf l WHERE l.audit_event_id = e.id)) AS found`;
    if (!unsealed?.found) {
      if (pendingId > floorId) floorId = pendingId;
      pendingId = BigInt(snapshot.max_id ?? floorId.toString());
      pendingXmax = BigInt(snapshot.xmax);
    }
  }

  let signed = false;
  const treeSize = log.size;
  if (treeSize > 0) {
    const [existing] = await tx.$queryRaw<Array<{ found: boolean }>>`SELECT EXISTS (SELECT 1 FROM audit_checkpoint WHERE tree_size = ${BigInt(treeSize)}) AS found`;
    if (!existing?.found) {
      const root = log.root();
      const issuedAt = now();
      const note = signCheckpoint({ origin: signer.name, treeSize, rootHash: root, time: issuedAt }, signer);
      await tx.$executeRaw`
        INSERT INTO audit_checkpoint (tree_size, root_hash, issued_at, note)
        VALUES (${BigInt(treeSize)}, ${root.toString("hex")}, ${issuedAt.toISOString()}::timestamptz, ${note})`;
      signed = true;
    }
  }
  await tx.$executeRaw`
    UPDATE audit_log_state
       SET tree_size = ${BigInt(treeSize)}, frontier = ${log.frontier().map((hash) => hash.toString("hex"))}::text[],
           floor_id = ${floorId}, pending_id = ${pendingId}, pending_xmax = ${pendingXmax}, updated_at = now()
     WHERE id = 1`;
  return { appended: rows.length, treeSize, signed };
}
