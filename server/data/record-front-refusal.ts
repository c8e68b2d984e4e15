// The HTTP front (server/http/front.ts) refuses malformed paths, cross-site
// state-changing requests and non-JSON API bodies before any route runs; this
// writes their audit row for whoever the session names and returns the JSON
// error to answer with.
import "server-only";
import { recordRefusal } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import type { FrontRefusal } from "@/server/http/front";

const ERRORS: Record<FrontRefusal, () => AppError> = {
  "malformed-path": () =>
    new AppError("invalid_input", "The request path is not valid: a segment's percent-encoding does not decode or decodes to a control character, or the path has backslashes or '.'/'..' segments.", [
      { path: "path", message: "is not valid percent-encoding" },
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
  const error = ERRORS[kind]();
  return recordRefusal({ action: "request.refused", permission: null, details: { targetType: "request", targetId: `${method} ${path}`, reason: `${error.code}: ${error.message}` } }, error);
}
