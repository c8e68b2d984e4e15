"use server";
// Thin server actions for deciding a request: approve (optionally with a
// comment) and deny (with a reason). Only in the portal; the data layer checks
// who may decide, the fresh sign-in, the rules and the lock, and audits.
import type { ActionState } from "@/components/admin/action-state";
import { uuidString } from "@/lib/http/input-values";
import { approveAccessRequest, denyAccessRequest } from "@/server/data/access/decide-access-request";
import { field, runAction } from "../../../admin/run-action";

const requestIdSchema = uuidString();

const returnTo = (formData: FormData) => {
  const id = requestIdSchema.safeParse(field(formData, "requestId"));
  return id.success ? `/access/requests/${id.data}` : "/access/requests";
};

export async function approveAccessRequestAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["comment"],
    returnTo: returnTo(formData),
    call: () => approveAccessRequest({ requestId: field(formData, "requestId"), comment: field(formData, "comment") }),
    redirectTo: (result) => `/access/requests/${result.requestId}?done=${result.status === "approved" ? "approved" : "approval-recorded"}`,
  });
}

export async function denyAccessRequestAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["reason"],
    returnTo: returnTo(formData),
    call: () => denyAccessRequest({ requestId: field(formData, "requestId"), reason: field(formData, "reason") }),
    redirectTo: (result) => `/access/requests/${result.requestId}?done=denied`,
  });
}
