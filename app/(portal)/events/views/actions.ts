"use server";
// Save, rename and delete saved views from the explorer and /events/views:
// thin wrappers over server/data/views/ (which authorizes and audits).
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formArgument } from "@/lib/http/form-argument";
import { deleteView, renameView } from "@/server/data/views/change-view";
import { saveView } from "@/server/data/views/save-view";
import { isAppError } from "@/server/http/app-error";

export type ViewFormState = { message: string | null; fieldErrors: Record<string, string>; saved?: { id: string; name: string } };

function text(value: FormDataEntryValue | null): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function refused(error: unknown, back: string): ViewFormState {
  if (!isAppError(error)) throw error;
  if (error.code === "unauthenticated") redirect(`/signin?callbackUrl=${encodeURIComponent(back)}`);
  if (error.code === "purpose_required") redirect(`/purpose?next=${encodeURIComponent(back)}`);
  return {
    message: error.status === 400 ? "Please correct the form." : error.message,
    fieldErrors: Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message])),
  };
}

/** POST from the explorer's Save view form: the current query, a name, personal or a group. */
export async function saveViewAction(_previous: ViewFormState, argument: FormData): Promise<ViewFormState> {
  const formData = formArgument(argument);
  const visibility = text(formData.get("visibility"));
  try {
    const view = await saveView({
      name: text(formData.get("name")) ?? "",
      visibility,
      group: visibility === "group" ? text(formData.get("group")) || undefined : undefined,
      query: text(formData.get("query")) ?? "",
    });
    revalidatePath("/events/views");
    return { message: null, fieldErrors: {}, saved: { id: view.id, name: view.name } };
  } catch (error) {
    return refused(error, "/events");
  }
}

/** POST from /events/views: rename one of the person's own views. */
export async function renameViewAction(_previous: ViewFormState, argument: FormData): Promise<ViewFormState> {
  const formData = formArgument(argument);
  try {
    const view = await renameView({ id: text(formData.get("id")), name: text(formData.get("name")) ?? "" });
    revalidatePath("/events/views");
    return { message: null, fieldErrors: {}, saved: { id: view.id, name: view.name } };
  } catch (error) {
    return refused(error, "/events/views");
  }
}

/** POST from /events/views: delete one of the person's own views. */
export async function deleteViewAction(_previous: ViewFormState, argument: FormData): Promise<ViewFormState> {
  const formData = formArgument(argument);
  try {
    await deleteView({ id: text(formData.get("id")) });
  } catch (error) {
    return refused(error, "/events/views");
  }
  revalidatePath("/events/views");
  redirect("/events/views?deleted=1");
}
