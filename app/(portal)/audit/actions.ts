"use server";
import type { VerifyState } from "@/components/audit/verify-panel";
import { verifyAuditTrail } from "@/server/data/audit/verify-audit-trail";
import { isAppError } from "@/server/http/app-error";

/** "Verify now": walks every chain; the verification itself is audited. */
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
      failure: result.firstFailure?.reason ?? null,
    };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { status: "error", message: error.message };
  }
}
