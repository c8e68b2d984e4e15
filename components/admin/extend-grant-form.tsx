"use client";
import { useActionState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton, TextAreaField, TextField } from "./form-fields";

/** Extend one grant: a new, later expiry (default: the longest allowed) and why. */
export function ExtendGrantForm({ action, grantId, latestExpiryDate, label }: { action: FormAction; grantId: string; latestExpiryDate: string; label: string }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  const id = `extend-${grantId}`;
  return (
    <form action={formAction} noValidate aria-label={`Extend ${label}`} className="inline-form">
      <input type="hidden" name="grantId" value={grantId} />
      <FormNotice state={state} />
      <TextField state={state} id={`${id}-expires`} name="expiresAt" type="date" label="New expiry" defaultValue={latestExpiryDate} max={latestExpiryDate} required />
      <TextAreaField state={state} id={`${id}-justification`} name="justification" label="Why extend" rows={2} required />
      <SubmitButton pending={pending} pendingLabel="Extending…" variant="secondary">
        Extend
      </SubmitButton>
    </form>
  );
}
