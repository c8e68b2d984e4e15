// portal_siem_lag_rows and portal_siem_lag_seconds, read from the database
// when Prometheus scrapes (like the job queue's depth): every instance reports
// the current figure, and a delivery that stopped altogether still shows its
// lag growing rather than its last value. Only configured sinks are reported.
// The job runner attaches this when it starts and detaches it when it stops.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import type { Logger } from "pino";
import { getEnv } from "@/server/config/env";
import type { PrismaClient } from "@/server/db/generated/client";
import { getMetrics } from "@/server/observability/metrics";
import { readSinkStates } from "./delivery-store";
import { configuredSinks } from "./siem-config";

type Collect = (() => Promise<void>) | undefined;

function setCollect(collect: Collect): void {
  const metrics = getMetrics();
  // prom-client calls a metric's `collect` before each scrape; metrics.ts declares the gauges without one.
  Object.assign(metrics.siemLagRows, { collect });
  Object.assign(metrics.siemLagSeconds, { collect });
}

/** `sinkNames`: the configured sinks (default: from the environment). */
export function attachSiemLagMetrics(prisma: PrismaClient, logger: Logger, sinkNames: readonly string[] = configuredSinks(getEnv()).map((sink) => sink.name)): void {
  const metrics = getMetrics();
  const names = new Set(sinkNames);
  if (names.size === 0) return;
  // A scrape collects every metric at once: both gauges' collects share one query.
  let inFlight: Promise<void> | null = null;
  const collect = () => {
    inFlight ??= (async () => {
      try {
        const states = await readSinkStates(prisma);
        metrics.siemLagRows.reset();
        metrics.siemLagSeconds.reset();
        for (const state of states) {
          if (!names.has(state.name)) continue;
          metrics.siemLagRows.set({ sink: state.name }, Number(state.lagRows));
          metrics.siemLagSeconds.set({ sink: state.name }, state.lagRows > 0n ? state.lagSeconds : 0);
        }
      } catch (error) {
        // No number is better than a stale one.
        metrics.siemLagRows.reset();
        metrics.siemLagSeconds.reset();
        logger.debug({ err: error }, "Reading the SIEM delivery lag failed");
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };
  setCollect(collect);
}

export function detachSiemLagMetrics(): void {
  setCollect(undefined);
  getMetrics().siemLagRows.reset();
  getMetrics().siemLagSeconds.reset();
}
