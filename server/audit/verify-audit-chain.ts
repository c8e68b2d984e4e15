// Verifies the audit trail: walks every chain in seq order (keyset batches on
// (chain_id, seq)), recomputes each row's hash, checks that each row links to
// the one before it and that seq has no gaps, then compares the chain's last
// row with its head in audit_chain_head. Stops at the first failure and names
// it in a sentence an auditor can act on.
//
// Concurrent writers are fine: chains are verified up to the heads as read at
// the start (a row and its head move commit together, so every row up to a
// head's seq is visible). Rows written later are left for the next run, except
// that rows beyond a head are looked for (they were inserted out of band).
//
// Rows are read as JSON straight from PostgreSQL (row_to_json), keyed by
// column name like the canonical form: about four times faster than mapping
// them through Prisma, and occurred_at comes out in UTC whatever the session
// time zone (@prisma/adapter-pg misreads timestamptz outside UTC,
// prisma/orm#26786).
//
// This module does not import "server-only": `npm run audit:verify` runs it.
import type pg from "pg";
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { genesisHash, hashAuditColumns } from "./canonical";
import { streamChainRows } from "./copy-walk";

export type AuditFailure = {
  /** the offending row; null when the failure is about the chain head (e.g. a cut tail) */
  id: bigint | null;
  chainId: number;
  seq: bigint;
  reason: string;
};

export type AuditVerification = {
  ok: boolean;
  /** chains that hold rows (or whose head has moved) */
  chains: number;
  rowsChecked: number;
  firstFailure?: AuditFailure;
  /** where each chain was verified up to (its head as read at the start), when ok and asked for (`withHeads`) */
  heads?: AuditCheckpoint[];
};

/**
 * Where a chain resumes after an operator archived and purged its older rows
 * (see server/audit/retention.ts): the seq and hash of the last purged row.
 */
export type AuditCheckpoint = { chainId: number; seq: bigint; hash: string };

export type VerifyOptions = {
  batchSize?: number;
  onProgress?: (rowsChecked: number) => void;
  checkpoints?: readonly AuditCheckpoint[];
  /** what the start points are, in messages: "checkpoint" (retention, the default) or "verified" (incremental) */
  startLabel?: "checkpoint" | "verified";
  /**
   * A pg client on the same database: rows are then streamed with COPY and
   * hashed in one pass (./copy-walk.ts) instead of read in keyset batches.
   * PostgreSQL only; PGlite takes the batch path.
   */
  copyClient?: pg.Client;
  /** also return where each chain was verified up to (`heads`) */
  withHeads?: boolean;
};

type AuditReader = PrismaClient | Prisma.TransactionClient;
type ChainHead = { chainId: number; seq: bigint; hash: string };
type Linked = { id: bigint | null; seq: bigint; hash: string; label?: "checkpoint" | "verified" };

/** An audit row as stored: its columns by SQL name, ready for hashAuditColumns. */
export type StoredAuditRow = {
  id: bigint;
  chainId: number;
  seq: bigint;
  prevHash: string;
  hash: string;
  /** every column by SQL name; seq and occurred_at (ISO, UTC, ms) as strings */
  columns: Record<string, unknown>;
  /** occurred_at holds more than milliseconds, which writeAuditEvent never writes */
  hasSubMillisecondTime: boolean;
};

const DEFAULT_BATCH_SIZE = 2000;

export async function verifyAuditChain(prisma: AuditReader, options: VerifyOptions = {}): Promise<AuditVerification> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError("batchSize must be a positive integer");
  const checkpoints = new Map((options.checkpoints ?? []).map((checkpoint) => [checkpoint.chainId, checkpoint]));

  const heads = await readHeads(prisma);
  if (heads.length === 0) throw new Error("audit_chain_head is empty: the audit_append_only migration has not been applied");

  let rowsChecked = 0;
  let chains = 0;
  const fail = (firstFailure: AuditFailure): AuditVerification => ({ ok: false, chains, rowsChecked, firstFailure });
  for (const head of heads) {
    const start = checkpoints.get(head.chainId) ?? { chainId: head.chainId, seq: 0n, hash: genesisHash(head.chainId) };
    if (head.seq > 0n) chains += 1;
    const progress = (rows: number) => options.onProgress?.(rowsChecked + rows);
    const label = options.startLabel ?? "checkpoint";
    const walked = options.copyClient
      ? await walkChainByCopy(options.copyClient, prisma, head, start, label, progress)
      : await walkChain(prisma, head, start, batchSize, label, progress);
    rowsChecked += walked.rows;
    const failure = walked.failure ?? compareWithHead(head, walked.last);
    if (failure) return fail(failure);
  }

  const outOfBand = await findOutOfBandRow(prisma, heads);
  if (outOfBand) return fail(outOfBand);
  const verified: AuditVerification = { ok: true, chains, rowsChecked };
  if (options.withHeads) verified.heads = heads.map(({ chainId, seq, hash }) => ({ chainId, seq, hash }));
  return verified;
}

/** Checks rows start.seq+1 … head.seq of one chain, in keyset batches. */
async function walkChain(
  prisma: AuditReader,
  head: ChainHead,
  start: AuditCheckpoint,
  batchSize: number,
  label: "checkpoint" | "verified",
  onProgress: (rows: number) => void,
): Promise<{ rows: number; last: Linked; failure?: AuditFailure }> {
  let last: Linked = { id: null, seq: start.seq, hash: start.hash, label };
  let rows = 0;
  while (last.seq < head.seq) {
    const batch = await readAuditRows(prisma, { chainId: head.chainId, afterSeq: last.seq, throughSeq: head.seq, limit: batchSize });
    for (const row of batch) {
      const failure = checkRow(row, last);
      if (failure) return { rows, last, failure };
      last = { id: row.id, seq: row.seq, hash: row.hash };
      rows += 1;
    }
    if (batch.length > 0) onProgress(rows);
    if (batch.length < batchSize) break;
  }
  return { rows, last };
}

/**
 * The same walk over a COPY stream: the row's hash was computed as it arrived
 * (./copy-walk.ts); one that does not match is re-read and re-hashed on the
 * batch path before it is called altered. A row found intact there (one
 * neither of the stream's encodings reproduces: a difference in encoding,
 * not in content) costs one re-read, and the stream resumes after it.
 */
async function walkChainByCopy(
  client: pg.Client,
  prisma: AuditReader,
  head: ChainHead,
  start: AuditCheckpoint,
  label: "checkpoint" | "verified",
  onProgress: (rows: number) => void,
): Promise<{ rows: number; last: Linked; failure?: AuditFailure }> {
  let last: Linked = { id: null, seq: start.seq, hash: start.hash, label };
  let rows = 0;
  while (last.seq < head.seq) {
    let suspect: { row: StoredAuditRowLink; previous: Linked } | undefined;
    let failure: AuditFailure | undefined;
    await streamChainRows(client, { chainId: head.chainId, afterSeq: last.seq, throughSeq: head.seq }, (row) => {
      const problem = checkLink(row, last) ?? (row.hasSubMillisecondTime || row.computedHash !== row.hash ? "hash" : undefined);
      if (problem === "hash") {
        suspect = { row, previous: last };
        return false;
      }
      if (problem) {
        failure = problem;
        return false;
      }
      last = { id: row.id, seq: row.seq, hash: row.hash };
      rows += 1;
      if (rows % 5000 === 0) onProgress(rows);
      return true;
    });
    if (failure) return { rows, last, failure };
    if (!suspect) break;
    // The slow path decides.
    const [stored] = await readAuditRows(prisma, { chainId: head.chainId, afterSeq: suspect.row.seq - 1n, throughSeq: suspect.row.seq, limit: 1 });
    if (!stored) break;
    const slowFailure = checkRow(stored, suspect.previous);
    if (slowFailure) return { rows, last, failure: slowFailure };
    last = { id: stored.id, seq: stored.seq, hash: stored.hash };
    rows += 1;
  }
  onProgress(rows);
  return { rows, last };
}

type StoredAuditRowLink = Pick<StoredAuditRow, "id" | "chainId" | "seq" | "prevHash" | "hash">;

/** Rows afterSeq < seq <= throughSeq of one chain, in seq order. */
export async function readAuditRows(
  prisma: AuditReader,
  range: { chainId: number; afterSeq: bigint; throughSeq: bigint; limit: number },
): Promise<StoredAuditRow[]> {
  const rows = await prisma.$queryRaw<Array<{ row: string }>>`
    SELECT json_build_object(
      'columns', row_to_json(e),
      'id', e.id::text,
      'seq', e.seq::text,
      'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    )::text AS row
    FROM audit_event e
    WHERE e.chain_id = ${range.chainId} AND e.seq > ${range.afterSeq} AND e.seq <= ${range.throughSeq}
    ORDER BY e.seq
    LIMIT ${range.limit}`;
  return rows.map(({ row }) => toStoredRow(JSON.parse(row) as RawRow));
}

type RawRow = { columns: Record<string, unknown>; id: string; seq: string; occurred_at: string };

function toStoredRow(raw: RawRow): StoredAuditRow {
  // "…:03.456000Z" → "…:03.456Z", the form Date#toISOString gave when the row was written.
  const exactToMs = /^(.*\.\d{3})000Z$/.exec(raw.occurred_at);
  const columns = { ...raw.columns, seq: raw.seq, occurred_at: exactToMs ? `${exactToMs[1]}Z` : raw.occurred_at };
  return {
    id: BigInt(raw.id),
    chainId: Number(raw.columns.chain_id),
    seq: BigInt(raw.seq),
    prevHash: String(raw.columns.prev_hash),
    hash: String(raw.columns.hash),
    columns,
    hasSubMillisecondTime: !exactToMs,
  };
}

/** seq continuity and the prev_hash link (not the content hash). */
function checkLink(row: StoredAuditRowLink, previous: Linked): AuditFailure | undefined {
  const at = (reason: string): AuditFailure => ({
    id: row.id,
    chainId: row.chainId,
    seq: row.seq,
    reason: `row ${row.id} (chain ${row.chainId}, seq ${row.seq}): ${reason}`,
  });
  const expectedSeq = previous.seq + 1n;
  if (row.seq !== expectedSeq) {
    const missing = row.seq - 1n === expectedSeq ? `seq ${expectedSeq} is` : `seq ${expectedSeq}–${row.seq - 1n} are`;
    return at(`${missing} missing before it — rows were deleted or renumbered`);
  }
  if (row.prevHash !== previous.hash) {
    return at(`prev_hash does not match the hash of ${describeLink(previous)} — a row was altered, replaced or reordered`);
  }
  return undefined;
}

function checkRow(row: StoredAuditRow, previous: Linked): AuditFailure | undefined {
  const at = (reason: string): AuditFailure => ({
    id: row.id,
    chainId: row.chainId,
    seq: row.seq,
    reason: `row ${row.id} (chain ${row.chainId}, seq ${row.seq}): ${reason}`,
  });
  const expectedSeq = previous.seq + 1n;
  if (row.seq !== expectedSeq) {
    const missing = row.seq - 1n === expectedSeq ? `seq ${expectedSeq} is` : `seq ${expectedSeq}–${row.seq - 1n} are`;
    return at(`${missing} missing before it — rows were deleted or renumbered`);
  }
  if (row.hasSubMillisecondTime || hashAuditColumns(row.columns) !== row.hash) return at("content hash does not match — the row was altered");
  if (row.prevHash !== previous.hash) {
    return at(`prev_hash does not match the hash of ${describeLink(previous)} — a row was altered, replaced or reordered`);
  }
  return undefined;
}

/** The walk stopped at `last` (the start point when the chain has no rows to check). */
function compareWithHead(head: ChainHead, last: Linked): AuditFailure | undefined {
  const at = (reason: string): AuditFailure => ({ id: null, chainId: head.chainId, seq: head.seq, reason: `chain ${head.chainId}: ${reason}` });
  const lastRow =
    last.id !== null ? `the last row is seq ${last.seq}` : last.seq === 0n ? "the chain has no rows" : `the chain resumes at ${last.label === "verified" ? "the last verified" : "checkpoint"} seq ${last.seq}`;
  if (head.seq > last.seq) return at(`head says seq ${head.seq} but ${lastRow} — rows were cut from the tail`);
  if (head.seq < last.seq) return at(`head says seq ${head.seq} but ${lastRow} — the head was moved back`);
  if (head.hash !== last.hash) return at(`head hash does not match ${describeLink(last)} at seq ${last.seq} — the head or the row was altered`);
  return undefined;
}

function describeLink(link: Linked): string {
  if (link.id !== null) return `row ${link.id}`;
  if (link.seq === 0n) return "the chain's genesis";
  return link.label === "verified" ? `the last verified row (seq ${link.seq})` : `the checkpoint at seq ${link.seq}`;
}

function readHeads(prisma: AuditReader): Promise<ChainHead[]> {
  return prisma.auditChainHead.findMany({ select: { chainId: true, seq: true, hash: true }, orderBy: { chainId: "asc" } });
}

/**
 * Rows past a head, or on a chain without a head, were not written by
 * writeAuditEvent (which moves the head in the same statement). The newest
 * row of each chain is read first and the heads second, so a row that a real
 * writer committed in between is covered by the head.
 */
async function findOutOfBandRow(prisma: AuditReader, headsAtStart: ChainHead[]): Promise<AuditFailure | undefined> {
  const newest = await newestRowPerChain(prisma);
  const startSeq = new Map(headsAtStart.map((head) => [head.chainId, head.seq]));
  const suspects = newest.filter(({ chainId, seq }) => seq > (startSeq.get(chainId) ?? -1n));
  if (suspects.length === 0) return undefined;

  const current = new Map((await readHeads(prisma)).map((head) => [head.chainId, head.seq]));
  for (const { chainId, seq } of suspects) {
    const headSeq = current.get(chainId);
    if (headSeq !== undefined && seq <= headSeq) continue;
    const first = await prisma.auditEvent.findFirst({
      where: { chainId, seq: { gt: headSeq ?? -1n } },
      orderBy: { seq: "asc" },
      select: { id: true, seq: true },
    });
    if (!first) continue;
    const where = `row ${first.id} (chain ${chainId}, seq ${first.seq})`;
    const reason =
      headSeq === undefined
        ? `${where}: chain ${chainId} has no head — the row was inserted out of band`
        : `${where}: beyond the chain head (seq ${headSeq}) — the row was inserted out of band`;
    return { id: first.id, chainId, seq: first.seq, reason };
  }
  return undefined;
}

/**
 * The highest seq of every chain that has rows, headed or not: a loose index
 * scan over (chain_id, seq) — one probe per chain instead of reading the table.
 */
async function newestRowPerChain(prisma: AuditReader): Promise<Array<{ chainId: number; seq: bigint }>> {
  const rows = await prisma.$queryRaw<Array<{ chain_id: number; seq: bigint }>>`
    WITH RECURSIVE chains AS (
      SELECT min(chain_id) AS chain_id FROM audit_event
      UNION ALL
      SELECT (SELECT min(e.chain_id) FROM audit_event e WHERE e.chain_id > chains.chain_id)
      FROM chains WHERE chains.chain_id IS NOT NULL
    )
    SELECT chains.chain_id, (SELECT max(e.seq) FROM audit_event e WHERE e.chain_id = chains.chain_id) AS seq
    FROM chains WHERE chains.chain_id IS NOT NULL
    ORDER BY chains.chain_id`;
  return rows.map((row) => ({ chainId: Number(row.chain_id), seq: BigInt(row.seq) }));
}
