// One error type for everything the data layer refuses, with its HTTP status
// decided here and nowhere else. 401 is "who are you", 403 is "you may not".
import "server-only";

export const APP_ERROR_STATUS = {
  unauthenticated: 401,
  /** signed in, but too long ago for this step (approvals): sign in again */
  reauthentication_required: 401,
  forbidden: 403,
  purpose_required: 428,
  not_found: 404,
  method_not_allowed: 405,
  invalid_input: 400,
  unsupported_media_type: 415,
  unprocessable: 422,
  conflict: 409,
  audit_unavailable: 503,
  database_unavailable: 503,
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

/** The audit row could not be written: nothing is served. */
export function auditUnavailable(): AppError {
  return new AppError("audit_unavailable", "The audit trail cannot be written right now, so nothing is served. Try again shortly.");
}

/** The database cannot be reached (restart, network): nothing is served or changed. */
export function databaseUnavailable(): AppError {
  return new AppError("database_unavailable", "The portal's database cannot be reached right now, so nothing was served or changed. Try again in a few seconds.");
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
