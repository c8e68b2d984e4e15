"use client";
// Approve (optionally with a comment) or cancel: one button each; a denial
// needs a reason (components/admin/reason-form.tsx).
import { useActionState } from "react";
import { idleState, type FormAction } from "@/components/admin/action-state";
import { FormNotice, SubmitButton, TextAreaField } from "@/components/admin/form-fields";

export function ApproveForm({ action, requestId, last }: { action: FormAction; requestId: string; /** this approval completes the request */ last: boolean }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label="Approve this request" className="inline-form">
      <input type="hidden" name="requestId" value={requestId} />
      <FormNotice state={state} />
      <TextAreaField state={state} id={`approve-${requestId}-comment`} name="comment" label="Comment (optional)" rows={2} />
      <SubmitButton pending={pending} pendingLabel="Approving…">
        {last ? "Approve and grant" : "Approve"}
      </SubmitButton>
    </form>
  );
}

export function CancelRequestForm({ action, requestId }: { action: FormAction; requestId: string }) {
  const [state, formAction, pending] = useActionState(action, idleState());
  return (
    <form action={formAction} noValidate aria-label="Cancel this request" className="inline-form">
      <input type="hidden" name="requestId" value={requestId} />
      <FormNotice state={state} />
      <SubmitButton pending={pending} pendingLabel="Cancelling…" variant="secondary">
        Cancel request
      </SubmitButton>
    </form>
  );
}
