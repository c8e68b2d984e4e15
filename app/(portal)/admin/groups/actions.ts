"use server";
// Thin server action for group scopes: the data layer authorizes, validates and audits.
import type { ActionState } from "@/components/admin/action-state";
import { EVENT_KINDS, FIELD_CLASSES } from "@/lib/telemetry/vocabulary";
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
