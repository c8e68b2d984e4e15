"use client";
// One group's scope: which event kinds and field classes membership grants,
// changed with a justification (audited with before and after).
import { useActionState } from "react";
import { EVENT_KIND_LABELS, EVENT_KINDS, FIELD_CLASS_LABELS, FIELD_CLASSES, type EventKind, type FieldClass, type GroupKey } from "@/lib/telemetry/vocabulary";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton, TextAreaField } from "./form-fields";

export function GroupScopeForm({
  action,
  groupKey,
  name,
  eventKinds,
  fieldClasses,
}: {
  action: FormAction;
  groupKey: GroupKey;
  name: string;
  eventKinds: readonly EventKind[];
  fieldClasses: readonly FieldClass[];
}) {
  const [state, formAction, pending] = useActionState(action, idleState());
  // After a refusal, show what was submitted (React resets the form).
  const submitted = state.status === "error" ? state.values : null;
  const kinds = submitted ? EVENT_KINDS.filter((kind) => submitted[`kind:${kind}`] === "on") : eventKinds;
  const classes = submitted ? FIELD_CLASSES.filter((fieldClass) => submitted[`class:${fieldClass}`] === "on") : fieldClasses;
  const id = `scope-${groupKey}`;
  const kindsError = state.fieldErrors.eventKinds;
  const classesError = state.fieldErrors.fieldClasses;
  return (
    <form action={formAction} noValidate aria-label={`Scope of ${name}`}>
      <input type="hidden" name="groupKey" value={groupKey} />
      <FormNotice state={state} />
      <div className="admin-columns">
        <fieldset aria-describedby={kindsError ? `${id}-kinds-error` : undefined}>
          <legend>Event kinds</legend>
          {EVENT_KINDS.map((kind) => (
            <label key={kind} className="check check--row">
              <input type="checkbox" name={`kind:${kind}`} defaultChecked={kinds.includes(kind)} />
              <span>{EVENT_KIND_LABELS[kind]}</span>
            </label>
          ))}
          {kindsError ? (
            <p id={`${id}-kinds-error`} className="field-error">
              {kindsError}
            </p>
          ) : null}
        </fieldset>
        <fieldset aria-describedby={classesError ? `${id}-classes-error` : `${id}-classes-hint`}>
          <legend>Field classes</legend>
          {FIELD_CLASSES.map((fieldClass) => (
            <label key={fieldClass} className="check check--row">
              <input type="checkbox" name={`class:${fieldClass}`} defaultChecked={classes.includes(fieldClass)} />
              <span>{FIELD_CLASS_LABELS[fieldClass]}</span>
            </label>
          ))}
          <p id={`${id}-classes-hint`} className="hint">
            Content is users&apos; code: members still reveal it one event at a time, and each reveal is audited.
          </p>
          {classesError ? (
            <p id={`${id}-classes-error`} className="field-error">
              {classesError}
            </p>
          ) : null}
        </fieldset>
      </div>
      <TextAreaField state={state} id={`${id}-justification`} name="justification" label="Justification for this change" hint="Auditors read it with the before and after." rows={2} required />
      <SubmitButton pending={pending}>Save scope</SubmitButton>
    </form>
  );
}
