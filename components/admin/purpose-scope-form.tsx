"use client";
// One purpose's field classes, changed with a justification (audited with before and after).
import { useActionState } from "react";
import { FIELD_CLASS_LABELS, FIELD_CLASSES, PURPOSE_LABELS, type FieldClass, type Purpose } from "@/lib/telemetry/vocabulary";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton, TextAreaField } from "./form-fields";

export function PurposeScopeForm({ action, purpose, fieldClasses }: { action: FormAction; purpose: Purpose; fieldClasses: readonly FieldClass[] }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  // After a refusal, show what was submitted (React resets the form).
  const submitted = state.status === "error" ? state.values : null;
  const classes = submitted ? FIELD_CLASSES.filter((fieldClass) => submitted[`class:${fieldClass}`] === "on") : fieldClasses;
  const id = `purpose-${purpose}`;
  const classesError = state.fieldErrors.fieldClasses;
  return (
    <form action={formAction} noValidate aria-label={`Field classes for ${PURPOSE_LABELS[purpose]}`}>
      <input type="hidden" name="purpose" value={purpose} />
      <FormNotice state={state} />
      <fieldset aria-describedby={classesError ? `${id}-classes-error` : `${id}-classes-hint`}>
        <legend>Field classes this purpose needs</legend>
        {FIELD_CLASSES.map((fieldClass) => (
          <label key={fieldClass} className="check check--row">
            <input type="checkbox" name={`class:${fieldClass}`} defaultChecked={classes.includes(fieldClass)} />
            <span>{FIELD_CLASS_LABELS[fieldClass]}</span>
          </label>
        ))}
        <p id={`${id}-classes-hint`} className="hint">
          A session never sees more than its groups grant: this only narrows.
        </p>
        {classesError ? (
          <p id={`${id}-classes-error`} className="field-error">
            {classesError}
          </p>
        ) : null}
      </fieldset>
      <TextAreaField state={state} id={`${id}-justification`} name="justification" label="Justification for this change" hint="Auditors read it with the before and after." rows={2} required />
      <SubmitButton pending={pending}>Save purpose</SubmitButton>
    </form>
  );
}
