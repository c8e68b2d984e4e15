// Identity providers, from the environment. Production: a generic OpenID
// Connect issuer, GitHub and/or Microsoft Entra ID. Otherwise: the built-in
// demo identity provider (a real OIDC provider; see server/idp/).
import "server-only";
import type { Provider } from "next-auth/providers";
import GitHub from "next-auth/providers/github";
import MicrosoftEntraID from "next-auth/providers/microsoft-entra-id";
import type { PortalEnv } from "@/server/config/env";
import { DEMO_CLIENT_ID, DEMO_PROVIDER_ID, demoClientSecret, demoIssuer } from "./demo-client";

export type ProviderSummary = { id: string; name: string };

export function buildProviders(env: PortalEnv): Provider[] {
  const providers: Provider[] = [];
  if (env.AUTH_OIDC_ISSUER && env.AUTH_OIDC_ID && env.AUTH_OIDC_SECRET) {
    providers.push({
      id: "oidc",
      name: env.AUTH_OIDC_NAME,
      type: "oidc",
      issuer: env.AUTH_OIDC_ISSUER,
      clientId: env.AUTH_OIDC_ID,
      clientSecret: env.AUTH_OIDC_SECRET,
      checks: ["pkce", "state", "nonce"],
      authorization: { params: { scope: "openid email profile" } },
    });
  }
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) {
    providers.push(GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET }));
  }
  if (env.AUTH_MICROSOFT_ENTRA_ID_ID && env.AUTH_MICROSOFT_ENTRA_ID_SECRET) {
    providers.push(
      MicrosoftEntraID({
        clientId: env.AUTH_MICROSOFT_ENTRA_ID_ID,
        clientSecret: env.AUTH_MICROSOFT_ENTRA_ID_SECRET,
        issuer: env.AUTH_MICROSOFT_ENTRA_ID_ISSUER,
      }),
    );
  }
  if (providers.length === 0 && env.isDemoIdentityProvider && !env.isProduction && env.AUTH_SECRET) {
    providers.push({
      id: DEMO_PROVIDER_ID,
      name: "Demo identity provider",
      type: "oidc",
      issuer: demoIssuer(env.DEMO_IDP_PORT),
      clientId: DEMO_CLIENT_ID,
      clientSecret: demoClientSecret(env.AUTH_SECRET),
      checks: ["pkce", "state", "nonce"],
      authorization: { params: { scope: "openid email profile" } },
    });
  }
  return providers;
}

export function summarizeProviders(env: PortalEnv): ProviderSummary[] {
  return buildProviders(env).map((provider) => {
    const resolved = typeof provider === "function" ? provider() : provider;
    return { id: resolved.id, name: resolved.name };
  });
}
