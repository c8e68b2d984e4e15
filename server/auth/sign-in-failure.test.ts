import { describe, expect, it } from "vitest";
import { classifySignInFailure, rememberSignInFailure, takeSignInFailure } from "./sign-in-failure";

/** Auth.js wraps the original error as cause.err (see @auth/core errors.js). */
function wrapped(name: string, original: unknown): Error {
  const error = new Error(`${name}. Read more at https://errors.authjs.dev`);
  error.name = name;
  (error as Error & { cause: unknown }).cause = { err: original };
  return error;
}

describe("classifySignInFailure", () => {
  it("names an unreachable identity provider", () => {
    const fetchFailed = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3001"), { code: "ECONNREFUSED" }) });
    expect(classifySignInFailure(wrapped("CallbackRouteError", fetchFailed))).toBe("IdpUnreachable");
  });

  it("names a refused code (invalid_grant), which is what a redirect URL mismatch looks like at the token endpoint", () => {
    const refused = Object.assign(new Error("server responded with an error in the response body"), { error: "invalid_grant", error_description: "grant request is invalid" });
    expect(classifySignInFailure(wrapped("CallbackRouteError", refused))).toBe("RedirectMismatch");
  });

  it("names the audit trail when the sign-in's audit row could not be written, or the database is down", () => {
    const audit = Object.assign(new Error("The audit row could not be written: permission denied"), { name: "AuditWriteError" });
    expect(classifySignInFailure(wrapped("AccessDenied", audit))).toBe("AuditUnavailable");
    const down = Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" });
    expect(classifySignInFailure(wrapped("AccessDenied", down))).toBe("AuditUnavailable");
  });

  it("names a refused identity link", () => {
    const refused = Object.assign(new Error("the user already has an identity"), { name: "IdentityLinkRefused" });
    expect(classifySignInFailure(wrapped("AdapterError", refused))).toBe("IdentityLinkRefused");
  });

  it("leaves anything else to the generic message", () => {
    expect(classifySignInFailure(wrapped("CallbackRouteError", new Error("state mismatch")))).toBeNull();
    expect(classifySignInFailure("not an error")).toBeNull();
  });

  it("keeps a failure for its request only, and only once", () => {
    rememberSignInFailure("request-1", wrapped("CallbackRouteError", new TypeError("fetch failed")));
    expect(takeSignInFailure("request-2")).toBeUndefined();
    expect(takeSignInFailure("request-1")).toBe("IdpUnreachable");
    expect(takeSignInFailure("request-1")).toBeUndefined();
  });
});
