// How pages meet the data layer's refusals: anonymous → sign-in, no purpose →
// purpose prompt, not on the list → the no-access page, wrong role → 403 page,
// not found → 404; anything else the page renders as a readable error state
// (answered 503 when the audit trail or the database is unavailable).
import "server-only";
import { forbidden, notFound, redirect } from "next/navigation";
import { safeReturnPath } from "@/lib/http/safe-return-path";
import { isAppError, type AppError, type AppErrorIssue } from "./app-error";
import { getRequestContext } from "./request-context";
import { overrideStatus } from "./status-override";

export type PageError = { status: number; code: string; message: string; issues: AppErrorIssue[] };
export type PageResult<T> = { ok: true; value: T } | { ok: false; error: PageError };

export async function loadForPage<T>(path: string, load: () => Promise<T>, options: { withoutGrant?: string } = {}): Promise<PageResult<T>> {
  try {
    return { ok: true, value: await load() };
  } catch (error) {
    if (!isAppError(error)) throw error;
    const back = encodeURIComponent(safeReturnPath(path));
    switch (error.code) {
      case "unauthenticated":
        redirect(`/signin?callbackUrl=${back}`);
      case "reauthentication_required":
        redirect(`/signin?prompt=login&reason=fresh&callbackUrl=${back}`);
      case "purpose_required":
        redirect(`/purpose?next=${back}`);
      case "forbidden":
        // A listed person with no grant in force may be sent to the request area instead (the home page does).
        if (error.detail === "no-active-grant" && options.withoutGrant) redirect(options.withoutGrant);
        if (error.detail) redirect(`/no-access?reason=${encodeURIComponent(error.detail)}`);
        forbidden();
      case "not_found":
        notFound();
      case "audit_unavailable":
      case "database_unavailable":
        // The page renders its error state; the front sends it as 503 with Retry-After.
        overrideStatus((await getRequestContext()).requestId, { status: 503, retryAfterSeconds: 5 });
        return { ok: false, error: pageError(error) };
      default:
        return pageErrorState(error);
    }
  }
}

/**
 * A refusal the page shows as its error state (400, 403 beside a form, 409, 422…): answered with the
 * refusal's status, not 200 (the front applies it to a document request).
 */
export async function pageErrorState(error: AppError): Promise<{ ok: false; error: PageError }> {
  if (error.status >= 400 && error.status < 500) overrideStatus((await getRequestContext()).requestId, { status: error.status });
  return { ok: false, error: pageError(error) };
}

const pageError = ({ status, code, message, issues }: AppError): PageError => ({ status, code, message, issues });
