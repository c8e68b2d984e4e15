"use client";
// A group's named on-call people: the only ones who may take break-glass
// access to it. With a justification; audited.
import { useActionState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton, TextAreaField, TextField } from "./form-fields";

export function OnCallForm({ action, groupKey, name, emails }: { action: FormAction; groupKey: string; name: string; emails: readonly string[] }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  const id = `on-call-${groupKey}`;
  return (
    <form action={formAction} noValidate aria-label={`On-call people of ${name}`}>
      <input type="hidden" name="groupKey" value={groupKey} />
      <FormNotice state={state} />
      <TextField
        state={state}
        id={`${id}-emails`}
        name="onCallEmails"
        label="On-call people"
        hint="Emails of people on the access list, separated by commas; the access rules must allow them the group. Blank: nobody may take break-glass access to it."
        defaultValue={emails.join(", ")}
      />
      <TextAreaField state={state} id={`${id}-justification`} name="justification" label="Justification" rows={2} required />
      <SubmitButton pending={pending} pendingLabel="Saving…" variant="secondary">
        Save on-call people
      </SubmitButton>
    </form>
  );
}
