// Labelled form controls for the admin console: each ties its hint and its
// error to the control with aria-describedby, marks it aria-invalid when the
// server refused it, and refills what was submitted after a refusal.
import type { ReactNode } from "react";
import type { ActionState } from "./action-state";

type Common = {
  state: ActionState<unknown>;
  /** unique on the page (several forms may have a field of the same name) */
  id: string;
  name: string;
  label: string;
  hint?: ReactNode;
};

function describedBy(id: string, hint: ReactNode | undefined, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** The submitted value after a refusal, else the default. */
export function valueOf(state: ActionState<unknown>, name: string, fallback: string): string {
  return state.status === "error" && name in state.values ? (state.values[name] ?? fallback) : fallback;
}

function FieldShell({ id, label, hint, error, children }: { id: string; label: string; hint?: ReactNode; error?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      ) : null}
      {children}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function TextField({
  state,
  id,
  name,
  label,
  hint,
  defaultValue = "",
  type = "text",
  required = false,
  autoComplete = "off",
  maxLength,
  min,
  max,
}: Common & { defaultValue?: string; type?: "text" | "email" | "date"; required?: boolean; autoComplete?: string; maxLength?: number; min?: string; max?: string }) {
  const error = state.fieldErrors[name];
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={valueOf(state, name, defaultValue)}
        required={required}
        autoComplete={autoComplete}
        maxLength={maxLength}
        min={min}
        max={max}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </FieldShell>
  );
}

export function TextAreaField({ state, id, name, label, hint, defaultValue = "", required = false, rows = 3 }: Common & { defaultValue?: string; required?: boolean; rows?: number }) {
  const error = state.fieldErrors[name];
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <textarea
        id={id}
        name={name}
        rows={rows}
        defaultValue={valueOf(state, name, defaultValue)}
        required={required}
        maxLength={2000}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </FieldShell>
  );
}

export function SelectField({
  state,
  id,
  name,
  label,
  hint,
  options,
  defaultValue = "",
  placeholder,
}: Common & { options: ReadonlyArray<{ value: string; label: string }>; defaultValue?: string; placeholder?: string }) {
  const error = state.fieldErrors[name];
  const value = valueOf(state, name, defaultValue);
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      {/* Keyed by its value: a select keeps its first default through a form reset, so a refill remounts it. */}
      <select
        key={value}
        id={id}
        name={name}
        defaultValue={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** The outcome of the last submission: an error (role=alert) or a success notice (role=status). */
export function FormNotice({ state }: { state: ActionState<unknown> }) {
  if (state.status === "idle" || !state.message) return null;
  if (state.status === "ok") {
    return (
      <p className="notice notice--ok" role="status">
        {state.message}
      </p>
    );
  }
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice-title">{state.message}</p>
      {state.issues.length > 0 ? (
        <ul>
          {state.issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              {issue.path ? <strong>{issue.path}: </strong> : null}
              {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function SubmitButton({ pending, children, pendingLabel = "Saving…", variant }: { pending: boolean; children: ReactNode; pendingLabel?: string; variant?: "secondary" | "danger" }) {
  return (
    <button type="submit" className={variant ? `button button--${variant}` : "button"} disabled={pending} aria-disabled={pending}>
      {pending ? pendingLabel : children}
    </button>
  );
}
