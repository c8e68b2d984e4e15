"use server";
// Thin server action for the expiring-soon view: the data layer authorizes,
// checks the limits and separation of duties, and audits.
import type { ActionState } from "@/components/admin/action-state";
import { extendGrant } from "@/server/data/admin/extend-grant";
import { field, runAction } from "../run-action";

export async function extendExpiringGrantAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["expiresAt", "justification"],
    returnTo: "/admin/expiring",
    call: () => extendGrant({ grantId: field(formData, "grantId"), expiresAt: field(formData, "expiresAt"), justification: field(formData, "justification") }),
    // The grant leaves this list, and its form with it: the notice goes on the page.
    redirectTo: () => "/admin/expiring?done=extended",
  });
}
