import type { Metadata } from "next";
import { getEnv } from "@/server/config/env";
import { safeReturnPath } from "@/lib/http/safe-return-path";
import { summarizeProviders } from "@/server/auth/providers";
import { signInAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

/** One message per cause (server/auth/sign-in-failure.ts names the real one where Auth.js says "Configuration"). */
const AUTH_ERRORS: Record<string, string> = {
  AccessDenied: "Sign-in was refused.",
  IdpUnreachable: "The identity provider could not be reached, so you were not signed in. Try again in a minute; if it keeps happening, tell the portal's operators.",
  RedirectMismatch:
    "The identity provider refused the portal's sign-in code. Usually the redirect URL registered there is not this portal's address; tell the portal's operators (see the deployment guide).",
  AuditUnavailable: "Sign-in is paused: the audit trail cannot record it right now, so no session was started. Try again shortly.",
  IdentityLinkRefused: "This identity is not the one bound to your access-list entry, so it was not signed in.",
  Configuration: "Sign-in failed because of how the portal is configured. Tell the portal's operators when it happened.",
  OAuthAccountNotLinked: "This identity is not the one bound to your access-list entry.",
  InvalidRequest: "The sign-in request was not valid. Start again below.",
  Verification: "The sign-in link has expired.",
};

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const env = getEnv();
  const providers = summarizeProviders(env);
  // Where to land after signing in: a path on the portal, or the home page (lib/http/safe-return-path.ts).
  const callbackUrl = safeReturnPath(params.callbackUrl);
  const error = typeof params.error === "string" ? (AUTH_ERRORS[params.error] ?? "Sign-in failed. Try again.") : null;
  // After signing out, or to switch accounts, the identity provider must ask again.
  const forceLogin = params.prompt === "login" || params.signedOut !== undefined;

  return (
    <main id="main" className="page page--narrow" style={{ paddingTop: "8vh" }}>
      <div className="card stack">
        <div>
          <h1>Telemetry Portal</h1>
          <p className="subtle">
            GitHub Copilot editor telemetry, for named personnel on the access list only. Every access is recorded with its purpose.
          </p>
        </div>
        {params.signedOut ? (
          <p className="notice notice--ok" role="status">
            You are signed out.
          </p>
        ) : null}
        {params.reason === "fresh" ? (
          <p className="notice notice--warn" role="status">
            Sign in again: deciding access requests needs a recent sign-in.
          </p>
        ) : null}
        {error ? (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        ) : null}
        {providers.length === 0 ? (
          <p className="notice notice--error">No identity provider is configured. See the README (AUTH_OIDC_ISSUER and friends).</p>
        ) : (
          providers.map((provider) => (
            <form key={provider.id} action={signInAction}>
              <input type="hidden" name="provider" value={provider.id} />
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              {forceLogin ? <input type="hidden" name="prompt" value="login" /> : null}
              <button type="submit" className="button" style={{ width: "100%" }}>
                Sign in with {provider.name}
              </button>
            </form>
          ))
        )}
        {env.isDemoIdentityProvider ? (
          <p className="notice notice--warn">
            This portal runs with the <strong>demo identity provider — not for production</strong>. Demo accounts are listed on its sign-in
            page; every password is <code>demo</code>.
          </p>
        ) : null}
      </div>
    </main>
  );
}
