"use client";
// Who approves a group's access requests (besides the admins) and how many
// distinct approvers its requests need. With a justification; audited.
import { useActionState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SelectField, SubmitButton, TextAreaField, TextField } from "./form-fields";

export function GroupApproversForm({
  action,
  groupKey,
  name,
  approverEmails,
  approvalsRequired,
  sensitiveApprovalsRequired,
}: {
  action: FormAction;
  groupKey: string;
  name: string;
  approverEmails: readonly string[];
  approvalsRequired: number;
  sensitiveApprovalsRequired: number;
}) {
  const [state, formAction, pending] = useActionState(action, idleState());
  const id = `approvers-${groupKey}`;
  return (
    <form action={formAction} noValidate aria-label={`Approvers of ${name}`}>
      <input type="hidden" name="groupKey" value={groupKey} />
      <FormNotice state={state} />
      <TextField
        state={state}
        id={`${id}-emails`}
        name="approverEmails"
        label="Named approvers"
        hint="Emails of people on the access list, separated by commas. Admins approve every group's requests as well."
        defaultValue={approverEmails.join(", ")}
      />
      <div className="admin-field-grid">
        <SelectField
          state={state}
          id={`${id}-count`}
          name="approvalsRequired"
          label="Approvers per request"
          options={["1", "2", "3"].map((value) => ({ value, label: value }))}
          defaultValue={String(approvalsRequired)}
        />
        <SelectField
          state={state}
          id={`${id}-sensitive`}
          name="sensitiveApprovalsRequired"
          label="From Microsoft or OpenAI, or with content"
          hint="Never fewer than two distinct approvers."
          options={["2", "3"].map((value) => ({ value, label: value }))}
          defaultValue={String(sensitiveApprovalsRequired)}
        />
      </div>
      <TextAreaField state={state} id={`${id}-justification`} name="justification" label="Justification" rows={2} required />
      <SubmitButton pending={pending} pendingLabel="Saving…" variant="secondary">
        Save approvers
      </SubmitButton>
    </form>
  );
}
