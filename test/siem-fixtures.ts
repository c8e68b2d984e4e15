// A realistic audit row as the SIEM delivery reads it, for unit tests.
import type { SiemAuditRow } from "@/server/siem/siem-audit-row";

export function sampleSiemRow(overrides: Partial<SiemAuditRow> = {}): SiemAuditRow {
  return {
    id: "4711",
    chainId: 3,
    seq: "128",
    occurredAt: "2026-11-24T09:15:02.345Z",
    requestId: "8d0e3c1a-6f0b-4b7e-9a51-2c1f3d4e5a6b",
    actorPersonId: "0b6f4f0e-3c4e-4a51-9a43-8b1d1e2a9c11",
    actorEmail: "viewer.copilot@github.example",
    actorEmployer: "github",
    actorGroups: ["copilot_team"],
    actorRoles: ["viewer"],
    actorIp: "203.0.113.7",
    actorUserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
    action: "events.list",
    outcome: "allowed",
    reason: null,
    purpose: "improve_product",
    purposeDetail: null,
    targetType: null,
    targetId: null,
    eventIds: ["5f0c2d6e-1111-4a2b-8c3d-000000000001", "5f0c2d6e-1111-4a2b-8c3d-000000000002"],
    machineIds: ["a1b2c3"],
    fieldClasses: ["environment", "measurements"],
    filters: { kinds: ["error"], from: "2026-11-23T00:00:00.000Z" },
    rowCount: 2,
    fileSha256: null,
    before: null,
    after: null,
    prevHash: "a".repeat(64),
    hash: "b".repeat(64),
    ...overrides,
  };
}
