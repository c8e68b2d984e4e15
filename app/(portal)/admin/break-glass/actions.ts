"use server";
// Thin server action for a group's on-call (break-glass) people: the data layer authorizes, validates and audits.
import type { ActionState } from "@/components/admin/action-state";
import { updateOnCall } from "@/server/data/access/break-glass/update-on-call";
import { field, runAction } from "../run-action";

export async function updateOnCallAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["onCallEmails", "justification"],
    returnTo: "/admin/break-glass",
    call: () => updateOnCall({ groupKey: field(formData, "groupKey"), onCallEmails: field(formData, "onCallEmails") ?? "", justification: field(formData, "justification") }),
    success: (result) => ({ message: `Saved: ${result.onCall} on-call ${result.onCall === 1 ? "person" : "people"}.` }),
  });
}
