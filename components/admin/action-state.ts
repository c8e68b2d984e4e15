// What an admin form's server action answers: a notice, the problems tied to
// their fields, what was submitted (React resets a form after each
// submission, so a refused one is refilled from here), and an optional result.
export type ActionIssue = { path: string; message: string };

export type ActionState<T = null> = {
  status: "idle" | "ok" | "error";
  message: string | null;
  fieldErrors: Record<string, string>;
  /** problems that belong to no field of the form, e.g. one per CSV line */
  issues: ActionIssue[];
  values: Record<string, string>;
  data: T | null;
};

export function idleState<T = null>(): ActionState<T> {
  return { status: "idle", message: null, fieldErrors: {}, issues: [], values: {}, data: null };
}

export type FormAction<T = null> = (state: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;
