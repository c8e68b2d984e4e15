// What the auditor console shows per SIEM sink: the configured sinks
// (./siem-config.ts) joined with what the database knows of each
// (./delivery-store.ts), and one state word. Pure, so it is unit-tested.
//
// No "server-only": shared by the data layer and its tests.
import type { SinkState } from "./delivery-store";
import type { ConfiguredSink } from "./siem-config";

/**
 * up_to_date: every committed row acknowledged; behind: rows waiting, no
 * failure since the last acknowledgement; failing: the last attempt(s) failed;
 * waiting: configured, no delivery has run yet (the job runs every minute);
 * retired: in the database, no longer configured (its cursors are kept).
 */
export const SINK_STATES = ["up_to_date", "behind", "failing", "waiting", "retired"] as const;
export type SinkStateName = (typeof SINK_STATES)[number];

export const SINK_STATE_LABELS: Record<SinkStateName, string> = {
  up_to_date: "Up to date",
  behind: "Catching up",
  failing: "Failing",
  waiting: "Not started yet",
  retired: "No longer configured",
};

export type SiemSinkStatus = {
  name: string;
  kind: string;
  destination: string;
  configured: boolean;
  state: SinkStateName;
  /** committed rows not yet acknowledged; null before the first run */
  lagRows: number | null;
  /** age of the oldest of them, seconds; null before the first run */
  lagSeconds: number | null;
  /** when the newest acknowledged row was written */
  deliveredThrough: string | null;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
  deliveredTotal: number;
  startFrom: string | null;
  since: string | null;
};

const iso = (date: Date | null) => date?.toISOString() ?? null;

function stateOf(configured: boolean, known: SinkState | undefined): SinkStateName {
  if (!configured) return "retired";
  if (!known) return "waiting";
  if (known.failures > 0) return "failing";
  return known.lagRows > 0n ? "behind" : "up_to_date";
}

export function describeSinks(configured: readonly ConfiguredSink[], known: readonly SinkState[]): SiemSinkStatus[] {
  const byName = new Map(known.map((state) => [state.name, state]));
  const names = [...configured.map((sink) => sink.name), ...known.map((state) => state.name).filter((name) => !configured.some((sink) => sink.name === name))];
  return names.map((name) => {
    const config = configured.find((sink) => sink.name === name);
    const state = byName.get(name);
    return {
      name,
      kind: config?.kind ?? state?.kind ?? "unknown",
      destination: config?.destination ?? state?.destination ?? "",
      configured: Boolean(config),
      state: stateOf(Boolean(config), state),
      lagRows: state ? Number(state.lagRows) : null,
      lagSeconds: state ? (state.lagRows > 0n ? Math.round(state.lagSeconds) : 0) : null,
      deliveredThrough: iso(state?.deliveredThrough ?? null),
      lastSuccessAt: iso(state?.lastSuccessAt ?? null),
      lastAttemptAt: iso(state?.lastAttemptAt ?? null),
      lastError: state?.lastError ?? null,
      lastErrorAt: iso(state?.lastErrorAt ?? null),
      failures: state?.failures ?? 0,
      deliveredTotal: state ? Number(state.deliveredTotal) : 0,
      startFrom: state?.startFrom ?? null,
      since: iso(state?.createdAt ?? null),
    };
  });
}
