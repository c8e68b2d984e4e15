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
import { buildProviders } from "./providers";

/** Some issuers send boolean claims as strings. */
function isTrueClaim(value: unknown): boolean {
  return value === true || value === "true";
}

export const { handlers, signIn, signOut } = NextAuth(() => {
  const env = getEnv();
  return {
    secret: env.AUTH_SECRET,
    trustHost: true,
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
