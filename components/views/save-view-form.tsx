"use client";
// "Save view" in the explorer's filter area: the current query (filters,
// columns, sort, time range) under a name, for the person alone or shared
// with one of their groups. The server validates the query again, refuses
// sharing with a group the person is not in, and audits the save.
import Link from "next/link";
import { useActionState, useId, useState } from "react";
import { saveViewAction, type ViewFormState } from "@/app/(portal)/events/views/actions";
import { GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";

const INITIAL: ViewFormState = { message: null, fieldErrors: {} };

export function SaveViewForm({ query, groups, hasRelativeRange }: { query: string; groups: readonly GroupKey[]; hasRelativeRange: boolean }) {
  const [state, action, pending] = useActionState(saveViewAction, INITIAL);
  const [visibility, setVisibility] = useState<"personal" | "group">("personal");
  const id = useId();
  const error = (field: string) => state.fieldErrors[field];
  const queryErrors = Object.entries(state.fieldErrors).filter(([path]) => path.startsWith("query"));

  return (
    <details className="save-view">
      <summary>Save view</summary>
      <form action={action} aria-label="Save view" className="stack save-view-form">
        <input type="hidden" name="query" value={query} />
        <p className="hint">
          Saves these filters, columns, sort and time range
          {hasRelativeRange ? " (the quick range stays relative: “last 7 days” is counted from when the view is opened)" : ""} — the query, never
          the events. Whoever opens it sees only what their own access allows.
        </p>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            name="name"
            required
            maxLength={120}
            aria-invalid={error("name") ? true : undefined}
            aria-describedby={error("name") ? `${id}-name-error` : undefined}
          />
          {error("name") ? (
            <p id={`${id}-name-error`} className="field-error">
              {error("name")}
            </p>
          ) : null}
        </div>
        <fieldset className="field">
          <legend>Who can open it</legend>
          <label className="choice">
            <input type="radio" name="visibility" value="personal" checked={visibility === "personal"} onChange={() => setVisibility("personal")} /> Only me
          </label>
          <label className="choice">
            <input
              type="radio"
              name="visibility"
              value="group"
              checked={visibility === "group"}
              onChange={() => setVisibility("group")}
              disabled={groups.length === 0}
            />{" "}
            Shared with a group{groups.length === 0 ? " (you are in no group)" : ""}
          </label>
        </fieldset>
        {visibility === "group" ? (
          <div className="field">
            <label htmlFor={`${id}-group`}>Group</label>
            <select
              id={`${id}-group`}
              name="group"
              aria-invalid={error("group") ? true : undefined}
              aria-describedby={error("group") ? `${id}-group-error` : undefined}
            >
              {groups.map((group) => (
                <option key={group} value={group}>
                  {GROUP_LABELS[group]}
                </option>
              ))}
            </select>
            {error("group") ? (
              <p id={`${id}-group-error`} className="field-error">
                {error("group")}
              </p>
            ) : null}
          </div>
        ) : null}
        <div>
          <button type="submit" className="button" disabled={pending}>
            {pending ? "Saving…" : "Save view"}
          </button>
        </div>
        {state.message ? (
          <div className="notice notice--error" role="alert">
            <p>{state.message}</p>
            {queryErrors.length > 0 ? (
              <ul>
                {queryErrors.map(([path, message]) => (
                  <li key={path}>
                    <code>{path}</code>: {message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        {state.saved ? (
          <p className="notice" role="status">
            Saved “{state.saved.name}”. <Link href={`/events?view=${state.saved.id}`}>Open it</Link> · <Link href="/events/views">All saved views</Link>
          </p>
        ) : null}
      </form>
    </details>
  );
}
