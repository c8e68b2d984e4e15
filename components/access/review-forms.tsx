"use client";
// The access reviews' forms: a reviewer keeps or revokes one grant with a
// reason; an admin starts a campaign now, sets a group's cadence and
// consequence, or ends a campaign early. Each server action goes through the
// data layer, which decides and audits.
import { useActionState } from "react";
import { idleState, type FormAction } from "@/components/admin/action-state";
import { FormNotice, SelectField, SubmitButton, TextAreaField, TextField, valueOf } from "@/components/admin/form-fields";

export function ReviewDecisionForm({ action, itemId, holderName }: { action: FormAction; itemId: string; holderName: string }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  const id = `review-${itemId}`;
  const decisionError = state.fieldErrors.decision;
  const chosen = valueOf(state, "decision", "");
  return (
    <form action={formAction} noValidate aria-label={`Review the grant of ${holderName}`} className="inline-form">
      <input type="hidden" name="itemId" value={itemId} />
      <FormNotice state={state} />
      <fieldset className="choice-row" style={{ border: 0, padding: 0, margin: 0 }} aria-describedby={decisionError ? `${id}-decision-error` : undefined} aria-invalid={decisionError ? true : undefined}>
        <legend className="visually-hidden">Decision for {holderName}</legend>
        <label className="radio">
          <input type="radio" name="decision" value="keep" defaultChecked={chosen === "keep"} /> Keep
        </label>
        <label className="radio">
          <input type="radio" name="decision" value="revoke" defaultChecked={chosen === "revoke"} /> Revoke
        </label>
      </fieldset>
      {decisionError ? (
        <p id={`${id}-decision-error`} className="field-error">
          {decisionError}
        </p>
      ) : null}
      <TextAreaField state={state} id={`${id}-reason`} name="reason" label="Reason" hint="Recorded with the decision." rows={2} required />
      <SubmitButton pending={pending} pendingLabel="Saving…" variant="secondary">
        Record decision
      </SubmitButton>
    </form>
  );
}

export function StartReviewForm({ action, groups }: { action: FormAction; groups: ReadonlyArray<{ value: string; label: string }> }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label="Start an access review now">
      <FormNotice state={state} />
      <div className="admin-field-grid">
        <SelectField state={state} id="start-review-group" name="groupKey" label="Group" options={groups} placeholder="Choose a group" />
      </div>
      <TextAreaField state={state} id="start-review-reason" name="reason" label="Reason" hint="Why review now, outside the cadence." rows={2} required />
      <SubmitButton pending={pending} pendingLabel="Starting…">
        Start review
      </SubmitButton>
    </form>
  );
}

export function ReviewSettingsForm({
  action,
  groupKey,
  groupLabel,
  ownCadenceDays,
  ownConsequence,
  defaults,
}: {
  action: FormAction;
  groupKey: string;
  groupLabel: string;
  ownCadenceDays: number | null;
  ownConsequence: string | null;
  defaults: { cadenceDays: number; consequence: string };
}) {
  const [state, formAction, pending] = useActionState(action, idleState());
  const id = `review-settings-${groupKey}`;
  return (
    <form action={formAction} noValidate aria-label={`Review settings of ${groupLabel}`}>
      <input type="hidden" name="groupKey" value={groupKey} />
      <FormNotice state={state} />
      <div className="admin-field-grid">
        <TextField
          state={state}
          id={`${id}-cadence`}
          name="cadenceDays"
          label="Days between reviews"
          hint={`7–730; blank: the default (${defaults.cadenceDays}).`}
          defaultValue={ownCadenceDays === null ? "" : String(ownCadenceDays)}
        />
        <SelectField
          state={state}
          id={`${id}-consequence`}
          name="consequence"
          label="Unreviewed grants are"
          options={[
            { value: "", label: `the default (${defaults.consequence === "revoke" ? "revoked" : "flagged"})` },
            { value: "revoke", label: "revoked" },
            { value: "flag", label: "flagged for an admin" },
          ]}
          defaultValue={ownConsequence ?? ""}
        />
      </div>
      <TextAreaField state={state} id={`${id}-justification`} name="justification" label="Justification" rows={2} required />
      <SubmitButton pending={pending} pendingLabel="Saving…" variant="secondary">
        Save review settings
      </SubmitButton>
    </form>
  );
}
