"use server";
// Thin server actions for erasure: the data layer authorizes (admins), counts
// or erases, and audits (telemetry.erasure_preview, telemetry.machine_erased).
import type { ActionState } from "@/components/admin/action-state";
import { eraseMachine, previewMachineErasure, type ErasureDoneDto, type ErasurePreviewDto } from "@/server/data/admin/erase-machine";
import { field, runAction } from "../run-action";

export async function previewErasureAction(_state: ActionState<ErasurePreviewDto>, formData: FormData): Promise<ActionState<ErasurePreviewDto>> {
  return runAction(formData, {
    fields: ["machineId"],
    returnTo: "/admin/erasure",
    call: () => previewMachineErasure({ machineId: field(formData, "machineId") }),
    success: (preview) => ({ message: preview.count === 0 ? "This machine has no events." : `${preview.count.toLocaleString("en-US")} ${preview.count === 1 ? "event" : "events"} found.`, data: preview }),
  });
}

export async function eraseMachineAction(_state: ActionState<ErasureDoneDto>, formData: FormData): Promise<ActionState<ErasureDoneDto>> {
  return runAction(formData, {
    fields: ["reason"],
    returnTo: "/admin/erasure",
    call: () => eraseMachine({ machineId: field(formData, "machineId"), reason: field(formData, "reason"), expectedCount: field(formData, "expectedCount") }),
    success: (done) => ({
      message: `Erased ${done.count.toLocaleString("en-US")} ${done.count === 1 ? "event" : "events"}. The tombstone is in the audit trail under the machine id's SHA-256.`,
      data: done,
    }),
  });
}
