"use client";
// Erasure of one machine's telemetry in two steps: look the machine up (the
// count and time range of its events), then confirm with a reason. The
// confirmation carries the count shown, so events that arrive in between are
// never erased unseen (the data layer refuses and asks to review again).
import { useActionState, useState } from "react";
import type { ErasureDoneDto, ErasurePreviewDto } from "@/server/data/admin/erase-machine";
import { idleState, type FormAction } from "./action-state";
import { formatDateTime } from "./format";
import { FormNotice, SubmitButton, TextAreaField, TextField, valueOf } from "./form-fields";

export function ErasureForm({ previewAction, eraseAction }: { previewAction: FormAction<ErasurePreviewDto>; eraseAction: FormAction<ErasureDoneDto> }) {
  const [preview, previewFormAction, previewing] = useActionState(previewAction, idleState<ErasurePreviewDto>());
  const [erased, eraseFormAction, erasing] = useActionState(eraseAction, idleState<ErasureDoneDto>());
  const found = preview.status === "ok" ? preview.data : null;
  // The id looked up, kept here: a successful action's state carries no form values (run-action.ts).
  const [lookedUp, setLookedUp] = useState("");
  const machineId = preview.status === "ok" ? lookedUp : valueOf(preview, "machineId", lookedUp);
  const lookUp = (formData: FormData) => {
    setLookedUp(String(formData.get("machineId") ?? ""));
    previewFormAction(formData);
  };
  const done = erased.status === "ok" ? erased.data : null;

  return (
    <>
      <form action={lookUp} noValidate aria-label="Find a machine's events">
        {preview.status === "error" ? <FormNotice state={preview} /> : null}
        <TextField
          state={preview}
          id="erasure-machine-id"
          name="machineId"
          label="Machine ID"
          hint="As the explorer shows it (VS Code's common.vscodemachineid)."
          defaultValue={machineId}
          maxLength={1000}
          required
        />
        <SubmitButton pending={previewing} pendingLabel="Counting…" variant="secondary">
          Count events
        </SubmitButton>
      </form>

      {done ? (
        <div className="notice notice--ok" role="status">
          <p className="notice-title">{erased.message}</p>
          <p className="hint mono">sha256:{done.machineIdSha256}</p>
        </div>
      ) : found && found.count === 0 ? (
        <p className="notice" role="status">
          This machine has no events to erase.
        </p>
      ) : found ? (
        <form action={eraseFormAction} noValidate aria-label="Erase the machine's events" className="card stack">
          <h2 className="card-title">
            Erase {found.count.toLocaleString("en-US")} {found.count === 1 ? "event" : "events"}
          </h2>
          <p>
            From {found.firstTime ? formatDateTime(found.firstTime) : "—"} to {found.lastTime ? formatDateTime(found.lastTime) : "—"}, in every partition, content
            included. This cannot be undone. The audit trail keeps a tombstone (the machine id&apos;s SHA-256, the count, the time range, you and your reason);
            earlier accesses to these events stay on the machine&apos;s disclosure receipt.
          </p>
          <FormNotice state={erased} />
          <input type="hidden" name="machineId" value={machineId} />
          <input type="hidden" name="expectedCount" value={String(found.count)} />
          <TextAreaField state={erased} id="erasure-reason" name="reason" label="Reason" hint="E.g. the data-subject request's reference. Required." rows={2} required />
          <SubmitButton pending={erasing} pendingLabel="Erasing…" variant="danger">
            Erase {found.count.toLocaleString("en-US")} {found.count === 1 ? "event" : "events"}
          </SubmitButton>
        </form>
      ) : null}
    </>
  );
}
