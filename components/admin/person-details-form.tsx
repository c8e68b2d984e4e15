"use client";
import { useActionState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton } from "./form-fields";
import { PersonFields, type PersonFacts } from "./person-fields";

export function PersonDetailsForm({ action, personId, current }: { action: FormAction; personId: string; current: PersonFacts }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label="Person's details">
      <input type="hidden" name="personId" value={personId} />
      <FormNotice state={state} />
      <PersonFields state={state} idPrefix="person" defaults={current} />
      <SubmitButton pending={pending}>Save details</SubmitButton>
    </form>
  );
}
