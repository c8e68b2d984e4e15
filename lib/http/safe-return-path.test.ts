// Return paths (issue 10, finding 2): only a path on the portal itself is
// followed, judged as a browser judges it; every way of writing "another
// origin" falls back to the default.
import { describe, expect, it } from "vitest";
import { portalRedirectUrl, safeReturnPath, sameOriginPath } from "./safe-return-path";

const PORTAL = "http://localhost:3000";

/** Each of these leads a browser off the portal (or nowhere sane) and must be refused. */
const OFF_PORTAL_RETURN_PATHS: ReadonlyArray<[string, string]> = [
  ["protocol-relative", "//evil.example/"],
  ["backslash", "/\\evil.example/"],
  ["two backslashes", "\\\\evil.example/"],
  ["slash, backslash, slash", "/\\/evil.example/"],
  ["percent-encoded backslash", "/%5Cevil.example/"],
  ["percent-encoded backslash, lower case", "/%5cevil.example/"],
  ["percent-encoded slash", "/%2Fevil.example/"],
  ["percent-encoded slashes", "/%2F%2Fevil.example/"],
  ["tab between the slashes", "/\t/evil.example/"],
  ["newline between the slashes", "/\n/evil.example/"],
  ["CR LF between the slashes", "/\r\n/evil.example/"],
  ["leading tab", "\t//evil.example/"],
  ["percent-encoded tab", "/%09/evil.example/"],
  ["percent-encoded newline", "/%0A/evil.example/"],
  ["dot segment that collapses to //", "/.//evil.example/"],
  ["dot-dot segment that collapses to //", "/a/..//evil.example/"],
  ["javascript: URL", "javascript:alert(document.domain)"],
  ["javascript: URL, mixed case and padded", " JavaScript:alert(1)"],
  ["data: URL", "data:text/html,<script>alert(1)</script>"],
  ["absolute URL elsewhere", "https://evil.example/events"],
  ["absolute URL on the portal (paths only here)", `${PORTAL}/events`],
  ["scheme-relative with a backslash", "http:\\\\evil.example"],
  ["relative path", "events"],
  ["leading space", " /events"],
  ["NUL", "/events\u0000"],
  ["malformed percent-encoding", "/events%"],
  ["too long", `/${"a".repeat(3000)}`],
  ["empty", ""],
];

describe("safeReturnPath", () => {
  it.each([
    ["/events", "/events"],
    ["/events?kind=error&os=linux", "/events?kind=error&os=linux"],
    ["/events/0f0e0d0c-0b0a-4908-8706-050403020100#content", "/events/0f0e0d0c-0b0a-4908-8706-050403020100#content"],
    ["/purpose?next=%2Fevents", "/purpose?next=%2Fevents"],
    ["/events?machineId=%2F%2Fnot-a-host", "/events?machineId=%2F%2Fnot-a-host"],
    ["/audit/../events", "/events"],
    ["/", "/"],
  ])("keeps the portal path %j (as the browser will read it)", (candidate, expected) => {
    expect(safeReturnPath(candidate, { fallback: "/fallback" })).toBe(expected);
  });

  it.each(OFF_PORTAL_RETURN_PATHS)("refuses %s", (_label, candidate) => {
    expect(sameOriginPath(candidate)).toBeNull();
    expect(sameOriginPath(candidate, { origin: PORTAL })).toBeNull();
    expect(safeReturnPath(candidate, { fallback: "/events" })).toBe("/events");
  });

  it("refuses what is not text", () => {
    for (const candidate of [undefined, null, 42, ["/events"], { toString: () => "/events" }]) expect(safeReturnPath(candidate)).toBe("/");
  });

  it("returns what it checked, never the raw candidate", () => {
    // A browser strips a tab inside a path; the path returned has none to strip.
    expect(safeReturnPath("/ev\tents")).toBe("/");
    expect(safeReturnPath("/events?q=a b")).toBe("/events?q=a%20b");
  });
});

describe("portalRedirectUrl (Auth.js's redirect callback)", () => {
  it("sends a path or an absolute URL on the portal to that page of the portal", () => {
    expect(portalRedirectUrl("/events?kind=error", PORTAL)).toBe(`${PORTAL}/events?kind=error`);
    expect(portalRedirectUrl(`${PORTAL}/audit`, PORTAL)).toBe(`${PORTAL}/audit`);
    expect(portalRedirectUrl("/no-access?reason=not-listed", PORTAL)).toBe(`${PORTAL}/no-access?reason=not-listed`);
  });

  it.each([
    ...OFF_PORTAL_RETURN_PATHS.filter(([label]) => !label.startsWith("absolute URL on the portal")),
    ["the portal's host on another port", "http://localhost:3001/events"],
    ["the portal's host over another scheme", "https://localhost:3000/events"],
    ["an absolute URL on the portal whose path is //host", `${PORTAL}//evil.example/`],
    ["an absolute URL on the portal whose path is /\\host", `${PORTAL}/\\evil.example/`],
    ["user info that looks like the portal", `http://localhost:3000@evil.example/`],
  ])("sends %s to the home page", (_label, url) => {
    expect(portalRedirectUrl(url, PORTAL)).toBe(`${PORTAL}/`);
  });
});
