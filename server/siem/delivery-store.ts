// The SIEM delivery's state in the database: sinks, their leases and their
// per-chain cursors (siem_sink, siem_delivery_cursor), and the next rows to
// send. Every statement is short: nothing here holds a transaction open while
// a sink is on the network, so the embedded database (one connection) keeps
// serving requests during a delivery, and a pool connection is never pinned.
//
// WHY PER CHAIN. Each audit chain commits its rows strictly in seq order: a
// writer takes the chain head's row lock before it inserts seq + 1, and that
// lock is released only after the previous writer's commit became visible.
// So the committed rows of a chain are always the gap-free prefix 1..head,
// and "every row of chain c after delivered_seq, in seq order" never skips a
// row that commits later. (Across chains, ids do not give commit order —
// server/audit/checkpoints/seal-audit-log.ts — which is why one global id
// cursor would not do.)
//
// THE LEASE. One delivery worker per sink at a time, across instances:
// `lease_holder` (a fresh id per run) until `lease_expires_at`, taken and
// renewed before each batch by a conditional UPDATE, and required by the
// same transaction that moves the cursors (a worker whose lease ran out
// cannot move them). A lease rather than a row lock or an advisory lock held
// for the run: either would hold a transaction (or a dedicated connection)
// open across network sends, which on the embedded database would stop every
// request. A crashed worker's lease simply expires.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import type { SiemStart } from "@/server/config/env";
import type { Prisma, PrismaClient } from "@/server/db/generated/client";
import { toSiemAuditRow, type RawSiemRow, type SiemAuditRow } from "./siem-audit-row";
import type { SiemSinkKind } from "./siem-sink";

type Db = PrismaClient | Prisma.TransactionClient;

/** The lease was lost (expired, or taken over): this worker must stop moving the cursors. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

export function describeStart(start: SiemStart): string {
  return start.kind === "time" ? start.time.toISOString() : start.kind;
}

/**
 * Creates the sink's row and one cursor per chain, once: at the beginning of
 * the trail, at the chains' heads ("now"), or at the last row before a time.
 * Afterwards SIEM_START_FROM no longer matters to this sink; its destination
 * shown to auditors follows the configuration.
 */
export async function registerSink(prisma: PrismaClient, sink: { name: string; kind: SiemSinkKind; destination: string }, start: SiemStart): Promise<void> {
  const mode = start.kind;
  const time = start.kind === "time" ? start.time.toISOString() : null;
  await prisma.$transaction([
    prisma.$executeRaw`
      INSERT INTO siem_sink (name, kind, destination, start_from)
      VALUES (${sink.name}, ${sink.kind}, ${sink.destination}, ${describeStart(start)})
      ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, destination = EXCLUDED.destination
      WHERE siem_sink.kind <> EXCLUDED.kind OR siem_sink.destination <> EXCLUDED.destination`,
    prisma.$executeRaw`
      INSERT INTO siem_delivery_cursor (sink, chain_id, delivered_seq)
      SELECT ${sink.name}, h.chain_id,
             CASE ${mode}::text
               WHEN 'now' THEN h.seq
               WHEN 'time' THEN COALESCE((SELECT max(e.seq) FROM audit_event e WHERE e.chain_id = h.chain_id AND e.occurred_at < ${time}::timestamptz), 0)
               ELSE 0
             END
      FROM audit_chain_head h
      ON CONFLICT (sink, chain_id) DO NOTHING`,
  ]);
}

/** Takes or renews the sink's lease for `holder`; false when another worker holds it. */
export async function takeLease(prisma: Db, sink: string, holder: string, seconds: number): Promise<boolean> {
  const rows = await prisma.$queryRaw<Array<{ name: string }>>`
    UPDATE siem_sink
    SET lease_holder = ${holder}::uuid, lease_expires_at = now() + ${seconds}::int * interval '1 second', last_attempt_at = now()
    WHERE name = ${sink}
      AND (lease_holder IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= now() OR lease_holder = ${holder}::uuid)
    RETURNING name`;
  return rows.length === 1;
}

export async function releaseLease(prisma: Db, sink: string, holder: string): Promise<void> {
  await prisma.$executeRaw`
    UPDATE siem_sink SET lease_holder = NULL, lease_expires_at = NULL
    WHERE name = ${sink} AND lease_holder = ${holder}::uuid`;
}

/**
 * The next rows to send, at most `limit`: for each chain, the rows after its
 * cursor in seq order; merged by id (within a chain, id order is seq order).
 * Each chain's part is a prefix of what it has pending, so the cursors can
 * move to the last row sent of each chain.
 */
export async function readPendingRows(prisma: Db, sink: string, limit: number): Promise<SiemAuditRow[]> {
  const rows = await prisma.$queryRaw<Array<{ row: string }>>`
    WITH picked AS (
      SELECT p.id
      FROM siem_delivery_cursor c
      JOIN audit_chain_head h ON h.chain_id = c.chain_id AND h.seq > c.delivered_seq
      CROSS JOIN LATERAL (
        SELECT e.id FROM audit_event e
        WHERE e.chain_id = c.chain_id AND e.seq > c.delivered_seq
        ORDER BY e.seq
        LIMIT ${limit}::int
      ) p
      WHERE c.sink = ${sink}
      ORDER BY p.id
      LIMIT ${limit}::int
    )
    SELECT json_build_object(
      'columns', row_to_json(e),
      'id', e.id::text,
      'seq', e.seq::text,
      'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    )::text AS row
    FROM audit_event e JOIN picked ON picked.id = e.id
    ORDER BY e.id`;
  return rows.map(({ row }) => toSiemAuditRow(JSON.parse(row) as RawSiemRow));
}

/** Per chain: the cursor before the rows (first seq − 1) and after them (last seq). */
export function cursorMoves(rows: readonly SiemAuditRow[]): Array<{ chainId: number; from: bigint; to: bigint }> {
  const moves = new Map<number, { chainId: number; from: bigint; to: bigint }>();
  for (const row of rows) {
    const seq = BigInt(row.seq);
    const move = moves.get(row.chainId);
    if (!move) {
      moves.set(row.chainId, { chainId: row.chainId, from: seq - 1n, to: seq });
    } else {
      if (seq !== move.to + 1n) throw new Error(`rows of chain ${row.chainId} are not consecutive (seq ${move.to} then ${seq})`);
      move.to = seq;
    }
  }
  return [...moves.values()];
}

/**
 * After the sink acknowledged `rows`: moves each chain's cursor past them,
 * records the success and renews the lease — in one transaction that first
 * checks this worker still holds the lease, and moves a cursor only from where
 * these rows were read. Throws LeaseLostError (and moves nothing) otherwise.
 */
export async function advanceCursors(prisma: PrismaClient, sink: string, holder: string, rows: readonly SiemAuditRow[], leaseSeconds: number): Promise<void> {
  const moves = cursorMoves(rows);
  if (moves.length === 0) return;
  await prisma.$transaction(async (tx) => {
    const held = await tx.$queryRaw<Array<{ name: string }>>`
      UPDATE siem_sink
      SET last_success_at = now(), failures = 0, delivered_total = delivered_total + ${rows.length}::int,
          lease_expires_at = now() + ${leaseSeconds}::int * interval '1 second'
      WHERE name = ${sink} AND lease_holder = ${holder}::uuid AND lease_expires_at > now()
      RETURNING name`;
    if (held.length !== 1) throw new LeaseLostError(`the delivery lease of sink ${sink} expired or was taken over; its cursors were not moved`);
    const moved = await tx.$executeRaw`
      UPDATE siem_delivery_cursor c
      SET delivered_seq = v.to_seq, updated_at = now()
      FROM unnest(${moves.map((move) => String(move.chainId))}::text[]::smallint[],
                  ${moves.map((move) => move.from.toString())}::text[]::bigint[],
                  ${moves.map((move) => move.to.toString())}::text[]::bigint[]) AS v(chain_id, from_seq, to_seq)
      WHERE c.sink = ${sink} AND c.chain_id = v.chain_id AND c.delivered_seq = v.from_seq`;
    if (moved !== moves.length) throw new LeaseLostError(`a cursor of sink ${sink} moved meanwhile; this worker's batch is not recorded`);
  });
}

/** A failed attempt: counted, with its one-sentence reason (the cursors stay). */
export async function recordFailure(prisma: Db, sink: string, message: string): Promise<void> {
  await prisma.$executeRaw`
    UPDATE siem_sink SET failures = failures + 1, last_error = ${message.slice(0, 2000)}, last_error_at = now()
    WHERE name = ${sink}`;
}

export type SinkState = {
  name: string;
  kind: string;
  destination: string;
  startFrom: string;
  createdAt: Date;
  leaseActive: boolean;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  failures: number;
  deliveredTotal: bigint;
  /** committed rows the sink has not acknowledged */
  lagRows: bigint;
  /** seconds since the oldest of them was written (0 when caught up), on the database's clock */
  lagSeconds: number;
  /** when the newest acknowledged row was written (per chain, the latest) */
  deliveredThrough: Date | null;
};

type SinkStateRow = {
  name: string;
  kind: string;
  destination: string;
  start_from: string;
  created_at: Date;
  lease_active: boolean;
  last_attempt_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  failures: number;
  delivered_total: string;
  lag_rows: string;
  lag_seconds: number | null;
  delivered_through: Date | null;
};

/** Every sink the database knows, with its lag: a few index look-ups per chain. */
export async function readSinkStates(prisma: Db): Promise<SinkState[]> {
  const rows = await prisma.$queryRaw<SinkStateRow[]>`
    SELECT s.name, s.kind, s.destination, s.start_from, s.created_at,
           COALESCE(s.lease_expires_at > now(), false) AS lease_active,
           s.last_attempt_at, s.last_success_at, s.last_error, s.last_error_at, s.failures,
           s.delivered_total::text AS delivered_total,
           COALESCE(sum(GREATEST(h.seq - c.delivered_seq, 0)), 0)::text AS lag_rows,
           COALESCE(EXTRACT(EPOCH FROM now() - min(pending.occurred_at)), 0)::float8 AS lag_seconds,
           max(done.occurred_at) AS delivered_through
    FROM siem_sink s
    LEFT JOIN siem_delivery_cursor c ON c.sink = s.name
    LEFT JOIN audit_chain_head h ON h.chain_id = c.chain_id
    LEFT JOIN LATERAL (SELECT e.occurred_at FROM audit_event e WHERE e.chain_id = c.chain_id AND e.seq = c.delivered_seq + 1) pending ON true
    LEFT JOIN LATERAL (SELECT e.occurred_at FROM audit_event e WHERE e.chain_id = c.chain_id AND e.seq = c.delivered_seq AND c.delivered_seq > 0) done ON true
    GROUP BY s.name
    ORDER BY s.name`;
  return rows.map((row) => ({
    name: row.name,
    kind: row.kind,
    destination: row.destination,
    startFrom: row.start_from,
    createdAt: row.created_at,
    leaseActive: row.lease_active,
    lastAttemptAt: row.last_attempt_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    failures: Number(row.failures),
    deliveredTotal: BigInt(row.delivered_total),
    lagRows: BigInt(row.lag_rows),
    lagSeconds: Math.max(0, Number(row.lag_seconds ?? 0)),
    deliveredThrough: row.delivered_through,
  }));
}
