// The checkpoint panel renders what an auditor needs to read, labelled: the
// signature status with its key id, the directory copy, each witness, the
// public key, and the consistency-proof form (labelled fields).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CheckpointPanel } from "./checkpoint-panel";
import type { CheckpointStatusDto } from "@/server/data/audit/get-audit-checkpoints";

const status: CheckpointStatusDto = {
  enabled: true,
  disabledReason: null,
  publicKey: "portal.example/audit+1a2b3c4d+AXyz",
  keyId: "1a2b3c4d",
  latest: {
    treeSize: 12_700,
    issuedAt: "2026-11-30T16:00:00.000Z",
    rootHex: "ab".repeat(32),
    signature: { valid: true, keyName: "portal.example/audit", keyId: "1a2b3c4d" },
    file: { status: "identical", name: "checkpoint-0000000000012700.txt" },
    witnesses: [
      { name: "other.example/witness", url: "https://other.example/api/v1/witness/add-checkpoint", cosigned: true, valid: true, at: "2026-11-30T16:00:05.000Z", lastCosignedSize: 12_700 },
      { name: "third.example/witness", url: "https://third.example/x", cosigned: false, valid: false, at: null, lastCosignedSize: 12_000 },
    ],
  },
  checkpointCount: 310,
  lastVerification: { at: "2026-11-30T15:59:00.000Z", kind: "incremental", treeSize: 12_600, rowCount: 12_650 },
};

describe("CheckpointPanel", () => {
  it("shows the newest checkpoint, its signature by key id, its copies and the public key", () => {
    const html = renderToStaticMarkup(createElement(CheckpointPanel, { status }));
    expect(html).toContain("12,700 rows, signed");
    expect(html).toContain('Valid signature by key id <span class="mono">1a2b3c4d</span> (portal.example/audit)');
    expect(html).toContain("checkpoint-0000000000012700.txt</span>: present and identical");
    expect(html).toContain("other.example/witness</span>: cosigned this checkpoint at");
    expect(html).toContain("third.example/witness</span>: has not cosigned it yet (last cosigned 12,000 rows)");
    expect(html).toContain("portal.example/audit+1a2b3c4d+AXyz");
    expect(html).toContain('<label for="consistency-from">From checkpoint (rows)</label>');
    expect(html).toContain('action="/api/v1/audit/checkpoints/consistency"');
  });

  it("says so when a signature does not verify, the file differs, or checkpoints are disabled", () => {
    const broken = renderToStaticMarkup(
      createElement(CheckpointPanel, {
        status: {
          ...status,
          latest: { ...(status.latest as NonNullable<CheckpointStatusDto["latest"]>), signature: { valid: false, reason: "its signature does not verify" }, file: { status: "different", name: "checkpoint-1.txt" } },
        },
      }),
    );
    expect(broken).toContain('role="alert">Signature does not verify: its signature does not verify');
    expect(broken).toContain("DIFFERENT from the stored checkpoint");
    const disabled = renderToStaticMarkup(createElement(CheckpointPanel, { status: { ...status, enabled: false, disabledReason: "Audit checkpoints are DISABLED", publicKey: null, latest: null } }));
    expect(disabled).toContain("Audit checkpoints are DISABLED");
    expect(disabled).toContain("No checkpoint has been signed yet");
  });
});
