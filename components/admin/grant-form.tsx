"use client";
// Grant telemetry access to a group (the group and the viewer role, one grant)
// or a staff role, with one justification and one expiry. The expiry is a
// preset — 30 days by default, never the maximum — or a date. The choices are
// what the seed's rules allow for this person, but the server is the
// authority and refuses anything else with the rule's message.
import { useActionState, useState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SelectField, SubmitButton, TextAreaField, TextField, valueOf } from "./form-fields";

export type GrantFormProps = {
  action: FormAction;
  personId: string;
  allowedAccess: ReadonlyArray<{ code: string; label: string }>;
  maxGrantDays: number;
  durationPresets: readonly number[];
  earliestExpiryDate: string;
  latestExpiryDate: string;
};

export function GrantForm({ action, personId, allowedAccess, maxGrantDays, durationPresets, earliestExpiryDate, latestExpiryDate }: GrantFormProps) {
  const [state, formAction, pending] = useActionState(action, idleState());
  const initial = valueOf(state, "duration", String(durationPresets[0] ?? "date"));
  const [duration, setDuration] = useState(initial);
  const durationError = state.fieldErrors.durationDays;
  return (
    <form action={formAction} noValidate aria-label="Grant access">
      <input type="hidden" name="personId" value={personId} />
      <FormNotice state={state} />
      <SelectField
        state={state}
        id="grant-access"
        name="access"
        label="Access"
        hint="Telemetry access is the group and the viewer role together, in one grant. Admin and auditor are separate roles."
        options={allowedAccess.map((access) => ({ value: access.code, label: access.label }))}
        placeholder="Choose…"
      />
      <fieldset className="field" aria-describedby={durationError ? "grant-duration-error" : "grant-duration-hint"}>
        <legend>For how long</legend>
        <span id="grant-duration-hint" className="hint">
          Start short: it can be extended. At most {maxGrantDays} days for this person.
        </span>
        <div className="choice-row">
          {durationPresets.map((days) => (
            <label key={days} className="choice">
              <input type="radio" name="duration" value={String(days)} checked={duration === String(days)} onChange={() => setDuration(String(days))} />
              {days} days
            </label>
          ))}
          <label className="choice">
            <input type="radio" name="duration" value="date" checked={duration === "date"} onChange={() => setDuration("date")} />
            Until a date
          </label>
        </div>
        {durationError ? (
          <p id="grant-duration-error" className="field-error">
            {durationError}
          </p>
        ) : null}
      </fieldset>
      {duration === "date" ? (
        <TextField
          state={state}
          id="grant-expires"
          name="expiresAt"
          type="date"
          label="Expires on"
          hint={`Access ends at 00:00 UTC that day; at most ${maxGrantDays} days from today (${latestExpiryDate}).`}
          min={earliestExpiryDate}
          max={latestExpiryDate}
          required
        />
      ) : null}
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
