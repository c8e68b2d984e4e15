import { describe, expect, it } from "vitest";
import { formatAge } from "@/components/audit/siem-delivery-panel";
import type { SinkState } from "./delivery-store";
import { describeSinks } from "./sink-status";

function known(overrides: Partial<SinkState>): SinkState {
  return {
    name: "syslog",
    kind: "syslog",
    destination: "tcp://siem.internal:514",
    startFrom: "beginning",
    createdAt: new Date("2026-11-24T08:00:00Z"),
    leaseActive: false,
    lastAttemptAt: new Date("2026-11-24T09:00:00Z"),
    lastSuccessAt: new Date("2026-11-24T09:00:00Z"),
    lastError: null,
    lastErrorAt: null,
    failures: 0,
    deliveredTotal: 1200n,
    lagRows: 0n,
    lagSeconds: 0,
    deliveredThrough: new Date("2026-11-24T08:59:58Z"),
    ...overrides,
  };
}

describe("the SIEM sinks the auditor console lists", () => {
  const syslog = { name: "syslog", kind: "syslog" as const, destination: "tls://siem.internal:6514" };
  const hec = { name: "hec", kind: "hec" as const, destination: "https://splunk.internal:8088/services/collector/event" };

  it("names each sink's state: up to date, catching up, failing, not started, no longer configured", () => {
    const sinks = describeSinks([syslog, hec], [known({ name: "syslog", lagRows: 0n }), known({ name: "old", destination: "tcp://gone:514" })]);
    expect(sinks.map((sink) => [sink.name, sink.state, sink.configured])).toEqual([
      ["syslog", "up_to_date", true],
      ["hec", "waiting", true],
      ["old", "retired", false],
    ]);
    expect(describeSinks([syslog], [known({ lagRows: 12n, lagSeconds: 61.4 })])[0]).toMatchObject({ state: "behind", lagRows: 12, lagSeconds: 61 });
    expect(describeSinks([syslog], [known({ lagRows: 12n, failures: 3, lastError: "tls://siem.internal:6514: connection refused (ECONNREFUSED)" })])[0]).toMatchObject({
      state: "failing",
      failures: 3,
      lastError: "tls://siem.internal:6514: connection refused (ECONNREFUSED)",
    });
  });

  it("shows the configured destination, and no lag before the first run", () => {
    const [waiting] = describeSinks([hec], []);
    expect(waiting).toMatchObject({ destination: hec.destination, lagRows: null, lagSeconds: null, lastSuccessAt: null, deliveredTotal: 0, since: null });
    const [moved] = describeSinks([syslog], [known({ destination: "tcp://old:514" })]);
    expect(moved?.destination).toBe("tls://siem.internal:6514");
  });

  it("reports a caught-up sink's lag as 0 seconds, whatever the clock says", () => {
    expect(describeSinks([syslog], [known({ lagRows: 0n, lagSeconds: 5 })])[0]?.lagSeconds).toBe(0);
  });
});

describe("formatAge", () => {
  it("reads as seconds, minutes, hours or days", () => {
    expect(formatAge(0)).toBe("0 s");
    expect(formatAge(42.4)).toBe("42 s");
    expect(formatAge(192)).toBe("3 min 12 s");
    expect(formatAge(3600)).toBe("1 h");
    expect(formatAge(7500)).toBe("2 h 5 min");
    expect(formatAge(3 * 86_400 + 4 * 3600 + 5)).toBe("3 d 4 h");
  });
});
