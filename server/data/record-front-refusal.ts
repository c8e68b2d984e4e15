// The HTTP front (server/http/front.ts) refuses malformed paths, methods and
// API paths no route takes, cross-site state-changing requests and non-JSON
// API bodies before any route runs; this writes their audit row for whoever
// the session names and returns the JSON error to answer with.
import "server-only";
import { matchApiRoute } from "@/lib/http/api-routes";
import { recordRefusal } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import type { FrontRefusal } from "@/server/http/front";

/** The methods the refused path answers, when it is an API route (for the message and the Allow header). */
export function allowedMethodsFor(path: string): string[] | null {
  return matchApiRoute(path)?.allowed ?? null;
}

const ERRORS: Record<FrontRefusal, (method: string, path: string) => AppError> = {
  "method-not-allowed": (method, path) => {
    const allowed = allowedMethodsFor(path);
    const shown = method.replace(/[^\x21-\x7e]/g, "?").slice(0, 20);
    return new AppError("method_not_allowed", `${shown} is not a method this ${allowed ? `endpoint answers: use ${allowed.join(", ")}` : "portal answers"}.`, [
      { path: "method", message: allowed ? `must be one of ${allowed.join(", ")}` : "is not supported" },
    ]);
  },
  "not-found": () =>
    new AppError("not_found", "There is no such endpoint in the portal's API.", [{ path: "path", message: "names no endpoint" }]),
  "malformed-path": () =>
    new AppError("invalid_input", "The request path is not valid: a segment's percent-encoding does not decode or decodes to a control character, or the path has backslashes or '.'/'..' segments.", [
      { path: "path", message: "is not valid percent-encoding, or has a backslash or a . or .. segment" },
    ]),
  "cross-site": () =>
    new AppError("forbidden", "Cross-site requests that change something are refused: this one came from another site (Origin / Sec-Fetch-Site).", [
      { path: "origin", message: "is not the portal's origin" },
    ]),
  "content-type": () =>
    new AppError("unsupported_media_type", "State-changing API requests must send a JSON body (Content-Type: application/json).", [
      { path: "content-type", message: "must be application/json" },
    ]),
};

export function isFrontRefusal(value: string | null): value is FrontRefusal {
  return value !== null && Object.hasOwn(ERRORS, value);
}

export async function recordFrontRefusal(kind: FrontRefusal, method: string, path: string): Promise<AppError> {
  const error = ERRORS[kind](method, path);
  return recordRefusal({ action: "request.refused", permission: null, details: { targetType: "request", targetId: `${method} ${path}`, reason: `${error.code}: ${error.message}` } }, error);
}
