// Auth.js answers most failures of the sign-in flow with one code,
// "Configuration". The person signing in (and the operator reading their
// report) need the real cause: the identity provider could not be reached,
// it refused the code because the registered redirect URL is not this
// portal's, or the audit trail could not record the sign-in. Auth.js's logger
// sees the real error; this module classifies it, keeps it for the request
// (by request id, in this process), and the auth route handler
// (app/api/auth/[...nextauth]/route.ts) rewrites the error page's code.
import "server-only";
import { isDatabaseUnavailable } from "@/server/db/unavailable";

export type SignInFailure = "IdpUnreachable" | "RedirectMismatch" | "AuditUnavailable" | "IdentityLinkRefused";

const key = Symbol.for("telemetry-portal.sign-in-failures");
type Holder = typeof globalThis & { [key]?: Map<string, SignInFailure> };

function failures(): Map<string, SignInFailure> {
  const holder = globalThis as Holder;
  holder[key] ??= new Map();
  return holder[key];
}

/** Every error and cause in the chain (Auth.js nests the original as cause.err). */
function* chain(error: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 10 || error === null || typeof error !== "object") return;
  const record = error as Record<string, unknown>;
  yield record;
  const cause = record.cause as Record<string, unknown> | undefined;
  if (cause && typeof cause === "object") {
    if ("err" in cause) yield* chain(cause.err, depth + 1);
    yield* chain(cause, depth + 1);
  }
}

export function classifySignInFailure(error: unknown): SignInFailure | null {
  const links = [...chain(error)];
  if (links.some((link) => link.name === "AuditWriteError")) return "AuditUnavailable";
  if (links.some((link) => link.name === "IdentityLinkRefused")) return "IdentityLinkRefused";
  const text = links.map((link) => `${String(link.error ?? "")} ${String(link.message ?? "")} ${String(link.error_description ?? "")} ${String(link.code ?? "")}`).join(" ");
  // The provider is reached with fetch (undici): its failures say so.
  if (/fetch failed|UND_ERR/i.test(text)) return "IdpUnreachable";
  if (/invalid_grant|redirect_uri/i.test(text)) return "RedirectMismatch";
  // Anything else that cannot reach something during a sign-in is the database under the audit trail.
  if (links.some((link) => isDatabaseUnavailable(link))) return "AuditUnavailable";
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|socket hang up/i.test(text)) return "IdpUnreachable";
  return null;
}

export function rememberSignInFailure(requestId: string | undefined, error: unknown): void {
  const failure = classifySignInFailure(error);
  if (!requestId || !failure) return;
  const map = failures();
  map.set(requestId, failure);
  // Bounded: a failure is read within its own request.
  if (map.size > 1000) map.delete(map.keys().next().value as string);
}

/** The messages along an error's cause chain, for the operator's log (messages only: never provider responses). */
export function describeAuthError(error: unknown): string {
  const messages: string[] = [];
  for (const link of chain(error)) {
    const type = typeof link.type === "string" ? link.type : typeof link.name === "string" ? link.name : "";
    const message = typeof link.message === "string" ? link.message.replace(/\.? ?Read more at https:\/\/errors\.authjs\.dev\S*/, "") : "";
    const text = [type, message].filter(Boolean).join(": ");
    if (text && !messages.includes(text)) messages.push(text);
  }
  return messages.join(" ← ") || "unknown error";
}

export function takeSignInFailure(requestId: string): SignInFailure | undefined {
  const map = failures();
  const failure = map.get(requestId);
  map.delete(requestId);
  return failure;
}
