"use client";
// Rename and delete, for the owner of a saved view on /events/views. Both are
// forms (keyboard and no-JavaScript friendly); the server checks ownership
// and audits the change.
import { useActionState, useId } from "react";
import { deleteViewAction, renameViewAction, type ViewFormState } from "@/app/(portal)/events/views/actions";

const INITIAL: ViewFormState = { message: null, fieldErrors: {} };

export function ViewActions({ id, name }: { id: string; name: string }) {
  const [renamed, rename, renaming] = useActionState(renameViewAction, INITIAL);
  const [deleted, remove, deleting] = useActionState(deleteViewAction, INITIAL);
  const field = useId();
  return (
    <div className="view-actions">
      <details>
        <summary>
          Rename<span className="visually-hidden"> {name}</span>
        </summary>
        <form action={rename} aria-label={`Rename ${name}`} className="inline-form">
          <input type="hidden" name="id" value={id} />
          <label htmlFor={field}>New name</label>
          <input id={field} name="name" defaultValue={name} required maxLength={120} aria-invalid={renamed.fieldErrors.name ? true : undefined} />
          <button type="submit" className="button button--secondary" disabled={renaming}>
            Rename
          </button>
          {renamed.message ? (
            <p className="field-error" role="alert">
              {renamed.fieldErrors.name ? `Name ${renamed.fieldErrors.name}` : renamed.message}
            </p>
          ) : null}
        </form>
      </details>
      <form action={remove} aria-label={`Delete ${name}`}>
        <input type="hidden" name="id" value={id} />
        <button type="submit" className="button button--danger" disabled={deleting}>
          Delete<span className="visually-hidden"> {name}</span>
        </button>
        {deleted.message ? (
          <p className="field-error" role="alert">
            {deleted.message}
          </p>
        ) : null}
      </form>
    </div>
  );
}
