"use client";
import { useActionState } from "react";
import { formatUtc } from "@/lib/telemetry/format";

export type VerifyState = {
  status: "idle" | "done" | "error";
  ok?: boolean;
  rowsChecked?: number;
  chains?: number;
  verifiedAt?: string;
  durationMs?: number;
  failure?: string | null;
  message?: string;
  /** "incremental": only what changed since `since`; "full": everything */
  mode?: "full" | "incremental";
  since?: string | null;
  treeSize?: number;
};

export type LastVerification = { at: string; ok: boolean; rowsChecked: number | null; by: string | null } | null;

/** The chain's verification status and a "Verify now" button (a server action). */
export function VerifyPanel({ action, last }: { action: (state: VerifyState) => Promise<VerifyState>; last: LastVerification }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <section className="card" aria-labelledby="verify-heading">
      <div className="page-head" style={{ marginBottom: 0 }}>
        <div>
          <h2 id="verify-heading" style={{ marginTop: 0 }}>
            Integrity of the trail
          </h2>
          <p className="subtle" style={{ marginBottom: 0 }}>
            Every row is hash-chained to the one before it and sealed into a signed Merkle log. &ldquo;Verify now&rdquo; checks what changed since the last
            verification — new rows, new leaves, new checkpoints against their signed copies — and that every row verified before is still there; the full walk
            of every row runs daily.
          </p>
        </div>
        <form action={formAction}>
          <button type="submit" className="button" disabled={pending}>
            {pending ? "Verifying…" : "Verify now"}
          </button>
        </form>
      </div>
      <div aria-live="polite">
        {state.status === "done" ? (
          state.ok ? (
            <p className="notice notice--ok" style={{ marginTop: "0.75rem" }}>
              Intact: {state.rowsChecked?.toLocaleString("en-US")} rows in {state.chains} chains verified at {formatUtc(state.verifiedAt ?? "", false)} UTC
              ({state.durationMs} ms)
              {state.mode === "incremental" && state.since
                ? `, incremental: new since the verification of ${formatUtc(state.since, false)} UTC`
                : state.mode === "full"
                  ? ", every row (the first verification)"
                  : ""}
              {state.treeSize ? `; signed checkpoints consistent up to ${state.treeSize.toLocaleString("en-US")} rows` : ""}.
            </p>
          ) : (
            <p className="notice notice--error" role="alert" style={{ marginTop: "0.75rem" }}>
              <strong>Tampering detected.</strong> {state.failure}
            </p>
          )
        ) : state.status === "error" ? (
          <p className="notice notice--error" role="alert" style={{ marginTop: "0.75rem" }}>
            {state.message}
          </p>
        ) : last ? (
          <p className={`notice ${last.ok ? "notice--ok" : "notice--error"}`} style={{ marginTop: "0.75rem" }}>
            Last verified {formatUtc(last.at, false)} UTC{last.by ? ` by ${last.by}` : ""}: {last.ok ? "intact" : "FAILED"}
            {last.rowsChecked !== null ? ` (${last.rowsChecked.toLocaleString("en-US")} rows)` : ""}.
          </p>
        ) : (
          <p className="notice" style={{ marginTop: "0.75rem" }}>
            Not verified from the console yet.
          </p>
        )}
      </div>
    </section>
  );
}
