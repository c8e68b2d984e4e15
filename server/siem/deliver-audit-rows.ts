// Delivers committed audit rows to the configured SIEM sinks: at least once,
// in order per chain (./delivery-store.ts says why that holds). The audit table
// is the outbox — a row commits with the access it records — so a request
// never waits for a sink, and a sink that is down only makes its lag grow.
//
// Per sink, concurrently: register (cursors created once, at SIEM_START_FROM),
// take the lease, then loop — read the next batch after the cursors, send it,
// and when the sink acknowledged it move the cursors past it — until caught
// up, the time budget is spent, or the sink fails. A failure is logged with
// its cause, counted in portal_siem_delivery_failures_total and stored for the
// auditor console; the cursors stay, and the next run (a minute later) sends
// the same rows again. Nothing here throws for a sink's failure; a database
// failure does throw (the job is retried).
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { SiemStart } from "@/server/config/env";
import type { PrismaClient } from "@/server/db/generated/client";
import { getMetrics } from "@/server/observability/metrics";
import { LeaseLostError, advanceCursors, readPendingRows, recordFailure, registerSink, releaseLease, takeLease } from "./delivery-store";
import { describeSinkFailure, type SiemSink } from "./siem-sink";

export type DeliveryOptions = {
  sinks: readonly SiemSink[];
  start: SiemStart;
  batchSize: number;
  /** no new batch starts after this many milliseconds */
  budgetMs: number;
  /** the lease, renewed before each batch; longer than a batch can take (SIEM_TIMEOUT_SECONDS) */
  leaseSeconds: number;
  logger: Logger;
};

export type SinkRunOutcome = "caught-up" | "budget-spent" | "failed" | "busy" | "lease-lost";
export type SinkRunResult = { sink: string; outcome: SinkRunOutcome; delivered: number; batches: number };

export async function deliverToSink(prisma: PrismaClient, sink: SiemSink, options: DeliveryOptions): Promise<SinkRunResult> {
  const metrics = getMetrics();
  const result = (outcome: SinkRunOutcome): SinkRunResult => ({ sink: sink.name, outcome, delivered, batches });
  let delivered = 0;
  let batches = 0;
  await registerSink(prisma, sink, options.start);
  const holder = randomUUID();
  if (!(await takeLease(prisma, sink.name, holder, options.leaseSeconds))) return result("busy");
  const startedAt = performance.now();
  try {
    for (;;) {
      if (performance.now() - startedAt >= options.budgetMs) return result("budget-spent");
      const rows = await readPendingRows(prisma, sink.name, options.batchSize);
      if (rows.length === 0) return result("caught-up");
      // Renewed just before the send, so the send always fits in the lease.
      if (!(await takeLease(prisma, sink.name, holder, options.leaseSeconds))) return result("lease-lost");
      let acknowledged: number;
      try {
        acknowledged = await sink.deliver(rows);
        if (!Number.isInteger(acknowledged) || acknowledged < 1 || acknowledged > rows.length) {
          throw new Error(`the sink reported ${acknowledged} of ${rows.length} rows acknowledged`);
        }
      } catch (error) {
        const message = describeSinkFailure(sink.destination, error);
        metrics.siemDeliveryFailures.inc({ sink: sink.name });
        await recordFailure(prisma, sink.name, message);
        options.logger.error(
          { sink: sink.name, kind: sink.kind, firstPendingAuditId: rows[0]?.id, batch: rows.length },
          `SIEM sink ${sink.name} did not take the audit rows: ${message}. They stay queued and are sent again on the next run.`,
        );
        return result("failed");
      }
      try {
        await advanceCursors(prisma, sink.name, holder, rows.slice(0, acknowledged), options.leaseSeconds);
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        options.logger.warn({ sink: sink.name }, `${error.message} (the rows were sent and will be sent again: at least once)`);
        return result("lease-lost");
      }
      metrics.siemRowsDelivered.inc({ sink: sink.name }, acknowledged);
      delivered += acknowledged;
      batches += 1;
    }
  } finally {
    await releaseLease(prisma, sink.name, holder).catch((error: unknown) => options.logger.warn({ err: error, sink: sink.name }, "Releasing a SIEM delivery lease failed; it expires by itself"));
  }
}

/** One run over every sink (concurrently); counts for the job's log, never row content. */
export async function deliverAuditRows(prisma: PrismaClient, options: DeliveryOptions): Promise<Record<string, number>> {
  const settled = await Promise.allSettled(options.sinks.map((sink) => deliverToSink(prisma, sink, options)));
  const counts: Record<string, number> = { sinks: options.sinks.length, delivered: 0, batches: 0, failed: 0, busy: 0, behind: 0 };
  let databaseError: unknown;
  for (const outcome of settled) {
    if (outcome.status === "rejected") {
      databaseError ??= outcome.reason;
      continue;
    }
    const { delivered, batches, outcome: how } = outcome.value;
    counts.delivered = (counts.delivered ?? 0) + delivered;
    counts.batches = (counts.batches ?? 0) + batches;
    if (how === "failed") counts.failed = (counts.failed ?? 0) + 1;
    if (how === "busy" || how === "lease-lost") counts.busy = (counts.busy ?? 0) + 1;
    if (how === "budget-spent") counts.behind = (counts.behind ?? 0) + 1;
  }
  if (databaseError) throw databaseError;
  return counts;
}
