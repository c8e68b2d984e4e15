// The receipt file's parts that need no database: the completeness sentence,
// a receipt made before any checkpoint, and the file's refusals (exit 2 in
// the CLI) — truncated, not a receipt, a field of the wrong form.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DISCLOSURE_RECEIPT_FORMAT,
  ReceiptFileError,
  completenessStatement,
  describeReceiptVerdict,
  parseReceiptText,
  verifyDisclosureReceipt,
  type DisclosureReceipt,
} from "./disclosure-receipt";
import { parseSigningKey, verifierOf } from "./signed-note";

const verifier = verifierOf(parseSigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), "portal.test/audit"));
const MACHINE = "ab".repeat(32);

const unsealed: DisclosureReceipt = {
  format: DISCLOSURE_RECEIPT_FORMAT,
  machineId: MACHINE,
  generatedAt: "2026-11-30T12:00:00.000Z",
  treeSize: 0,
  checkpoint: null,
  completeness: completenessStatement(MACHINE, 0, null, 0, 0),
  rows: [],
  notYetCovered: [],
};

describe("disclosure receipts without a database", () => {
  it("states completeness in a sentence for each case", () => {
    const time = new Date("2026-11-30T12:00:00.000Z");
    expect(completenessStatement("m", 120, time, 2, 1)).toBe(
      "Complete up to checkpoint size 120 signed at 2026-11-30T12:00:00.000Z: of the first 120 rows of the audit log, exactly 2 audit rows disclosed data of machine m, each with an inclusion proof. 1 audit row written since is listed as not yet covered by a checkpoint.",
    );
    expect(completenessStatement("m", 120, time, 0, 0)).toMatch(/of the first 120 rows of the audit log, none disclosed data of machine m\. No row written since names it\.$/);
    expect(completenessStatement("m", 0, null, 0, 3)).toMatch(/^No signed checkpoint exists yet, so nothing is proven: 3 audit rows name machine m/);
  });

  it("accepts a receipt made before any checkpoint, but never covered rows without one", () => {
    const verdict = verifyDisclosureReceipt(unsealed, verifier);
    expect(verdict).toMatchObject({ ok: true, covered: 0, notYetCovered: 0, treeSize: 0 });
    expect(describeReceiptVerdict(verdict, verifier).lines[0]).toMatch(/no signed checkpoint yet, so nothing in it is proven/);
    const claimed = { ...unsealed, rows: [{ auditEventId: "1", leafIndex: 0, rowHash: "0".repeat(64), row: {}, inclusionProof: [] }] };
    expect(verifyDisclosureReceipt(claimed, verifier)).toEqual({ ok: false, reason: "the receipt lists rows covered by a checkpoint but carries no checkpoint" });
    expect(describeReceiptVerdict({ ok: false, reason: "x" }, verifier)).toEqual({ code: 1, lines: ["Disclosure receipt FAILED: x."] });
  });

  it("refuses a truncated file, another document and a malformed field, naming each", () => {
    const text = JSON.stringify(unsealed);
    expect(parseReceiptText(text, "r.json")).toEqual(unsealed);
    expect(() => parseReceiptText(text.slice(0, 40), "r.json")).toThrow(new ReceiptFileError("Cannot read the disclosure receipt r.json: it is not complete JSON (truncated?)."));
    expect(() => parseReceiptText(JSON.stringify({ format: "telemetry-portal-audit-proof/1" }), "r.json")).toThrow(/r\.json is not a disclosure receipt: format/);
    expect(() => parseReceiptText(JSON.stringify({ ...unsealed, treeSize: -1 }), "r.json")).toThrow(/treeSize/);
    expect(() => parseReceiptText(JSON.stringify({ ...unsealed, extra: 1 }), "r.json")).toThrow(/not a disclosure receipt/);
  });
});
