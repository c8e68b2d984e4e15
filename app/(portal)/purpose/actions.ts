"use server";
import { redirect } from "next/navigation";
import { setPurpose } from "@/server/data/set-purpose";
import { isAppError } from "@/server/http/app-error";

export type PurposeFormState = { message: string | null; fieldErrors: Record<string, string> };

function safeNext(value: FormDataEntryValue | null): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : "/events";
}

/** POST from the purpose form: validate, record, continue where the person was going. */
export async function setPurposeAction(_previous: PurposeFormState, formData: FormData): Promise<PurposeFormState> {
  try {
    await setPurpose({ purpose: formData.get("purpose") ?? undefined, detail: formData.get("detail") || undefined });
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.status === 401) redirect("/signin");
    return {
      message: error.status === 400 ? "Please correct the form." : error.message,
      fieldErrors: Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message])),
    };
  }
  redirect(safeNext(formData.get("next")));
}
