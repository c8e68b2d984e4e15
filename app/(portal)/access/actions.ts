"use server";
// Thin server actions of the request area: asking for access (or an
// extension) and withdrawing one's own request. The data layer authorizes,
// checks the seed's rules, records and audits.
import type { ActionState } from "@/components/admin/action-state";
import { cancelAccessRequest } from "@/server/data/access/cancel-access-request";
import { createAccessRequest } from "@/server/data/access/create-access-request";
import { field, runAction } from "../admin/run-action";

export async function createAccessRequestAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  const grantId = field(formData, "grantId");
  return runAction(formData, {
    fields: ["groupKey", "durationDays", "justification", "ticketRef"],
    returnTo: grantId ? `/access/request?grant=${encodeURIComponent(grantId)}` : "/access/request",
    call: () =>
      createAccessRequest({
        ...(grantId ? { grantId } : { groupKey: field(formData, "groupKey") }),
        durationDays: field(formData, "durationDays"),
        justification: field(formData, "justification"),
        ticketRef: field(formData, "ticketRef"),
      }),
    redirectTo: (created) => `/access/requests/${created.requestId}?done=requested`,
  });
}

export async function cancelAccessRequestAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: [],
    returnTo: "/access",
    call: () => cancelAccessRequest({ requestId: field(formData, "requestId") }),
    redirectTo: (cancelled) => `/access/requests/${cancelled.requestId}?done=cancelled`,
  });
}
