"use server";
// Thin server actions for ingestion keys: the data layer authorizes and
// audits (without the key itself).
import type { ActionState } from "@/components/admin/action-state";
import { createIngestionKey } from "@/server/data/admin/create-ingestion-key";
import { revokeIngestionKey } from "@/server/data/admin/revoke-ingestion-key";
import type { CreatedIngestionKeyDto } from "@/server/data/admin/types";
import { field, runAction } from "../run-action";

export async function createIngestionKeyAction(_state: ActionState<CreatedIngestionKeyDto>, formData: FormData): Promise<ActionState<CreatedIngestionKeyDto>> {
  return runAction(formData, {
    fields: ["name"],
    returnTo: "/admin/ingestion-keys",
    call: () => createIngestionKey({ name: field(formData, "name") }),
    success: (created) => ({ message: `Key issued for ${created.name}.`, data: created }),
  });
}

export async function revokeIngestionKeyAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["reason"],
    returnTo: "/admin/ingestion-keys",
    call: () => revokeIngestionKey({ keyId: field(formData, "keyId"), reason: field(formData, "reason") }),
    redirectTo: () => "/admin/ingestion-keys?done=key-revoked",
  });
}
