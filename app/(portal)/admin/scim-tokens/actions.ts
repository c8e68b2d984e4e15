"use server";
// Thin server actions for SCIM tokens: the data layer authorizes and
// audits (without the token itself).
import type { ActionState } from "@/components/admin/action-state";
import { createScimToken } from "@/server/data/admin/create-scim-token";
import { revokeScimToken } from "@/server/data/admin/revoke-scim-token";
import type { CreatedScimTokenDto } from "@/server/data/admin/types";
import { field, runAction } from "../run-action";

export async function createScimTokenAction(_state: ActionState<CreatedScimTokenDto>, formData: FormData): Promise<ActionState<CreatedScimTokenDto>> {
  return runAction(formData, {
    fields: ["name"],
    returnTo: "/admin/scim-tokens",
    call: () => createScimToken({ name: field(formData, "name") }),
    success: (created) => ({ message: `Token issued for ${created.name}.`, data: created }),
  });
}

export async function revokeScimTokenAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["reason"],
    returnTo: "/admin/scim-tokens",
    call: () => revokeScimToken({ keyId: field(formData, "keyId"), reason: field(formData, "reason") }),
    redirectTo: () => "/admin/scim-tokens?done=scim-token-revoked",
  });
}
