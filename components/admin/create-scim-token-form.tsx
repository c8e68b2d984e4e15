"use client";
// Issue a SCIM token. The key is shown here once, right after creation:
// the portal keeps only its hash, so it cannot be shown again.
import { useActionState, useState } from "react";
import type { CreatedScimTokenDto } from "@/server/data/admin/types";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton, TextField } from "./form-fields";

export function CreateScimTokenForm({ action }: { action: FormAction<CreatedScimTokenDto> }) {
  const [state, formAction, pending] = useActionState(action, idleState<CreatedScimTokenDto>());
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
    <form action={formAction} noValidate aria-label="Issue a SCIM token">
      {created ? (
        <div className="notice notice--ok key-once" role="status">
          <p className="notice-title">
            Token issued for “{created.name}”. Copy it now: it is shown only this once and cannot be recovered.
          </p>
          <div className="key-box">
            <label htmlFor="new-scim-token">SCIM token</label>
            <input id="new-scim-token" type="text" readOnly value={created.key} className="mono" onFocus={(event) => event.currentTarget.select()} aria-describedby="new-scim-token-hint" />
            <button type="button" className="button button--secondary" onClick={() => copy(created.key)}>
              {copied === created.key ? "Copied" : "Copy"}
            </button>
          </div>
          <p id="new-scim-token-hint" className="hint">
            Paste it into the identity provider&apos;s provisioning settings now. Lost it? Revoke it below and issue a new one.
          </p>
        </div>
      ) : (
        <FormNotice state={state} />
      )}
      <TextField state={state} id="scim-token-name" name="name" label="Identity provider" hint="Which identity provider uses this token, e.g. “Entra ID provisioning”." maxLength={100} required />
      <SubmitButton pending={pending} pendingLabel="Issuing…">
        Issue token
      </SubmitButton>
    </form>
  );
}
