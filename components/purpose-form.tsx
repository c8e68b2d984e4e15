"use client";
import { useActionState } from "react";
import { PURPOSES, PURPOSE_LABELS, type FieldClass, type Purpose } from "@/lib/telemetry/vocabulary";

type State = { message: string | null; fieldErrors: Record<string, string>; values?: { purpose: string | null; detail: string } };

export function PurposeForm({
  action,
  current,
  currentDetail,
  next,
  shows,
}: {
  action: (state: State, formData: FormData) => Promise<State>;
  current: Purpose | null;
  currentDetail: string | null;
  next: string;
  /** per purpose, the field classes it would show this person */
  shows: Partial<Record<Purpose, FieldClass[]>>;
}) {
  const [state, formAction, pending] = useActionState(action, { message: null, fieldErrors: {} });
  // React resets the form after each submission: a refused one shows what was submitted again.
  const selected = state.values ? state.values.purpose : current;
  const detail = state.values ? state.values.detail : (currentDetail ?? "");
  return (
    <form action={formAction} className="stack" noValidate>
      <input type="hidden" name="next" value={next} />
      {state.message ? (
        <p className="notice notice--error" role="alert">
          {state.message}
        </p>
      ) : null}
      <fieldset aria-describedby={state.fieldErrors.purpose ? "purpose-error" : undefined}>
        <legend>Why are you accessing Copilot telemetry in this session?</legend>
        {PURPOSES.map((purpose) => (
          <div key={purpose} className="purpose-option">
            <label className="radio">
              <input
                type="radio"
                name="purpose"
                value={purpose}
                defaultChecked={purpose === selected}
                required
                aria-describedby={shows[purpose] ? `purpose-shows-${purpose}` : undefined}
              />
              <span>{PURPOSE_LABELS[purpose]}</span>
            </label>
            {shows[purpose] ? (
              <span id={`purpose-shows-${purpose}`} className="hint purpose-option__shows">
                {shows[purpose].length === 0 ? "Shows you no fields beyond kind and time" : `Shows you: ${shows[purpose].join(", ")}`}
              </span>
            ) : null}
          </div>
        ))}
        {state.fieldErrors.purpose ? (
          <p id="purpose-error" className="notice notice--error">
            {state.fieldErrors.purpose}
          </p>
        ) : null}
      </fieldset>
      <div className="field">
        <label htmlFor="purpose-detail">
          Details <span className="hint">Required for “other”: one sentence on what you are doing.</span>
        </label>
        <textarea
          id="purpose-detail"
          name="detail"
          defaultValue={detail}
          maxLength={500}
          aria-invalid={state.fieldErrors.detail ? true : undefined}
          aria-describedby={state.fieldErrors.detail ? "detail-error" : undefined}
        />
        {state.fieldErrors.detail ? (
          <p id="detail-error" className="notice notice--error">
            {state.fieldErrors.detail}
          </p>
        ) : null}
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : "Continue"}
      </button>
    </form>
  );
}
