"use server";
// Thin server actions for the access list: the data layer authorizes, checks
// the seed's rules, and audits.
import { redirect } from "next/navigation";
import type { ActionState } from "@/components/admin/action-state";
import { createPerson } from "@/server/data/admin/create-person";
import { field, runAction } from "../run-action";

const PERSON_FIELDS = ["name", "email", "employer", "employmentType"] as const;

export async function createPersonAction(_state: ActionState<{ id: string }>, formData: FormData): Promise<ActionState<{ id: string }>> {
  const state = await runAction(formData, {
    fields: PERSON_FIELDS,
    returnTo: "/admin/people/new",
    call: () => createPerson(Object.fromEntries(PERSON_FIELDS.map((name) => [name, field(formData, name)]))),
    success: (person) => ({ message: `Added ${person.name}.`, data: { id: person.id } }),
  });
  if (state.status === "ok" && state.data) redirect(`/admin/people/${state.data.id}?done=added`);
  return state;
}
