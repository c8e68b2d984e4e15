// Partition maintenance for telemetry_event (partitioned by UTC month of the
// event time, migration 20261203070000_telemetry_partitions), run by the job
// `telemetry.partitions` (server/jobs/maintain-telemetry-partitions.ts):
//
// 1. Ahead: the current month's partition and the next `aheadMonths` exist,
//    so intake lands in a range partition, never in the default one.
// 2. Default partition: a month it holds rows for (an event far in the past or
//    future) gets its own partition; the database function moves the rows.
// 3. Retention (when `retentionDays` is set): every partition that ends at or
//    before the start of the month holding now − retentionDays is dropped,
//    and the default partition's rows before that instant are deleted, in one
//    transaction with one system audit row per purge
//    (`telemetry.partition_purged`: partition, range, row count), never
//    silently. A partition only partly past the retention stays until all of
//    it is (events are kept at least retentionDays, at most a month longer).
//
// Everything is idempotent (a partition that exists is left alone, a dropped
// one is gone) and creators are serialized in the database (advisory lock),
// so two instances' runs cannot conflict; the job queue runs each occurrence
// once anyway.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { writeAuditEvent, type AuditEntry } from "@/server/audit/write-audit-event";
import type { PrismaClient } from "@/server/db/generated/client";

export type TelemetryPartition = { name: string; from: Date | null; to: Date | null; isDefault: boolean };

export type PartitionMaintenanceOptions = {
  /** months created ahead of the current one (TELEMETRY_PARTITIONS_AHEAD_MONTHS) */
  aheadMonths: number;
  /** TELEMETRY_RETENTION_DAYS; undefined keeps everything */
  retentionDays?: number;
  /** correlates the audit rows of one run (the job's id) */
  requestId: string;
  now?: Date;
};

export type PartitionMaintenanceResult = {
  created: number;
  movedFromDefault: number;
  purgedPartitions: number;
  purgedRows: number;
};

const JOB_AGENT = "telemetry-portal (telemetry.partitions job)";

/** The first instant of the UTC month `offset` months after the one holding `date`. */
export function utcMonthStart(date: Date, offset = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1));
}

export async function listTelemetryPartitions(prisma: Pick<PrismaClient, "$queryRaw">): Promise<TelemetryPartition[]> {
  const rows = await prisma.$queryRaw<Array<{ partition_name: string; range_from: Date | null; range_to: Date | null; is_default: boolean }>>`
    SELECT partition_name, range_from, range_to, is_default FROM telemetry_event_partitions()`;
  return rows.map((row) => ({ name: row.partition_name, from: row.range_from, to: row.range_to, isDefault: row.is_default }));
}

/** Creates the monthly partition holding `monthStart` if it is missing; how many rows it took over from the default partition. */
export async function createMonthPartition(prisma: Pick<PrismaClient, "$queryRaw">, monthStart: Date): Promise<{ name: string; created: boolean; moved: number }> {
  const from = utcMonthStart(monthStart);
  const to = utcMonthStart(monthStart, 1);
  const [row] = await prisma.$queryRaw<Array<{ partition_name: string; created: boolean; moved_rows: bigint }>>`
    SELECT partition_name, created, moved_rows FROM telemetry_create_partition(${from}::timestamptz, ${to}::timestamptz)`;
  if (!row) throw new Error("telemetry_create_partition returned nothing");
  return { name: row.partition_name, created: row.created, moved: Number(row.moved_rows) };
}

export async function maintainTelemetryPartitions(prisma: PrismaClient, options: PartitionMaintenanceOptions): Promise<PartitionMaintenanceResult> {
  const now = options.now ?? new Date();
  const result: PartitionMaintenanceResult = { created: 0, movedFromDefault: 0, purgedPartitions: 0, purgedRows: 0 };
  const cutoff = options.retentionDays === undefined ? null : retentionCutoff(now, options.retentionDays);

  // 1. Retention first, so that nothing below recreates a partition about to be dropped.
  if (cutoff) {
    const purged = await purgeBefore(prisma, cutoff, options);
    result.purgedPartitions += purged.partitions;
    result.purgedRows += purged.rows;
  }

  // 2. The months the default partition holds rows for (within retention), then 3. the months ahead.
  const months = new Map<number, Date>();
  const held = await prisma.$queryRaw<Array<{ month_start: Date }>>`SELECT month_start FROM telemetry_default_partition_months()`;
  for (const { month_start } of held) {
    if (cutoff && utcMonthStart(month_start, 1).getTime() <= cutoff.getTime()) continue;
    months.set(month_start.getTime(), month_start);
  }
  for (let offset = 0; offset <= options.aheadMonths; offset += 1) {
    const month = utcMonthStart(now, offset);
    months.set(month.getTime(), month);
  }
  for (const month of [...months.values()].sort((a, b) => a.getTime() - b.getTime())) {
    const made = await prisma.$transaction((tx) => createMonthPartition(tx, month), AUDITED_TRANSACTION);
    if (made.created) result.created += 1;
    result.movedFromDefault += made.moved;
  }
  return result;
}

/**
 * Where retention cuts: the start of the UTC month holding now − retentionDays,
 * a partition boundary. Everything before it goes and nothing after it, so
 * events are kept at least retentionDays and at most a month longer.
 */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return utcMonthStart(new Date(now.getTime() - retentionDays * 86_400_000));
}

/**
 * Removes every event before `cutoff` (a month boundary) in ONE transaction:
 * the default partition's older rows, then each range partition ending at or
 * before it, oldest first, one system audit row per purge. Exactly the rows
 * before the cutoff vanish, and the rollups lose exactly those.
 */
async function purgeBefore(prisma: PrismaClient, cutoff: Date, options: PartitionMaintenanceOptions): Promise<{ partitions: number; rows: number }> {
  return prisma.$transaction(async (tx) => {
    const due = (await listTelemetryPartitions(tx)).filter((partition) => !partition.isDefault && partition.to && partition.to.getTime() <= cutoff.getTime());
    const audits: AuditEntry[] = [];
    const reason = (what: string) => `older than TELEMETRY_RETENTION_DAYS = ${options.retentionDays} (before ${cutoff.toISOString()}): ${what}`;
    const plural = (rows: number) => `${rows} event${rows === 1 ? "" : "s"}`;

    // The statements below delete exactly the events before the cutoff (a partition boundary), in this
    // transaction. Each database function takes the events it removes out of the rollups itself, in the same
    // statement or under the partition's lock (migration 20261204060000), so a concurrent insert is either
    // removed and subtracted or kept and counted.
    const [fromDefault] = await tx.$queryRaw<Array<{ row_count: bigint; first_time: Date | null; last_time: Date | null }>>`
      SELECT row_count, first_time, last_time FROM telemetry_purge_default_partition(${cutoff}::timestamptz)`;
    let rows = Number(fromDefault?.row_count ?? 0);
    if (rows > 0) {
      audits.push(purgeAudit(options, "telemetry_event_default", reason(`${plural(rows)} deleted from the default partition`), rows, {
        from: fromDefault?.first_time ?? null,
        to: fromDefault?.last_time ?? null,
      }));
    }
    for (const partition of due) {
      const [dropped] = await tx.$queryRaw<Array<{ range_from: Date; range_to: Date; row_count: bigint }>>`
        SELECT range_from, range_to, row_count FROM telemetry_drop_partition(${partition.name})`;
      if (!dropped) throw new Error(`telemetry_drop_partition(${partition.name}) returned nothing`);
      const count = Number(dropped.row_count);
      rows += count;
      audits.push(purgeAudit(options, partition.name, reason(`partition ${partition.name} dropped with ${plural(count)}`), count, { from: dropped.range_from, to: dropped.range_to }));
    }
    // Audit rows last: each holds its chain head's lock until the commit.
    for (const entry of audits) await writeAuditEvent(tx, entry);
    return { partitions: due.length, rows };
  }, AUDITED_TRANSACTION);
}

function purgeAudit(options: PartitionMaintenanceOptions, partition: string, reason: string, rowCount: number, range: { from: Date | null; to: Date | null }): AuditEntry {
  return {
    requestId: options.requestId,
    // Written by the portal itself: no person, no address.
    actor: null,
    actorIp: null,
    actorUserAgent: JOB_AGENT,
    action: "telemetry.partition_purged",
    outcome: "allowed",
    reason,
    targetType: "telemetry_partition",
    targetId: partition,
    rowCount,
    after: { partition, from: range.from, to: range.to, rowCount, retentionDays: options.retentionDays ?? null },
  };
}
