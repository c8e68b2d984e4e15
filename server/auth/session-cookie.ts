// The Auth.js database-session cookie. The data layer reads it directly and
// checks the session row itself on every request, so revocation and timeouts
// never depend on a cached session object.
import "server-only";
import { cookies } from "next/headers";

export const SESSION_COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

export async function readSessionToken(): Promise<string | null> {
  const jar = await cookies();
  for (const name of SESSION_COOKIE_NAMES) {
    const value = jar.get(name)?.value;
    if (value) return value;
  }
  return null;
}
