"use client";
// Ask for telemetry access to a group, or for an extension of a grant: the
// group (only those the seed's rules allow), a duration preset (30 days by
// default), a justification and an optional ticket. The server decides.
import { useActionState } from "react";
import { idleState, type FormAction } from "@/components/admin/action-state";
import { FormNotice, SelectField, SubmitButton, TextAreaField, TextField, valueOf } from "@/components/admin/form-fields";

export type RequestAccessFormProps = {
  action: FormAction;
  /** an extension of this grant (the group is the grant's) */
  grant?: { id: string; label: string; expiresAt: string };
  groups: ReadonlyArray<{ key: string; label: string; approvalsRequired: number; approvalsReason: string | null }>;
  durationPresets: readonly number[];
  maxGrantDays: number;
};

export function RequestAccessForm({ action, grant, groups, durationPresets, maxGrantDays }: RequestAccessFormProps) {
  const [state, formAction, pending] = useActionState(action, idleState());
  const chosen = valueOf(state, "durationDays", String(durationPresets[0] ?? ""));
  const durationError = state.fieldErrors.durationDays;
  return (
    <form action={formAction} noValidate aria-label={grant ? "Ask for an extension" : "Ask for access"}>
      <FormNotice state={state} />
      {grant ? (
        <input type="hidden" name="grantId" value={grant.id} />
      ) : (
        <SelectField
          state={state}
          id="request-group"
          name="groupKey"
          label="Group"
          hint="Telemetry access is the group's scope with the viewer role. Only the groups the access rules allow you are listed."
          options={groups.map((group) => ({
            value: group.key,
            label: group.approvalsRequired > 1 ? `${group.label} (needs ${group.approvalsRequired} approvers)` : group.label,
          }))}
          placeholder="Choose…"
        />
      )}
      <fieldset className="field" aria-describedby={durationError ? "request-duration-error" : "request-duration-hint"}>
        <legend>{grant ? "Extend for" : "For how long"}</legend>
        <span id="request-duration-hint" className="hint">
          {grant ? "Counted from today; it must reach beyond the current expiry. " : "Ask for what you need: it can be extended later. "}
          At most {maxGrantDays} days for you.
        </span>
        <div className="choice-row">
          {durationPresets.map((days) => (
            <label key={days} className="choice">
              <input type="radio" name="durationDays" value={String(days)} defaultChecked={chosen === String(days)} />
              {days} days
            </label>
          ))}
        </div>
        {durationError ? (
          <p id="request-duration-error" className="field-error">
            {durationError}
          </p>
        ) : null}
      </fieldset>
      <TextAreaField
        state={state}
        id="request-justification"
        name="justification"
        label="Justification"
        hint="What you will use the telemetry for, and why you need it (at least 10 characters). Approvers and auditors read it."
        required
      />
      <TextField
        state={state}
        id="request-ticket"
        name="ticketRef"
        label="Ticket reference (optional)"
        hint="e.g. SEC-1234, if a ticket tracks this access."
        maxLength={100}
      />
      <SubmitButton pending={pending} pendingLabel="Sending…">
        {grant ? "Ask for the extension" : "Ask for access"}
      </SubmitButton>
    </form>
  );
}
