"use client";
// A change that needs only a reason: revoke a grant, disable or re-enable a
// person, revoke an ingestion key.
import { useActionState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton, TextAreaField } from "./form-fields";

export function ReasonForm({
  action,
  idName,
  idValue,
  label,
  reasonLabel,
  submitLabel,
  pendingLabel,
  hint,
  danger = true,
}: {
  action: FormAction;
  idName: string;
  idValue: string;
  /** the form's accessible name */
  label: string;
  reasonLabel: string;
  submitLabel: string;
  pendingLabel: string;
  hint?: string;
  danger?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label={label} className="inline-form">
      <input type="hidden" name={idName} value={idValue} />
      <FormNotice state={state} />
      <TextAreaField state={state} id={`${idName}-${idValue}-reason`} name="reason" label={reasonLabel} hint={hint} rows={2} required />
      <SubmitButton pending={pending} pendingLabel={pendingLabel} variant={danger ? "danger" : "secondary"}>
        {submitLabel}
      </SubmitButton>
    </form>
  );
}
