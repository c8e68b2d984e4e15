// Found by the fuzz stage: the intake stores machine ids of up to 256
// characters, but an audit row took 128 at most — so every list or export
// that disclosed such an event failed its audit row and answered 503, for
// every viewer. What the intake stores must fit the audit trail, and the
// auditor must be able to search for it.
import { describe, expect, it } from "vitest";
import { auditSearchSchema } from "@/lib/audit/audit-query";
import { MAX_METADATA_LENGTH } from "@/lib/telemetry/metadata";
import { auditEntrySchema } from "./write-audit-event";

const ENTRY = { requestId: "00000000-0000-4000-8000-000000000001", actor: null, actorIp: null, actorUserAgent: null, action: "events.list", outcome: "allowed" } as const;

describe("an audit row's machine ids", () => {
  it("take every machine id the intake stores, unchanged", () => {
    const longest = "m".repeat(MAX_METADATA_LENGTH);
    expect(auditEntrySchema.parse({ ...ENTRY, machineIds: [longest, "a1b2"] }).machineIds).toEqual([longest, "a1b2"]);
  });

  it("are made to fit rather than refused, whatever they hold", () => {
    const [fitted] = auditEntrySchema.parse({ ...ENTRY, machineIds: [`x\u0000${"y".repeat(400)}`] }).machineIds ?? [];
    expect(fitted?.length).toBeLessThanOrEqual(MAX_METADATA_LENGTH);
    expect(fitted).not.toContain("\u0000");
  });

  it("can be searched for by the auditor, up to the same length", () => {
    const result = auditSearchSchema.safeParse(new URLSearchParams({ machineId: "m".repeat(MAX_METADATA_LENGTH) }));
    expect(result.success).toBe(true);
  });
});
