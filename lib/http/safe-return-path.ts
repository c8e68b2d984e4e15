// The one check for every "where to go next" the portal takes from a request:
// the purpose page's `next`, the sign-in page's `callbackUrl`, the return path
// a refused page or action sends to sign-in, and Auth.js's redirect callback.
//
// A return path is accepted only when it is a path on the portal itself, judged
// the way a browser will judge it: the candidate is parsed with the WHATWG URL
// parser against the portal's origin (so `/\evil.example`, which browsers read
// as `//evil.example`, and `/<tab>/evil.example`, whose tab browsers strip, both
// land on another origin and are refused). What is returned is the parsed
// path + query + fragment — never the raw text — so the browser is sent exactly
// what was checked. Anything else becomes the caller's default.
//
// Refused, among others: `//x`, `/\x`, `/%5Cx` and `/%2F/x` (decoded once more
// by some proxy or client router, they leave the origin), C0 control characters
// (tab, CR and LF, which browsers silently remove), `javascript:` and other
// schemes, absolute URLs (unless the caller passes the portal's origin and
// allows them, as the Auth.js callback must), relative paths without a leading
// `/`, and paths that normalize to `//x` (`/.//x`).
//
// Safe on both sides: no server-only imports.

/** Used when the caller has no real origin to hand: relative paths are judged the same against any origin. */
const PLACEHOLDER_ORIGIN = "https://portal.invalid";

/** Longer return paths are refused (a bound on what is parsed and echoed into links). */
export const MAX_RETURN_PATH_LENGTH = 2048;

export type ReturnPathOptions = {
  /** what to return when the candidate is refused; defaults to "/" */
  fallback?: string;
  /** the portal's origin, e.g. "http://localhost:3000" */
  origin?: string;
  /** accept an absolute URL on `origin` too (returned as its path); off by default */
  allowAbsolute?: boolean;
};

const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F]/;
const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Starts with exactly one slash, not `//` or `/\` (which browsers read as `//`). */
function startsWithSingleSlash(text: string): boolean {
  return text.startsWith("/") && text[1] !== "/" && text[1] !== "\\";
}

function parse(candidate: string, base: URL): URL | null {
  try {
    return new URL(candidate, base);
  } catch {
    return null;
  }
}

/** `text` with one round of percent-decoding, or null when its percent-encoding is malformed. */
function decodeOnce(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The same-origin path (path + query + fragment) the candidate leads to, or null when it leads anywhere else. */
export function sameOriginPath(candidate: unknown, options: Omit<ReturnPathOptions, "fallback"> = {}): string | null {
  if (typeof candidate !== "string" || candidate === "" || candidate.length > MAX_RETURN_PATH_LENGTH) return null;
  if (CONTROL_CHARACTERS.test(candidate)) return null;
  // A path, or (when allowed) an absolute URL with a scheme and a host; never a relative "events" or " /x".
  if (!startsWithSingleSlash(candidate) && !(options.allowAbsolute && ABSOLUTE_URL.test(candidate))) return null;
  const base = parse(options.origin ?? PLACEHOLDER_ORIGIN, new URL(PLACEHOLDER_ORIGIN));
  if (!base || base.origin === "null") return null;

  const url = parse(candidate, base);
  if (!url || url.origin !== base.origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!startsWithSingleSlash(path)) return null;

  // Decoded once more (as a proxy or a client-side router might), it must still stay here.
  const decoded = decodeOnce(path);
  if (decoded === null) return null;
  if (decoded !== path) {
    const stripped = decoded.replace(/[\t\n\r]/g, "");
    const again = parse(stripped, base);
    if (!startsWithSingleSlash(stripped) || !again || again.origin !== base.origin) return null;
  }
  return path;
}

/** The candidate as a same-origin path, or `fallback` (default "/") when it is not one. */
export function safeReturnPath(candidate: unknown, options: ReturnPathOptions = {}): string {
  return sameOriginPath(candidate, options) ?? options.fallback ?? "/";
}

/**
 * Auth.js's redirect callback: where to send the browser after signing in or
 * out, given the requested `url` (a path, or an absolute URL) and the portal's
 * `baseUrl` (its origin). Always an absolute URL on the portal; the home page
 * when the request leads anywhere else.
 */
export function portalRedirectUrl(url: string, baseUrl: string): string {
  const origin = new URL(baseUrl).origin;
  return `${origin}${safeReturnPath(url, { origin, allowAbsolute: true })}`;
}
