// "Verify now" for auditors: INCREMENTAL from the last successful
// verification (server/audit/verify-trail.ts: new rows' hashes and links,
// verified rows still all there, new leaves and checkpoints against the
// signed copies and the witnesses' cosignatures), recorded as the next resume
// point, and the verification itself audited (audit.verify). The full walk is
// the daily `audit.verify-full` job and `npm run audit:verify -- --full`.
import "server-only";
import { audited } from "@/server/access/audited";
import { loadCheckpointConfig } from "@/server/audit/checkpoints/checkpoint-config";
import { verifierOf } from "@/server/audit/checkpoints/signed-note";
import { verifyAuditTrail as verifyTrail } from "@/server/audit/verify-trail";
import { loadWitnesses } from "@/server/audit/witness/witness-config";
import { getEnv } from "@/server/config/env";

export type AuditVerificationDto = {
  ok: boolean;
  /** "incremental": only what changed since `resumedFrom`; "full": everything (no earlier verification) */
  mode: "full" | "incremental";
  resumedFrom: { treeSize: number; verifiedAt: string; rowCount: number } | null;
  chains: number;
  rowsChecked: number;
  leavesChecked: number;
  checkpointsChecked: number;
  /** the newest signed checkpoint verified */
  treeSize: number;
  checkpointsDisabled: boolean;
  verifiedAt: string;
  durationMs: number;
  firstFailure: { id: string | null; chainId: number; seq: string; reason: string } | null;
  /** every failure found, one sentence each */
  failures: string[];
};

export async function verifyAuditTrail(): Promise<AuditVerificationDto> {
  return audited({ action: "audit.verify", permission: "audit.read", requirePurpose: false }, async ({ tx }) => {
    const env = getEnv();
    const config = loadCheckpointConfig(env);
    const result = await verifyTrail(tx, {
      verifier: config.enabled ? verifierOf(config.signer) : null,
      directory: config.directory,
      witnesses: loadWitnesses(env),
    });
    const failure = result.chains.firstFailure;
    const firstFailure = failure
      ? { id: failure.id?.toString() ?? null, chainId: failure.chainId, seq: failure.seq.toString(), reason: failure.reason }
      : result.failures[0]
        ? { id: null, chainId: -1, seq: "0", reason: result.failures[0] }
        : null;
    const value: AuditVerificationDto = {
      ok: result.ok,
      mode: result.mode,
      resumedFrom: result.resumedFrom,
      chains: result.chains.chains,
      rowsChecked: result.chains.rowsChecked,
      leavesChecked: result.leavesChecked,
      checkpointsChecked: result.checkpointsChecked,
      treeSize: result.treeSize,
      checkpointsDisabled: result.checkpointsDisabled,
      verifiedAt: new Date().toISOString(),
      durationMs: result.durationMs,
      firstFailure,
      failures: result.failures,
    };
    return {
      value,
      audit: {
        targetType: "audit_trail",
        rowCount: result.chains.rowsChecked,
        after: { ok: value.ok, mode: value.mode, chains: value.chains, treeSize: value.treeSize, firstFailure: value.firstFailure },
      },
    };
  });
}
