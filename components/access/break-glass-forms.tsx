"use client";
// Break-glass forms: take emergency access (group + mandatory reason), end it
// early, and post-review a finished one (outcome + notes). The server decides
// everything; these only collect and show its answer next to each field.
import { useActionState } from "react";
import { idleState, type FormAction } from "@/components/admin/action-state";
import { FormNotice, SelectField, SubmitButton, TextAreaField } from "@/components/admin/form-fields";

export function TakeBreakGlassForm({ action, groups, maxMinutes }: { action: FormAction; groups: ReadonlyArray<{ key: string; label: string }>; maxMinutes: number }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label="Take break-glass access">
      <FormNotice state={state} />
      <SelectField
        state={state}
        id="break-glass-group"
        name="groupKey"
        label="Group"
        hint="Only the groups you are named on call for (and that the access rules allow you) are listed."
        options={groups.map((group) => ({ value: group.key, label: group.label }))}
        placeholder="Choose…"
      />
      <TextAreaField
        state={state}
        id="break-glass-reason"
        name="reason"
        label="Reason"
        hint="The emergency, and why it cannot wait for an approved request (at least 10 characters). Every admin and auditor reads it at once."
        required
      />
      <p className="hint">Access starts at once and ends by itself after {maxMinutes} minutes. Every audit row made under it is marked break-glass.</p>
      <SubmitButton pending={pending} pendingLabel="Taking access…" variant="danger">
        Take break-glass access
      </SubmitButton>
    </form>
  );
}

export function EndBreakGlassForm({ action, breakGlassId }: { action: FormAction; breakGlassId: string }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label="End this break-glass access now" className="inline-form">
      <input type="hidden" name="breakGlassId" value={breakGlassId} />
      <FormNotice state={state} />
      <SubmitButton pending={pending} pendingLabel="Ending…" variant="secondary">
        End it now
      </SubmitButton>
    </form>
  );
}

export function ReviewBreakGlassForm({ action, breakGlassId }: { action: FormAction; breakGlassId: string }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label="Post-review this break-glass access">
      <input type="hidden" name="breakGlassId" value={breakGlassId} />
      <FormNotice state={state} />
      <SelectField
        state={state}
        id="break-glass-outcome"
        name="outcome"
        label="Outcome"
        options={[
          { value: "appropriate", label: "Appropriate: the emergency justified it" },
          { value: "inappropriate", label: "Inappropriate: follow up with the holder" },
        ]}
        placeholder="Choose…"
      />
      <TextAreaField state={state} id="break-glass-notes" name="notes" label="Review notes" hint="What you checked (the marked audit rows, the incident), at least 10 characters." required />
      <SubmitButton pending={pending} pendingLabel="Saving…">
        Record the review
      </SubmitButton>
    </form>
  );
}
