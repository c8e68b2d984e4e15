"use client";
// Upload an access list CSV. All or nothing: the report lists every failing
// line and why, and nothing is written unless every line passes.
import { useActionState } from "react";
import type { ImportSummaryDto } from "@/server/data/admin/types";
import { idleState, type FormAction } from "./action-state";
import { SubmitButton } from "./form-fields";

export function ImportForm({ action }: { action: FormAction<ImportSummaryDto> }) {
  const [state, formAction, pending] = useActionState(action, idleState<ImportSummaryDto>());
  const fileError = state.fieldErrors.file;
  const summary = state.data;
  return (
    <form action={formAction} noValidate aria-label="Import the access list">
      <div className="field">
        <label htmlFor="import-file">CSV file</label>
        <span id="import-file-hint" className="hint">
          UTF-8, at most 1 MB and 5,000 rows, with the export&apos;s columns.
        </span>
        <input
          id="import-file"
          name="file"
          type="file"
          accept=".csv,text/csv"
          required
          aria-invalid={fileError ? true : undefined}
          aria-describedby={fileError ? "import-file-hint import-file-error" : "import-file-hint"}
        />
        {fileError ? (
          <p id="import-file-error" className="field-error">
            {fileError}
          </p>
        ) : null}
      </div>
      <SubmitButton pending={pending} pendingLabel="Checking and importing…">
        Import
      </SubmitButton>

      <div aria-live="polite" className="import-report">
        {state.status === "ok" && summary ? (
          <div className="notice notice--ok" role="status">
            <p className="notice-title">{state.message}</p>
            <ul>
              <li>{summary.peopleCreated} people added, {summary.peopleUpdated} updated</li>
              <li>
                {summary.grantsCreated} grants created, {summary.grantsExtended} extended
              </li>
              <li>{summary.rowsUnchanged} rows already matched the list</li>
            </ul>
          </div>
        ) : null}
        {state.status === "error" && !fileError ? (
          <div className="notice notice--error" role="alert">
            <p className="notice-title">{state.message}</p>
            {state.issues.length > 0 ? (
              <div className="table-wrap">
                <table className="data admin-table">
                  <caption className="visually-hidden">Rows that failed</caption>
                  <thead>
                    <tr>
                      <th scope="col">Line</th>
                      <th scope="col">Why it failed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {state.issues.map((issue) => (
                      <tr key={`${issue.path}:${issue.message}`}>
                        <td className="mono">{issue.path.replace(/^line /, "")}</td>
                        <td className="wrap">{issue.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </div>
        ) : null}
      </div>
    </form>
  );
}
