"use server";
// Thin server action for purpose scopes: the data layer authorizes, validates and audits.
import type { ActionState } from "@/components/admin/action-state";
import { FIELD_CLASSES } from "@/lib/telemetry/vocabulary";
import { updatePurposeScope } from "@/server/data/admin/purpose-scopes";
import { formArgument } from "@/lib/http/form-argument";
import { field, runAction } from "../run-action";

export async function updatePurposeScopeAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  const form = formArgument(formData);
  return runAction(formData, {
    fields: ["fieldClasses", "justification"],
    returnTo: "/admin/purposes",
    call: () =>
      updatePurposeScope({
        purpose: field(formData, "purpose"),
        fieldClasses: FIELD_CLASSES.filter((fieldClass) => form.get(`class:${fieldClass}`) === "on"),
        justification: field(formData, "justification"),
      }),
    success: (scope) => ({
      message: `Saved. Sessions with this purpose see ${scope.fieldClasses.length === 0 ? "no field classes" : scope.fieldClasses.join(", ")} (within their groups) from their next request.`,
    }),
  });
}
