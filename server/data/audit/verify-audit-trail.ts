// "Verify now" for auditors: walks every hash chain (server/audit/) and
// records the verification and its result in the trail (audit.verify).
import "server-only";
import { audited } from "@/server/access/audited";
import { verifyAuditChain } from "@/server/audit/verify-audit-chain";

export type AuditVerificationDto = {
  ok: boolean;
  chains: number;
  rowsChecked: number;
  verifiedAt: string;
  durationMs: number;
  firstFailure: { id: string | null; chainId: number; seq: string; reason: string } | null;
};

export async function verifyAuditTrail(): Promise<AuditVerificationDto> {
  return audited({ action: "audit.verify", permission: "audit.read", requirePurpose: false }, async ({ tx }) => {
    const started = Date.now();
    const result = await verifyAuditChain(tx);
    const failure = result.firstFailure;
    const value: AuditVerificationDto = {
      ok: result.ok,
      chains: result.chains,
      rowsChecked: result.rowsChecked,
      verifiedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      firstFailure: failure ? { id: failure.id?.toString() ?? null, chainId: failure.chainId, seq: failure.seq.toString(), reason: failure.reason } : null,
    };
    return {
      value,
      audit: { targetType: "audit_trail", rowCount: result.rowsChecked, after: { ok: value.ok, chains: value.chains, firstFailure: value.firstFailure } },
    };
  });
}
