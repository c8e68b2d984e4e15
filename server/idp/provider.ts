// The built-in demo OpenID Connect provider: started by scripts/start.ts when
// no external issuer is configured, and by the end-to-end tests. A real
// oidc-provider instance (authorization code flow with PKCE S256 only, RS256 ID
// tokens, RP-initiated logout) with its own keys, login page and in-memory
// sessions. Not for production: every account's password is "demo".
import http from "node:http";
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { demoAccountClaims, findDemoAccountBySub } from "./accounts";
import { createInteractionHandler } from "./interactions";
import { loadOrCreateCookieKeys, loadOrCreateSigningKeys } from "./keys";
import { MemoryStore } from "./memory-adapter";
import { PAGE_HEADERS, renderErrorPage, renderLogoutPage, renderSignedOutPage } from "./pages";

export type DemoIdpClient = {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
};

export type DemoIdpOptions = {
  /** Issuer identifier, e.g. http://localhost:3001 (no path). */
  issuer: string;
  port: number;
  /** Interface to listen on; defaults to the issuer's host name. */
  host?: string;
  /** Where the signing and cookie keys are kept (created if missing). */
  dataDir: string;
  clients: DemoIdpClient[];
};

export type DemoIdp = { close(): Promise<void>; issuer: string };

const CLOCK_TOLERANCE_SECONDS = 15;
const HOUR = 60 * 60;

// Fixed lifetimes (seconds). Setting them also silences oidc-provider's
// "you SHOULD change the default ttl" notices.
const TTL = {
  AccessToken: HOUR,
  AuthorizationCode: 60,
  IdToken: HOUR,
  Interaction: 15 * 60,
  Session: 8 * HOUR,
  Grant: 8 * HOUR,
} as const;

function issuerHostname(issuer: URL): string {
  // URL keeps IPv6 literals in brackets; listen() wants them bare.
  return issuer.hostname.replace(/^\[(.*)\]$/, "$1");
}

function parseIssuer(issuer: string): URL {
  const url = new URL(issuer);
  if (url.pathname !== "/" || url.search || url.hash) {
    throw new Error(`demo IdP issuer must be an origin without path, query or fragment: ${issuer}`);
  }
  return url;
}

// Every client is the portal: a confidential web client using the code flow.
function clientMetadata(client: DemoIdpClient): ClientMetadata {
  return {
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    application_type: "web",
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    id_token_signed_response_alg: "RS256",
  };
}

function sendPage(ctx: KoaContextWithOIDC, html: string): void {
  ctx.set(PAGE_HEADERS);
  ctx.body = html;
}

function renderProtocolError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): void {
  sendPage(
    ctx,
    renderErrorPage({
      title: "Sign-in request rejected",
      message: "The demo identity provider could not handle this request. Go back to the Telemetry Portal and try again.",
      details: { error: out.error, error_description: out.error_description },
    }),
  );
}

function buildConfiguration(options: DemoIdpOptions, store: MemoryStore): Configuration {
  return {
    adapter: store.factory,
    clients: options.clients.map(clientMetadata),
    jwks: loadOrCreateSigningKeys(options.dataDir),
    cookies: {
      keys: loadOrCreateCookieKeys(options.dataDir).keys,
      // Cookies ignore ports: prefixed names keep clear of the portal's own on the same host.
      names: { session: "demo_idp_session", interaction: "demo_idp_interaction", resume: "demo_idp_resume" },
      // `secure` is added by oidc-provider itself when the request is HTTPS.
      long: { httpOnly: true, sameSite: "lax" },
      short: { httpOnly: true, sameSite: "lax" },
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid"], // plus email and profile from `claims`; no offline_access, so no refresh tokens
    // Put the scope claims (email, name) into the ID token too, where Auth.js reads them.
    conformIdTokenClaims: false,
    responseTypes: ["code"],
    clientAuthMethods: ["client_secret_basic"],
    pkce: { required: () => true }, // v9 supports only S256
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ttl: { ...TTL },
    // The portal talks to the IdP from its server; browsers never call it cross-origin.
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => sendPage(ctx, renderLogoutPage(form)),
        postLogoutSuccessSource: (ctx) => sendPage(ctx, renderSignedOutPage()),
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const account = findDemoAccountBySub(sub);
      return account ? { accountId: account.sub, claims: () => demoAccountClaims(account) } : undefined;
    },
    renderError: (ctx, out) => renderProtocolError(ctx, out),
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections would hold close() open until they time out.
    server.closeAllConnections();
  });
}

function createServer(provider: Provider): http.Server {
  const handleInteraction = createInteractionHandler(provider);
  const handleProtocol = provider.callback();
  return http.createServer((req, res) => {
    const pathname = (req.url ?? "/").split("?", 1)[0] ?? "/";
    void handleInteraction(req, res, pathname).then((handled) => {
      if (!handled) void handleProtocol(req, res);
    });
  });
}

export async function startDemoIdp(options: DemoIdpOptions): Promise<DemoIdp> {
  const issuerUrl = parseIssuer(options.issuer);
  const store = new MemoryStore(CLOCK_TOLERANCE_SECONDS);
  let server: http.Server;
  try {
    // Throws on unreadable key files or invalid client metadata.
    const provider = new Provider(options.issuer, buildConfiguration(options, store));
    provider.on("server_error", (_ctx: unknown, error: unknown) => console.error("demo IdP: server error", error));
    server = createServer(provider);
    await listen(server, options.port, options.host ?? issuerHostname(issuerUrl));
  } catch (error) {
    store.dispose();
    throw error;
  }
  return {
    issuer: options.issuer,
    close: async () => {
      await closeServer(server);
      store.dispose();
    },
  };
}
