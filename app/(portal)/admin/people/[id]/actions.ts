"use server";
// Thin server actions for one person's page. Each passes the form to the data
// layer, which authorizes, checks the seed's rules and separation of duties,
// and audits; the page then re-renders with fresh data.
import type { ActionState } from "@/components/admin/action-state";
import { uuidString } from "@/lib/http/input-values";
import { disablePerson } from "@/server/data/admin/disable-person";
import { enablePerson } from "@/server/data/admin/enable-person";
import { extendGrant } from "@/server/data/admin/extend-grant";
import { grantAccess } from "@/server/data/admin/grant-access";
import { revokeGrant } from "@/server/data/admin/revoke-grant";
import { setPersonManager } from "@/server/data/admin/set-person-manager";
import { updatePerson } from "@/server/data/admin/update-person";
import { field, runAction } from "../../run-action";

const personIdSchema = uuidString();

const returnTo = (formData: FormData) => {
  const id = personIdSchema.safeParse(field(formData, "personId"));
  return id.success ? `/admin/people/${id.data}` : "/admin/people";
};

export async function updatePersonAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  const fields = ["name", "email", "employer", "employmentType"] as const;
  return runAction(formData, {
    fields,
    returnTo: returnTo(formData),
    call: () => updatePerson({ personId: field(formData, "personId"), ...Object.fromEntries(fields.map((name) => [name, field(formData, name)])) }),
    success: (person) => ({ message: `Saved ${person.name}'s details.` }),
  });
}

export async function grantAccessAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  // "duration" is a preset (30/60/90) or "date", which takes the "expiresAt" field; without it, a date alone is an expiry.
  const duration = field(formData, "duration");
  const byDate = duration === "date" || (duration === undefined && field(formData, "expiresAt") !== undefined);
  return runAction(formData, {
    fields: ["access", "durationDays", "expiresAt", "justification"],
    returnTo: returnTo(formData),
    call: () =>
      grantAccess({
        personId: field(formData, "personId"),
        access: field(formData, "access") || undefined,
        ...(byDate ? { expiresAt: field(formData, "expiresAt") } : { durationDays: duration }),
        justification: field(formData, "justification"),
      }),
    // The notice is drawn from the grant as it is when the page renders (see the page's GrantNotice), so it never outlives it.
    redirectTo: (grant) => `/admin/people/${grant.personId}?done=granted&grant=${grant.grantId}`,
  });
}

export async function extendGrantAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["expiresAt", "justification"],
    returnTo: returnTo(formData),
    call: () => extendGrant({ grantId: field(formData, "grantId"), expiresAt: field(formData, "expiresAt"), justification: field(formData, "justification") }),
    redirectTo: (grant) => `/admin/people/${grant.personId}?done=extended&grant=${grant.grantId}`,
  });
}

export async function revokeGrantAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["reason"],
    returnTo: returnTo(formData),
    call: () => revokeGrant({ grantId: field(formData, "grantId"), reason: field(formData, "reason") }),
    redirectTo: (result) => `/admin/people/${result.personId}?done=revoked&sessions=${result.sessionsEnded}`,
  });
}

export async function disablePersonAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["reason"],
    returnTo: returnTo(formData),
    call: () => disablePerson({ personId: field(formData, "personId"), reason: field(formData, "reason") }),
    redirectTo: (person) => `/admin/people/${person.id}?done=disabled&sessions=${person.sessionsEnded}`,
  });
}

export async function enablePersonAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["reason"],
    returnTo: returnTo(formData),
    call: () => enablePerson({ personId: field(formData, "personId"), reason: field(formData, "reason") }),
    redirectTo: (person) => `/admin/people/${person.id}?done=enabled`,
  });
}

export async function setPersonManagerAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["managerEmail", "justification"],
    returnTo: returnTo(formData),
    call: () => setPersonManager({ personId: field(formData, "personId"), managerEmail: field(formData, "managerEmail"), justification: field(formData, "justification") }),
    success: (result) => ({ message: result.managerId ? "Saved the manager." : "Cleared the manager." }),
  });
}
