"use client";
// Who manages this person: their approval alone never grants this person
// access (another approver must approve too). With a justification; audited.
import { useActionState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton, TextAreaField, TextField } from "./form-fields";

export function ManagerForm({ action, personId, managerEmail }: { action: FormAction; personId: string; managerEmail: string }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <details>
      <summary>Change the manager</summary>
      <form action={formAction} noValidate aria-label="Manager">
        <input type="hidden" name="personId" value={personId} />
        <FormNotice state={state} />
        <TextField
          state={state}
          id="manager-email"
          name="managerEmail"
          label="Manager's email"
          hint="Someone on the access list; blank for none. The identity provider may also set it (SCIM enterprise manager). A manager's approval is never the only one for their report's request."
          defaultValue={managerEmail}
        />
        <TextAreaField state={state} id="manager-justification" name="justification" label="Justification" rows={2} required />
        <SubmitButton pending={pending} pendingLabel="Saving…" variant="secondary">
          Save manager
        </SubmitButton>
      </form>
    </details>
  );
}
