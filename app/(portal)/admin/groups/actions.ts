"use server";
// Thin server action for group scopes: the data layer authorizes, validates and audits.
import type { ActionState } from "@/components/admin/action-state";
import { EVENT_KINDS, FIELD_CLASSES } from "@/lib/telemetry/vocabulary";
import { updateGroupApprovers } from "@/server/data/admin/update-group-approvers";
import { updateGroupScope } from "@/server/data/admin/update-group-scope";
import { formArgument } from "@/lib/http/form-argument";
import { field, runAction } from "../run-action";

export async function updateGroupScopeAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  const form = formArgument(formData);
  const checked = (prefix: string, values: readonly string[]) => values.filter((value) => form.get(`${prefix}:${value}`) === "on");
  return runAction(formData, {
    fields: ["eventKinds", "fieldClasses", "justification"],
    returnTo: "/admin/groups",
    call: () =>
      updateGroupScope({
        groupKey: field(formData, "groupKey"),
        eventKinds: checked("kind", EVENT_KINDS),
        fieldClasses: checked("class", FIELD_CLASSES),
        justification: field(formData, "justification"),
      }),
    success: (group) => ({ message: `Saved. Members see ${group.eventKinds.length} event kinds and ${group.fieldClasses.length} field classes from their next request.` }),
  });
}

export async function updateGroupApproversAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["approverEmails", "approvalsRequired", "sensitiveApprovalsRequired", "justification"],
    returnTo: "/admin/groups",
    call: () =>
      updateGroupApprovers({
        groupKey: field(formData, "groupKey"),
        approverEmails: field(formData, "approverEmails") ?? "",
        approvalsRequired: field(formData, "approvalsRequired"),
        sensitiveApprovalsRequired: field(formData, "sensitiveApprovalsRequired"),
        justification: field(formData, "justification"),
      }),
    success: (result) => ({ message: `Saved: ${result.approvers} named ${result.approvers === 1 ? "approver" : "approvers"} besides the admins, for requests made from now on.` }),
  });
}
