"use client";
// Grant a group or a role. The choices are what the seed's rules allow for this
// person, and the expiry defaults to the longest allowed — but the server is
// the authority and refuses anything else with the rule's message.
import { useActionState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SelectField, SubmitButton, TextAreaField, TextField } from "./form-fields";

export type GrantFormProps = {
  action: FormAction;
  personId: string;
  allowedAccess: ReadonlyArray<{ code: string; label: string }>;
  maxGrantDays: number;
  earliestExpiryDate: string;
  latestExpiryDate: string;
};

export function GrantForm({ action, personId, allowedAccess, maxGrantDays, earliestExpiryDate, latestExpiryDate }: GrantFormProps) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label="Grant access">
      <input type="hidden" name="personId" value={personId} />
      <FormNotice state={state} />
      <div className="admin-field-grid">
        <SelectField
          state={state}
          id="grant-access"
          name="access"
          label="Group or role"
          hint="Telemetry needs the viewer role and a group."
          options={allowedAccess.map((access) => ({ value: access.code, label: access.label }))}
          placeholder="Choose…"
        />
        <TextField
          state={state}
          id="grant-expires"
          name="expiresAt"
          type="date"
          label="Expires on"
          hint={`Access ends at 00:00 UTC that day; at most ${maxGrantDays} days from today (${latestExpiryDate}).`}
          defaultValue={latestExpiryDate}
          min={earliestExpiryDate}
          max={latestExpiryDate}
          required
        />
      </div>
      <TextAreaField
        state={state}
        id="grant-justification"
        name="justification"
        label="Justification"
        hint="Who needs this access and why (at least 10 characters). Auditors read it."
        required
      />
      <SubmitButton pending={pending} pendingLabel="Granting…">
        Grant access
      </SubmitButton>
    </form>
  );
}
