"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formArgument } from "@/lib/http/form-argument";
import { safeReturnPath } from "@/lib/http/safe-return-path";
import { setPurpose } from "@/server/data/set-purpose";
import { isAppError } from "@/server/http/app-error";

/** What the form shows after a refused submission: the problems, and what was submitted (React resets the form). */
export type PurposeFormState = {
  message: string | null;
  fieldErrors: Record<string, string>;
  values?: { purpose: string | null; detail: string };
};

function text(value: FormDataEntryValue | null): string | null {
  return typeof value === "string" ? value : null;
}

/** The form's `next`, as a path on the portal (lib/http/safe-return-path.ts), or the explorer. */
function safeNext(value: FormDataEntryValue | null): string {
  return safeReturnPath(value, { fallback: "/events" });
}

/** POST from the purpose form: validate, record, continue where the person was going. */
export async function setPurposeAction(_previous: PurposeFormState, argument: FormData): Promise<PurposeFormState> {
  const formData = formArgument(argument);
  try {
    await setPurpose({ purpose: formData.get("purpose") ?? undefined, detail: formData.get("detail") || undefined });
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === "unauthenticated") {
      const back = `/purpose?next=${encodeURIComponent(safeNext(formData.get("next")))}`;
      redirect(`/signin?callbackUrl=${encodeURIComponent(back)}`);
    }
    if (error.code === "forbidden" && error.detail) redirect(`/no-access?reason=${encodeURIComponent(error.detail)}`);
    return {
      message: error.status === 400 ? "Please correct the form." : error.message,
      fieldErrors: Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message])),
      values: { purpose: text(formData.get("purpose")), detail: text(formData.get("detail")) ?? "" },
    };
  }
  // The header (in the shared portal layout) shows the purpose: render it again too,
  // or the page the person continues to keeps the layout from before the change.
  revalidatePath("/", "layout");
  redirect(safeNext(formData.get("next")));
}
