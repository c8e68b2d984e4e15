// The Auth.js database-session cookie. The data layer reads it directly and
// checks the session row itself on every request, so revocation and timeouts
// never depend on a cached session object.
import "server-only";
import { cookies } from "next/headers";

/** `__Host-` under an https public URL (see ./cookie-names.ts), the plain name over http. */
export const SESSION_COOKIE_NAMES = ["__Host-authjs.session-token", "__Secure-authjs.session-token", "authjs.session-token"] as const;

/**
 * Auth.js session tokens are UUIDs; anything else (NUL, a 10 kB string, bad
 * percent-encoding) is no session at all rather than a query that fails.
 */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export function isWellFormedSessionToken(value: string | undefined): value is string {
  return value !== undefined && SESSION_TOKEN.test(value);
}

export async function readSessionToken(): Promise<string | null> {
  const jar = await cookies();
  for (const name of SESSION_COOKIE_NAMES) {
    const value = jar.get(name)?.value;
    if (isWellFormedSessionToken(value)) return value;
  }
  return null;
}
