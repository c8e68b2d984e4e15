// Auth.js v5: OpenID Connect (authorization code + PKCE) with database
// sessions, so a session can be ended server-side. Auth.js runs the protocol;
// whether the person may see anything is decided per request by the data
// layer (server/access/), never by the session object alone.
import "server-only";
import NextAuth from "next-auth";
import { portalRedirectUrl } from "@/lib/http/safe-return-path";
import { getEnv } from "@/server/config/env";
import { lazyPrismaAdapter } from "./adapter";
import { checkSignIn } from "./check-sign-in";
import { currentRequestId } from "@/server/observability/logger";
import { buildProviders } from "./providers";
import { describeAuthError, rememberSignInFailure } from "./sign-in-failure";

/** Some issuers send boolean claims as strings. */
function isTrueClaim(value: unknown): boolean {
  return value === true || value === "true";
}

/**
 * Under an https public URL every Auth.js cookie is Secure and host-only with
 * the __Host- prefix (path /, no Domain): no sibling subdomain can set or
 * read it. Over http (a laptop) the plain names.
 */
function cookieNames(isHttps: boolean) {
  if (!isHttps) return undefined;
  const named = (name: string) => ({ name: `__Host-authjs.${name}` });
  return {
    sessionToken: named("session-token"),
    callbackUrl: named("callback-url"),
    csrfToken: named("csrf-token"),
    pkceCodeVerifier: named("pkce.code_verifier"),
    state: named("state"),
    nonce: named("nonce"),
  };
}

export const { handlers, signIn, signOut } = NextAuth(() => {
  const env = getEnv();
  const isHttps = env.PORTAL_URL.startsWith("https:");
  return {
    secret: env.AUTH_SECRET,
    // The HTTP front (server/http/front.ts) has already refused any origin
    // other than PORTAL_URL and rewritten Host / X-Forwarded-* to it, and
    // scripts/start.ts sets AUTH_URL from PORTAL_URL: callbacks and redirects
    // are always built on the one public URL.
    trustHost: true,
    useSecureCookies: isHttps,
    cookies: cookieNames(isHttps),
    logger: {
      error(error) {
        rememberSignInFailure(currentRequestId(), error);
        // Messages along the cause chain only: the causes' other fields can carry provider responses.
        console.error(`[auth] sign-in flow failed: ${describeAuthError(error)}`);
      },
    },
    // The session row carries the idle expiry (SESSION_IDLE_MINUTES, rolled
    // forward on activity); the cookie lives for the absolute lifetime. The data
    // layer enforces both on every request (server/access/resolve-actor.ts).
    adapter: lazyPrismaAdapter({ idleMinutes: env.SESSION_IDLE_MINUTES, maxHours: env.SESSION_MAX_HOURS }),
    providers: buildProviders(env),
    session: {
      strategy: "database",
      maxAge: env.SESSION_MAX_HOURS * 3600,
      updateAge: 60,
    },
    pages: { signIn: "/signin", error: "/signin" },
    callbacks: {
      async signIn({ account, profile }) {
        if (!account) return "/no-access?reason=unverified-email";
        const emailVerified =
          // GitHub returns the account's verified primary address and no claim.
          account.provider === "github" ? Boolean(profile?.email) : isTrueClaim(profile?.email_verified);
        const decision = await checkSignIn({
          providerId: account.provider,
          subject: account.providerAccountId,
          email: typeof profile?.email === "string" ? profile.email : null,
          emailVerified,
        });
        return decision.ok ? true : `/no-access?reason=${decision.reason}`;
      },
      async redirect({ url, baseUrl }) {
        // Only ever redirect within the portal: a path, or an absolute URL on the
        // portal's own origin, judged as a browser would (lib/http/safe-return-path.ts).
        return portalRedirectUrl(url, baseUrl);
      },
    },
  };
});
