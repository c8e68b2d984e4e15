"use client";
// Issue an ingestion key. The key is shown here once, right after creation:
// the portal keeps only its hash, so it cannot be shown again.
import { useActionState, useState } from "react";
import type { CreatedIngestionKeyDto } from "@/server/data/admin/types";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton, TextField } from "./form-fields";

export function CreateIngestionKeyForm({ action }: { action: FormAction<CreatedIngestionKeyDto> }) {
  const [state, formAction, pending] = useActionState(action, idleState<CreatedIngestionKeyDto>());
  const [copied, setCopied] = useState<string | null>(null);
  const created = state.status === "ok" ? state.data : null;

  async function copy(key: string) {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(key);
    } catch {
      setCopied(null);
    }
  }

  return (
    <form action={formAction} noValidate aria-label="Issue an ingestion key">
      {created ? (
        <div className="notice notice--ok key-once" role="status">
          <p className="notice-title">
            Key issued for “{created.name}”. Copy it now: it is shown only this once and cannot be recovered.
          </p>
          <div className="key-box">
            <label htmlFor="new-key">Ingestion key</label>
            <input id="new-key" type="text" readOnly value={created.key} className="mono" onFocus={(event) => event.currentTarget.select()} aria-describedby="new-key-hint" />
            <button type="button" className="button button--secondary" onClick={() => copy(created.key)}>
              {copied === created.key ? "Copied" : "Copy"}
            </button>
          </div>
          <p id="new-key-hint" className="hint">
            Give it to the producer now. Lost it? Revoke it below and issue a new one.
          </p>
        </div>
      ) : (
        <FormNotice state={state} />
      )}
      <TextField state={state} id="key-name" name="name" label="Producer" hint="Who sends telemetry with this key, e.g. “VS Code telemetry relay (EU)”." maxLength={100} required />
      <SubmitButton pending={pending} pendingLabel="Issuing…">
        Issue key
      </SubmitButton>
    </form>
  );
}
