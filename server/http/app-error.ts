// One error type for everything the data layer refuses, with its HTTP status
// decided here and nowhere else. 401 is "who are you", 403 is "you may not".
import "server-only";

export const APP_ERROR_STATUS = {
  unauthenticated: 401,
  forbidden: 403,
  purpose_required: 428,
  not_found: 404,
  invalid_input: 400,
  unprocessable: 422,
  conflict: 409,
  audit_unavailable: 503,
  internal: 500,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_STATUS;

export type AppErrorIssue = { path: string; message: string };

export class AppError extends Error {
  override name = "AppError";
  readonly status: number;

  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly issues: AppErrorIssue[] = [],
    /** a machine-readable refinement, e.g. the no-access reason */
    readonly detail?: string,
  ) {
    super(message);
    this.status = APP_ERROR_STATUS[code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
