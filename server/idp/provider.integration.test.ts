// End-to-end check of the demo IdP with plain fetch: discovery, authorization
// code flow with PKCE through the login page, token exchange, ID token
// verification against the published JWKS, RP-initiated logout, and key reuse
// across restarts.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ACCOUNTS } from "./accounts";
import { SIGNING_KEYS_FILE } from "./keys";
import { DEMO_BANNER_TITLE, LOGIN_ERROR_MESSAGE } from "./pages";
import { startDemoIdp, type DemoIdp } from "./provider";

const CLIENT = {
  client_id: "telemetry-portal",
  client_secret: "integration-test-secret",
  redirect_uris: ["http://127.0.0.1:3999/api/auth/callback/demo"],
  post_logout_redirect_uris: ["http://127.0.0.1:3999/signed-out"],
};
const REDIRECT_URI = CLIENT.redirect_uris[0] ?? "";
const POST_LOGOUT_URI = CLIENT.post_logout_redirect_uris[0] ?? "";
const TIMEOUT = 60_000;

type Discovery = {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint: string;
  code_challenge_methods_supported: string[];
  response_types_supported: string[];
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A minimal cookie jar: name/path matching only, enough for one host. */
class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const pathAttribute = attributes.find((attribute) => attribute.toLowerCase().startsWith("path="));
      const cookiePath = pathAttribute ? pathAttribute.slice(5) : "/";
      const expired = attributes.some((a) => a.toLowerCase().startsWith("expires=") && Date.parse(a.slice(8)) < Date.now());
      const key = `${name}|${cookiePath}`;
      if (expired || value === "") this.cookies.delete(key);
      else this.cookies.set(key, { value, path: cookiePath });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.cookies.entries()]
      .filter(([, cookie]) => pathname.startsWith(cookie.path))
      .map(([key, cookie]) => `${key.split("|")[0]}=${cookie.value}`)
      .join("; ");
  }
}

class Browser {
  readonly jar = new CookieJar();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(url);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.jar.store(response);
    return response;
  }

  postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /**
   * oidc-provider answers some steps with a page whose script submits a hidden
   * form at once (e.g. ending the previous session when another account signs
   * in). Returns that submission, as a browser with JavaScript would make it.
   */
  private async autoSubmit(response: Response): Promise<Response | undefined> {
    if (response.status !== 200) return undefined;
    const html = await response.clone().text();
    if (!html.includes("document.forms[0].submit()")) return undefined;
    const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
    if (!action) return undefined;
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    );
    return this.postForm(action, fields);
  }

  /**
   * Follows redirects (and self-submitting forms) on the IdP until one leaves
   * it (to the client) or a page is rendered. Returns the final response and,
   * if it left, the target URL.
   */
  async follow(start: Response, base: string): Promise<{ response: Response; url: string; left?: URL }> {
    let response = start;
    let url = base;
    for (let hop = 0; hop < 10; hop++) {
      const submitted = await this.autoSubmit(response);
      if (submitted) {
        response = submitted;
        continue;
      }
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location) return { response, url };
      const next = new URL(location, url);
      if (next.origin !== new URL(base).origin) return { response, url, left: next };
      url = next.href;
      response = await this.request(url);
    }
    throw new Error("too many redirects");
  }
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeUrl(discovery: Discovery, params: Record<string, string>): string {
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT.client_id,
    response_type: "code",
    scope: "openid email profile",
    redirect_uri: REDIRECT_URI,
    ...params,
  }).toString();
  return url.href;
}

type Tokens = { id_token: string; access_token: string; token_type: string };

/** Token request as the portal makes it: client_secret_basic plus the PKCE verifier. */
async function exchangeCode(discovery: Discovery, code: string, verifier: string): Promise<Tokens> {
  const basic = Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString("base64");
  const response = await fetch(discovery.token_endpoint, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    }).toString(),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Tokens;
}

function loginAction(html: string, pageUrl: string): string {
  const match = /<form method="post" action="([^"]+\/login)"/.exec(html);
  if (!match?.[1]) throw new Error("login form not found");
  return new URL(match[1], pageUrl).href;
}

describe("demo identity provider", () => {
  let dataDir: string;
  let issuer: string;
  let idp: DemoIdp | undefined;
  let discovery: Discovery;
  let firstKid: string | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-idp-test-"));
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    idp = await startDemoIdp({ issuer, port, dataDir, clients: [CLIENT] });
    discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Discovery;
  }, TIMEOUT);

  afterAll(async () => {
    await idp?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, TIMEOUT);

  it("publishes discovery for the code flow with S256 PKCE", () => {
    expect(discovery.issuer).toBe(issuer);
    expect(discovery.code_challenge_methods_supported).toEqual(["S256"]);
    expect(discovery.response_types_supported).toEqual(["code"]);
    expect(discovery.end_session_endpoint).toBe(`${issuer}/session/end`);
  });

  it("writes its signing keys with mode 0600", () => {
    const stat = fs.statSync(path.join(dataDir, SIGNING_KEYS_FILE));
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it("rejects an authorization request without PKCE", async () => {
    const response = await fetch(authorizeUrl(discovery, { state: "s" }), { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "", issuer);
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("code")).toBeNull();
  }, TIMEOUT);

  it(
    "signs a user in with the code flow and PKCE, then signs them out",
    async () => {
      const browser = new Browser();
      const account = DEMO_ACCOUNTS[0];
      if (!account) throw new Error("no demo accounts");
      const { verifier, challenge } = pkcePair();
      const state = randomBytes(8).toString("hex");
      const nonce = randomBytes(8).toString("hex");

      // Authorization request -> login page.
      const start = await browser.request(
        authorizeUrl(discovery, { state, nonce, code_challenge: challenge, code_challenge_method: "S256" }),
      );
      const loginPage = await browser.follow(start, discovery.authorization_endpoint);
      expect(loginPage.left).toBeUndefined();
      expect(loginPage.response.status).toBe(200);
      expect(loginPage.response.headers.get("cache-control")).toBe("no-store");
      const html = await loginPage.response.text();
      expect(html).toContain(DEMO_BANNER_TITLE);
      expect(html).toContain("not for production");
      expect(html).toContain('<label for="email">Email</label>');
      expect(html).toContain('<label for="password">Password</label>');
      expect(html).toContain(account.email);
      const action = loginAction(html, loginPage.url);

      // Wrong password: the form again, with the error, and no redirect to the client.
      const wrong = await browser.postForm(action, { email: account.email, password: "not-demo" });
      expect(wrong.status).toBe(200);
      expect(wrong.headers.get("location")).toBeNull();
      const wrongHtml = await wrong.text();
      expect(wrongHtml).toContain(LOGIN_ERROR_MESSAGE);
      expect(wrongHtml).toContain(`value="${account.email}"`);

      // Right password: login, automatic consent, back to the client with a code.
      const right = await browser.postForm(action, { email: account.email, password: "demo" });
      expect(right.status).toBe(303);
      const done = await browser.follow(right, action);
      expect(done.left, "expected a redirect to the client").toBeDefined();
      const callback = done.left as URL;
      expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
      expect(callback.searchParams.get("state")).toBe(state);
      expect(callback.searchParams.get("iss")).toBe(issuer);
      const code = callback.searchParams.get("code");
      expect(code).toBeTruthy();

      // Token exchange with client_secret_basic and the code verifier.
      const tokens = await exchangeCode(discovery, code ?? "", verifier);
      expect(tokens.token_type).toBe("Bearer");
      expect(tokens.access_token).toBeTruthy();

      // The ID token verifies against the published keys and carries the claims.
      const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, {
        issuer,
        audience: CLIENT.client_id,
        algorithms: ["RS256"],
      });
      expect(protectedHeader.alg).toBe("RS256");
      expect(payload.sub).toBe(account.sub);
      expect(payload.email).toBe(account.email);
      expect(payload.email_verified).toBe(true);
      expect(payload.name).toBe(account.name);
      expect(payload.nonce).toBe(nonce);
      firstKid = protectedHeader.kid;
      expect(firstKid).toBeTruthy();

      // With the IdP session alive, a new request goes straight back to the client.
      const sso = pkcePair();
      const again = await browser.request(
        authorizeUrl(discovery, { state: "again", code_challenge: sso.challenge, code_challenge_method: "S256" }),
      );
      const ssoResult = await browser.follow(again, discovery.authorization_endpoint);
      expect(ssoResult.left?.searchParams.get("code")).toBeTruthy();

      // prompt=login shows the login page despite the session, to switch persona;
      // oidc-provider ends the previous session on the way (self-submitting form).
      const other = DEMO_ACCOUNTS[4];
      if (!other) throw new Error("expected the admin demo account");
      const switchPkce = pkcePair();
      const switchStart = await browser.request(
        authorizeUrl(discovery, { state: "switch", prompt: "login", code_challenge: switchPkce.challenge, code_challenge_method: "S256" }),
      );
      const switchPage = await browser.follow(switchStart, discovery.authorization_endpoint);
      expect(switchPage.left).toBeUndefined();
      const switchAction = loginAction(await switchPage.response.text(), switchPage.url);
      const switched = await browser.follow(
        await browser.postForm(switchAction, { email: other.email, password: "demo" }),
        switchAction,
      );
      const switchCode = switched.left?.searchParams.get("code");
      expect(switchCode).toBeTruthy();
      const switchTokens = await exchangeCode(discovery, switchCode ?? "", switchPkce.verifier);
      const { payload: switchedClaims } = await jwtVerify(switchTokens.id_token, jwks, { issuer, audience: CLIENT.client_id });
      expect(switchedClaims.sub).toBe(other.sub);
      expect(switchedClaims.email).toBe(other.email);

      // RP-initiated logout: confirmation page, then back to the portal.
      const logoutUrl = new URL(discovery.end_session_endpoint);
      logoutUrl.search = new URLSearchParams({
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: POST_LOGOUT_URI,
        state: "bye",
      }).toString();
      const confirm = await browser.request(logoutUrl.href);
      expect(confirm.status).toBe(200);
      const confirmHtml = await confirm.text();
      expect(confirmHtml).toContain(DEMO_BANNER_TITLE);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmHtml)?.[1];
      const confirmAction = /id="op.logoutForm" method="post" action="([^"]+)"/.exec(confirmHtml)?.[1];
      expect(xsrf && confirmAction).toBeTruthy();
      const loggedOut = await browser.postForm(new URL(confirmAction ?? "", issuer).href, { xsrf: xsrf ?? "", logout: "yes" });
      expect(loggedOut.status).toBe(303);
      const after = new URL(loggedOut.headers.get("location") ?? "");
      expect(after.origin + after.pathname).toBe(POST_LOGOUT_URI);
      expect(after.searchParams.get("state")).toBe("bye");

      // The IdP session is gone: the next request shows the login page again.
      const fresh = pkcePair();
      const relogin = await browser.request(
        authorizeUrl(discovery, { state: "x", code_challenge: fresh.challenge, code_challenge_method: "S256" }),
      );
      const reloginPage = await browser.follow(relogin, discovery.authorization_endpoint);
      expect(reloginPage.left).toBeUndefined();
      expect(await reloginPage.response.text()).toContain('<label for="password">Password</label>');
    },
    TIMEOUT,
  );

  it(
    "reuses its signing keys after a restart",
    async () => {
      expect(firstKid).toBeTruthy();
      await idp?.close();
      idp = undefined;
      const port = await freePort();
      const restartedIssuer = `http://127.0.0.1:${port}`;
      idp = await startDemoIdp({ issuer: restartedIssuer, port, dataDir, clients: [CLIENT] });
      const keys = (await (await fetch(`${restartedIssuer}/jwks`)).json()) as { keys: Array<{ kid: string; d?: string }> };
      expect(keys.keys.map((key) => key.kid)).toEqual([firstKid]);
      expect(keys.keys[0]?.d).toBeUndefined(); // only public parts are published
      const saved = JSON.parse(fs.readFileSync(path.join(dataDir, SIGNING_KEYS_FILE), "utf8")) as { keys: Array<{ kid: string }> };
      expect(saved.keys[0]?.kid).toBe(firstKid);
    },
    TIMEOUT,
  );
});
