"use client";
import { useActionState } from "react";
import { idleState, type FormAction } from "./action-state";
import { FormNotice, SubmitButton } from "./form-fields";
import { PersonFields } from "./person-fields";

export function CreatePersonForm({ action }: { action: FormAction<{ id: string }> }) {
  const [state, formAction, pending] = useActionState(action, idleState<{ id: string }>());
  return (
    <form action={formAction} noValidate>
      <FormNotice state={state} />
      <PersonFields state={state} idPrefix="new-person" defaults={{ name: "", email: "", employer: "", employmentType: "" }} />
      <SubmitButton pending={pending} pendingLabel="Adding…">
        Add person
      </SubmitButton>
    </form>
  );
}
