"use server";
import type { VerifyState } from "@/components/audit/verify-panel";
import { verifyAuditTrail } from "@/server/data/audit/verify-audit-trail";
import { isAppError } from "@/server/http/app-error";

/** "Verify now": incremental from the last verification (server/audit/verify-trail.ts); the verification itself is audited. */
export async function verifyNowAction(): Promise<VerifyState> {
  try {
    const result = await verifyAuditTrail();
    return {
      status: "done",
      ok: result.ok,
      rowsChecked: result.rowsChecked,
      chains: result.chains,
      verifiedAt: result.verifiedAt,
      durationMs: result.durationMs,
      failure: result.failures.length > 1 ? result.failures.join(" · ") : (result.firstFailure?.reason ?? null),
      mode: result.mode,
      since: result.resumedFrom?.verifiedAt ?? null,
      treeSize: result.treeSize,
    };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { status: "error", message: error.message };
  }
}
