// Audit retention. AUDIT_RETENTION_DAYS unset (the default) keeps every row
// forever; setting it only makes old rows *reportable*: the portal never
// deletes audit rows itself — the append-only triggers refuse it, and a purge
// the application could run would be a purge an attacker could run.
//
// Purging is an explicit operator step, run as the tables' owner:
//   1. `npm run audit:verify` must report the trail intact.
//   2. Call findAuditRowsPastRetention (audit:verify prints the count when
//      AUDIT_RETENTION_DAYS is set): per chain, the rows to archive are
//      seq <= checkpoint.seq — a prefix of the chain, so what remains still
//      links up — and the checkpoint is that last row's seq and hash.
//   3. Archive those rows and a manifest holding the checkpoints and the
//      archive's SHA-256 to write-once storage, e.g. per chain
//        \copy (SELECT * FROM audit_event WHERE chain_id = 3 AND seq <= 1200 ORDER BY seq) TO 'audit-3.csv' CSV HEADER
//      The archive verifies offline with the same algorithm (canonical.ts),
//      from the genesis (or the previous checkpoint) up to the checkpoint.
//   4. Delete them in one transaction as the owner:
//        BEGIN;
//        ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete;
//        DELETE FROM audit_event WHERE (chain_id = 3 AND seq <= 1200) OR …;
//        ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete;
//        COMMIT;
//   5. From then on verify from the checkpoints:
//        npm run audit:verify -- --checkpoints manifest-checkpoints.json
//      (a JSON array of { "chainId": 3, "seq": "1200", "hash": "…" }).
//
// This module does not import "server-only": `npm run audit:verify` runs it.
import type { PrismaClient } from "@/server/db/generated/client";
import type { AuditCheckpoint } from "./verify-audit-chain";

export type ChainPastRetention = {
  chainId: number;
  rows: number;
  oldest: Date;
  newest: Date;
  /** archive rows with seq <= checkpoint.seq; verification then resumes from it */
  checkpoint: AuditCheckpoint;
};

export type AuditRetentionReport = {
  retentionDays: number;
  cutoff: Date;
  rowsPastRetention: number;
  chains: ChainPastRetention[];
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Which rows are older than the retention window, as chain prefixes ready to
 * archive. Returns null when retention is not configured (keep forever).
 * Reads only; it scans audit_event once, so run it off-peak on large trails.
 */
export async function findAuditRowsPastRetention(
  prisma: Pick<PrismaClient, "$queryRaw">,
  retentionDays: number | undefined,
  now: Date = new Date(),
): Promise<AuditRetentionReport | null> {
  if (retentionDays === undefined) return null;
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const cutoffIso = cutoff.toISOString();
  // Per chain, the prefix ends just before the first row inside the window
  // (or at the last row when the whole chain is older).
  // Timestamps come back as ISO text: the pg adapter misreads timestamptz in
  // sessions not set to UTC (prisma/orm#26786).
  const prefixes = await prisma.$queryRaw<Array<{ chain_id: number; rows: number; seq: bigint; oldest: string; newest: string }>>`
    WITH bounds AS (
      SELECT chain_id, coalesce(min(seq) FILTER (WHERE occurred_at >= ${cutoffIso}::timestamptz) - 1, max(seq)) AS last_seq
      FROM audit_event GROUP BY chain_id
    )
    SELECT e.chain_id, count(*)::integer AS rows, max(e.seq) AS seq,
           to_char(min(e.occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS oldest,
           to_char(max(e.occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS newest
    FROM audit_event e JOIN bounds b ON b.chain_id = e.chain_id AND e.seq <= b.last_seq
    GROUP BY e.chain_id ORDER BY e.chain_id`;

  const chains: ChainPastRetention[] = [];
  for (const prefix of prefixes) {
    const seq = BigInt(prefix.seq);
    const [last] = await prisma.$queryRaw<Array<{ hash: string }>>`
      SELECT hash FROM audit_event WHERE chain_id = ${prefix.chain_id} AND seq = ${seq}`;
    if (!last) continue; // purged meanwhile by another operator
    chains.push({
      chainId: prefix.chain_id,
      rows: prefix.rows,
      oldest: new Date(prefix.oldest),
      newest: new Date(prefix.newest),
      checkpoint: { chainId: prefix.chain_id, seq, hash: last.hash },
    });
  }
  return { retentionDays, cutoff, rowsPastRetention: chains.reduce((sum, chain) => sum + chain.rows, 0), chains };
}
