// The one way an admin server action calls the data layer: the data layer
// decides (authorization, validation, rules, audit); this turns its answer
// into form state. Anonymous → the sign-in page; a refusal → its message, with
// each problem next to its field; success → a notice, and the page re-renders
// with fresh data (refresh), never from a cache — or, when the change removes
// the form from the page, a redirect to a URL whose page shows the notice.
import "server-only";
import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import type { ActionState } from "@/components/admin/action-state";
import { formArgument } from "@/lib/http/form-argument";
import { safeReturnPath } from "@/lib/http/safe-return-path";
import { isAppError } from "@/server/http/app-error";

/** The form's text fields, to refill it after a refusal (files are left out); the form as lib/http/form-argument.ts reads it. */
export function formValues(formData: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formArgument(formData).entries()) {
    if (typeof value === "string" && !key.startsWith("$ACTION")) values[key] = value;
  }
  return values;
}

/** One field: the text, or undefined when absent (so zod says "required"). */
export function field(formData: unknown, name: string): string | undefined {
  const value = formArgument(formData).get(name);
  return typeof value === "string" ? value : undefined;
}

export async function runAction<T, D = null>(
  formData: unknown,
  options: {
    /** the form's visible fields: problems with any other path go into the notice */
    fields: readonly string[];
    /** where to come back after signing in */
    returnTo: string;
    call: () => Promise<T>;
    success?: (value: T) => { message: string; data?: D };
    /** a change that reshapes the page (the form itself goes away) lands on this URL, which shows the notice */
    redirectTo?: (value: T) => string;
  },
): Promise<ActionState<D>> {
  let value: T;
  try {
    value = await options.call();
  } catch (error) {
    if (!isAppError(error)) throw error;
    const back = encodeURIComponent(safeReturnPath(options.returnTo, { fallback: "/admin" }));
    // A step that needs a recent sign-in (approving) asks the identity provider to check again, not to reuse its session.
    if (error.code === "reauthentication_required") redirect(`/signin?prompt=login&reason=fresh&callbackUrl=${back}`);
    if (error.status === 401) redirect(`/signin?callbackUrl=${back}`);
    const fieldErrors: Record<string, string> = {};
    const issues: ActionState<D>["issues"] = [];
    for (const issue of error.issues) {
      if (!options.fields.includes(issue.path)) issues.push(issue);
      else fieldErrors[issue.path] ??= issue.message;
    }
    // A 400's message lists every problem: show it only when some have no field to sit next to.
    const message = error.status === 400 && issues.length === 0 ? "Please correct the highlighted fields." : error.message;
    return { status: "error", message, fieldErrors, issues: error.status === 400 ? [] : issues, values: formValues(formData), data: null };
  }
  if (options.redirectTo) redirect(options.redirectTo(value));
  const { message, data } = options.success?.(value) ?? { message: "Saved." };
  refresh();
  return { status: "ok", message, fieldErrors: {}, issues: [], values: {}, data: data ?? null };
}
