// The portal as docs/DEPLOYMENT.md deploys it: Debian's nginx running
// docs/deploy/nginx.conf terminates TLS for https://telemetry.test:<port>
// (a self-signed certificate; Chromium maps the name to 127.0.0.1, see the
// "deploy" project in playwright.config.ts) in front of two portal instances
// on one fresh PostgreSQL database. Only instance A serves the demo identity
// provider (DEMO_IDP=off on B); both sign people in with it.
//
// Pinning a request to one instance: the spec's copy of the site file puts a
// `map` on a test header, X-Test-Instance: a|b, in front of the upstream
// (any other value, or none, load-balances over both as shipped), and every
// response names the instance that answered in X-Test-Upstream
// ($upstream_addr). Both additions exist only in the spec's copy.
//
// Proving the client address: nginx connects to the instances from
// 127.0.0.2 (proxy_bind, also spec-only), the one address in their
// TRUSTED_PROXIES, while the browser connects to nginx from 127.0.0.1. The
// browser sends a forged X-Forwarded-For; nginx appends 127.0.0.1 to it, as
// shipped. The audit rows must say 127.0.0.1 (so the trusted proxy's entry
// was used: the socket peer would be 127.0.0.2) and never the forged value.
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import type { Browser, BrowserContext, Page, Response } from "@playwright/test";
import { grantItem } from "../admin/console";
import { PERSONAS, expect, signIn, test } from "../fixtures";
import {
  ROOT,
  createDeployDatabase,
  deriveSiteConfig,
  freePort,
  rawRequest,
  readIfExists,
  selfSignedCertificate,
  sharedSecrets,
  startInstance,
  startNginx,
  tempDir,
  wrapSiteConfig,
  type DeployDatabase,
  type Nginx,
  type PortalInstance,
} from "./harness";

const HOSTNAME = "telemetry.test";
/** What the browser claims to be in X-Forwarded-For (TEST-NET-3): must never reach an audit row. */
const FORGED_CLIENT = "203.0.113.77";
/** The address nginx connects to the instances from: the only one they trust. */
const PROXY_ADDRESS = "127.0.0.2";
const METRICS_TOKEN = "metrics-token-for-the-deploy-spec";
const viewer = PERSONAS.viewerCopilot;
const admin = PERSONAS.admin;

let database: DeployDatabase;
let dir: string;
let instanceA: PortalInstance;
let instanceB: PortalInstance;
let nginx: Nginx;
let tlsPort: number;
let plainPort: number;
let portalUrl: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  database = await createDeployDatabase();
  dir = tempDir("tp-deploy-nginx-");
  const { cert, key } = selfSignedCertificate(dir, HOSTNAME);
  [tlsPort, plainPort] = [await freePort(), await freePort()];
  portalUrl = `https://${HOSTNAME}:${tlsPort}`;
  const secrets = sharedSecrets();
  const idpPort = await freePort();
  const common = { publicUrl: portalUrl, databaseUrl: database.url, secrets, idpPort, trustedProxies: PROXY_ADDRESS, env: { METRICS_TOKEN } };
  // One after the other: the first migrates and seeds the empty database.
  instanceA = await startInstance({ ...common, name: "a", port: await freePort(), demoIdp: "on", seed: true });
  instanceB = await startInstance({ ...common, name: "b", port: await freePort(), demoIdp: "off", seed: false });

  const shipped = fs.readFileSync(path.join(ROOT, "docs/deploy/nginx.conf"), "utf8");
  const site = deriveSiteConfig(shipped, [
    ["    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n", `    listen 127.0.0.1:${tlsPort} ssl http2;\n`],
    ["    listen 80;\n    listen [::]:80;\n", `    listen 127.0.0.1:${plainPort};\n`],
    ["return 301 https://telemetry.example.com$request_uri;", `return 301 https://${HOSTNAME}:${tlsPort}$request_uri;`],
    ["server_name telemetry.example.com;", `server_name ${HOSTNAME};`],
    ["/etc/ssl/telemetry-portal/fullchain.pem", cert],
    ["/etc/ssl/telemetry-portal/privkey.pem", key],
    ["/var/log/nginx/telemetry-portal.access.log", path.join(dir, "access.log")],
    ["/var/log/nginx/telemetry-portal.error.log", path.join(dir, "error.log")],
    ["server 127.0.0.1:3000 max_fails=3", `server ${instanceA.address} max_fails=3`],
    ["server 127.0.0.1:3010 max_fails=3", `server ${instanceB.address} max_fails=3`],
    // spec-only: connect from the trusted address, say which instance answered, pin by header
    ["    proxy_http_version 1.1;\n", `    proxy_http_version 1.1;\n    proxy_bind ${PROXY_ADDRESS};\n    add_header X-Test-Upstream $upstream_addr always;\n`],
    ["proxy_pass http://telemetry_portal;", "proxy_pass http://$test_upstream;"],
  ]);
  const pinning = `map $http_x_test_instance $test_upstream { default telemetry_portal; a test_instance_a; b test_instance_b; }
upstream test_instance_a { server ${instanceA.address}; }
upstream test_instance_b { server ${instanceB.address}; }
`;
  nginx = await startNginx(dir, wrapSiteConfig(dir, pinning + site), { port: tlsPort, hostname: HOSTNAME });
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await nginx?.stop();
  await Promise.all([instanceA?.stop(), instanceB?.stop()]);
  await database?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A browser context of its own at the https URL; its requests go to one instance, and claim a forged client address. */
async function pinnedContext(browser: Browser, userAgent: string, instance: "a" | "b"): Promise<BrowserContext> {
  return browser.newContext({ baseURL: portalUrl, ignoreHTTPSErrors: true, userAgent, extraHTTPHeaders: { "X-Test-Instance": instance, "X-Forwarded-For": FORGED_CLIENT } });
}

async function pinTo(context: BrowserContext, instance: "a" | "b"): Promise<void> {
  await context.setExtraHTTPHeaders({ "X-Test-Instance": instance, "X-Forwarded-For": FORGED_CLIENT });
}

type Fetched = { status: number; headers: Record<string, string>; body: string };

/** fetch() from inside the page: the browser's own request (its cookies, its TLS, its host mapping). */
async function browserFetch(page: Page, url: string, init: { method?: string; json?: unknown } = {}): Promise<Fetched> {
  return page.evaluate(
    async ({ url, method, json }) => {
      const response = await fetch(url, {
        method: method ?? "GET",
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
        headers: json === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      return { status: response.status, headers, body: await response.text() };
    },
    { url, method: init.method, json: init.json },
  );
}

/** Every response from the portal's host that this page receives, with the instance that answered it. */
function recordPortalResponses(page: Page): Array<{ url: URL; method: string; status: number; upstream: string | undefined; response: Response }> {
  const seen: Array<{ url: URL; method: string; status: number; upstream: string | undefined; response: Response }> = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.hostname !== HOSTNAME) return;
    seen.push({ url, method: response.request().method(), status: response.status(), upstream: response.headers()["x-test-upstream"], response });
  });
  return seen;
}

type AuditRow = { action: string; outcome: string; actor_ip: string | null; actor_email: string | null; request_id: string };

async function auditRows(userAgent: string): Promise<AuditRow[]> {
  return database.sql<AuditRow>(
    `SELECT action, outcome::text AS outcome, actor_ip, actor_email, request_id FROM audit_event WHERE actor_user_agent = $1 ORDER BY occurred_at, id`,
    [userAgent],
  );
}

test("signs in through instance A at the https URL, reads and reveals through B and A, and a revocation through A is refused on B", async ({ browser, auditTag }) => {
  test.setTimeout(180_000);
  const viewerContext = await pinnedContext(browser, auditTag, "a");
  const page = await viewerContext.newPage();
  const responses = recordPortalResponses(page);

  await test.step("sign in through the real OpenID Connect flow, every portal request answered by instance A", async () => {
    await signIn(page, viewer.email);
    await expect(page).toHaveURL(`${portalUrl}/`);
    await expect(page.getByRole("heading", { name: `Welcome, ${viewer.name}` })).toBeVisible();
    const callback = responses.find((entry) => entry.url.pathname === "/api/auth/callback/demo");
    expect(callback, "the identity provider sent the browser back to the portal's https callback").toBeDefined();
    expect(callback!.upstream).toBe(instanceA.address);
    for (const entry of responses) expect(entry.upstream, `${entry.method} ${entry.url.pathname}`).toBe(instanceA.address);

    // Cookies: every one __Host- prefixed, Secure, host-only, path / (the session cookie also HttpOnly)
    const setCookies = await callback!.response.headerValues("set-cookie");
    const sessionCookie = setCookies.find((line) => line.startsWith("__Host-authjs.session-token="));
    expect(sessionCookie, setCookies.join("\n")).toBeDefined();
    expect(sessionCookie).toMatch(/;\s*Secure(;|$)/i);
    expect(sessionCookie).toMatch(/;\s*HttpOnly(;|$)/i);
    expect(sessionCookie).toMatch(/;\s*Path=\/(;|$)/i);
    expect(sessionCookie).not.toMatch(/;\s*Domain=/i);
    const cookies = await viewerContext.cookies(portalUrl);
    expect(cookies.map((cookie) => cookie.name)).toContain("__Host-authjs.session-token");
    for (const cookie of cookies) {
      expect(cookie, cookie.name).toMatchObject({ name: expect.stringMatching(/^__Host-/), secure: true, path: "/", domain: HOSTNAME });
    }
    // ...and nothing of the portal's under a plain name or for another host
    expect((await viewerContext.cookies()).filter((cookie) => cookie.domain.includes(HOSTNAME) && !cookie.name.startsWith("__Host-"))).toEqual([]);
  });

  await test.step("HSTS, TLS 1.3 and HTTP/2 at the public URL", async () => {
    const home = await page.goto("/");
    expect(home!.status()).toBe(200);
    expect(await home!.headerValues("strict-transport-security")).toEqual(["max-age=63072000; includeSubDomains"]);
    expect(await home!.securityDetails()).toMatchObject({ protocol: "TLS 1.3", subjectName: HOSTNAME });
    expect(await page.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).nextHopProtocol)).toBe("h2");
    const purpose = await browserFetch(page, "/api/v1/me/purpose", { method: "PUT", json: { purpose: "investigate_abuse" } });
    expect(purpose.status, purpose.body).toBe(200);
    expect(purpose.headers["x-test-upstream"]).toBe(instanceA.address);
  });

  const requestIds: Array<{ id: string; instance: string; action: string }> = [];
  let eventId = "";

  await test.step("reads the events list and reveals content through instance B", async () => {
    await pinTo(viewerContext, "b");
    const list = await page.goto("/events");
    expect(list!.headers()["x-test-upstream"]).toBe(instanceB.address);
    await expect(page.getByRole("heading", { name: "Events", exact: true })).toBeVisible();
    await expect(page.getByRole("table")).toBeVisible();

    const api = await browserFetch(page, "/api/v1/events?kind=completion_shown&limit=5");
    expect(api.status, api.body).toBe(200);
    expect(api.headers["x-test-upstream"]).toBe(instanceB.address);
    const { items } = JSON.parse(api.body) as { items: Array<{ id: string }> };
    expect(items.length).toBeGreaterThan(0);
    eventId = items[0]!.id;
    requestIds.push({ id: api.headers["x-request-id"]!, instance: instanceB.address, action: "events.list" });

    const detail = await page.goto(`/events/${eventId}`);
    expect(detail!.headers()["x-test-upstream"]).toBe(instanceB.address);
    const content = page.getByRole("region", { name: /^Content/ });
    const reveal = page.waitForResponse((response) => response.url().endsWith(`/api/v1/events/${eventId}/reveal`));
    await content.getByRole("button", { name: "Reveal content" }).click();
    const revealed = await reveal;
    expect(revealed.status()).toBe(200);
    expect(revealed.headers()["x-test-upstream"]).toBe(instanceB.address);
    requestIds.push({ id: revealed.headers()["x-request-id"]!, instance: instanceB.address, action: "events.reveal" });
    await expect(content.locator("pre").first()).toBeVisible();
  });

  await test.step("reads and reveals the same event through instance A", async () => {
    await pinTo(viewerContext, "a");
    const api = await browserFetch(page, `/api/v1/events/${eventId}`);
    expect(api.status, api.body).toBe(200);
    expect(api.headers["x-test-upstream"]).toBe(instanceA.address);
    requestIds.push({ id: api.headers["x-request-id"]!, instance: instanceA.address, action: "events.view" });
    const revealed = await browserFetch(page, `/api/v1/events/${eventId}/reveal`, { method: "POST" });
    expect(revealed.status, revealed.body).toBe(200);
    expect(revealed.headers["x-test-upstream"]).toBe(instanceA.address);
    expect(JSON.parse(revealed.body)).toMatchObject({ id: eventId, content: expect.anything() });
    requestIds.push({ id: revealed.headers["x-request-id"]!, instance: instanceA.address, action: "events.reveal" });
  });

  await test.step("every audit row carries the client address 127.0.0.1 and never the forged X-Forwarded-For", async () => {
    const rows = await auditRows(auditTag);
    for (const { id, action } of requestIds) {
      expect(rows, `the audit row of request ${id}`).toContainEqual(expect.objectContaining({ request_id: id, action, outcome: "allowed", actor_email: viewer.email }));
    }
    expect(rows.length).toBeGreaterThanOrEqual(requestIds.length);
    for (const row of rows) expect(row.actor_ip, `${row.action} ${row.request_id}`).toBe("127.0.0.1");
    const [forged] = await database.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event WHERE strpos(audit_event::text, $1) > 0`, [FORGED_CLIENT]);
    expect(forged!.n).toBe(0);

    // nginx's access log joins on the same request id, names the instance, and keeps query strings out
    const accessLog = readIfExists(path.join(dir, "access.log")).split("\n");
    for (const { id, instance } of requestIds) {
      const line = accessLog.find((entry) => entry.includes(`request_id=${id}`));
      expect(line, `access log line of ${id}`).toBeDefined();
      expect(line).toContain(`upstream=${instance} `);
      expect(line).toMatch(/^127\.0\.0\.1 /);
    }
    expect(accessLog.filter((entry) => entry.includes("?"))).toEqual([]);
  });

  await test.step("an admin revokes the viewer's grant through instance A; the viewer's next requests on B are refused", async () => {
    const adminTag = `${auditTag}/admin`;
    const adminContext = await pinnedContext(browser, adminTag, "a");
    try {
      const adminPage = await adminContext.newPage();
      const adminResponses = recordPortalResponses(adminPage);
      await signIn(adminPage, admin.email);
      await expect(adminPage.getByRole("heading", { name: `Welcome, ${admin.name}` })).toBeVisible();
      await adminPage.goto(`/admin/people?q=${encodeURIComponent(viewer.email)}`);
      await adminPage.getByRole("link", { name: viewer.name }).click();
      await expect(adminPage.getByRole("heading", { name: viewer.name, level: 1 })).toBeVisible();
      const group = "Group: GitHub Copilot team";
      const item = grantItem(adminPage, "Grants in force", group);
      await item.getByText("Revoke…").click();
      const form = item.getByRole("form", { name: `Revoke ${group}` });
      await form.getByLabel("Reason for revoking").fill("Deployment test: revoked through instance A.");
      await form.getByRole("button", { name: "Revoke grant" }).click();
      await expect(adminPage.getByRole("status").filter({ hasText: "Grant revoked." })).toBeVisible();
      const posts = adminResponses.filter((entry) => entry.method === "POST");
      expect(posts.length).toBeGreaterThan(0);
      for (const post of posts) expect(post.upstream).toBe(instanceA.address);
      const revokeRows = (await auditRows(adminTag)).filter((row) => row.action === "admin.grant_revoke");
      expect(revokeRows).toEqual([expect.objectContaining({ outcome: "allowed", actor_email: admin.email, actor_ip: "127.0.0.1" })]);
    } finally {
      await adminContext.close();
    }

    // The viewer, still pinned to B with the cookies of a session that no longer exists
    await pinTo(viewerContext, "b");
    const refused = await browserFetch(page, "/api/v1/events?limit=5");
    expect(refused.headers["x-test-upstream"]).toBe(instanceB.address);
    expect(refused.status, refused.body).toBe(401);
    expect(JSON.parse(refused.body)).not.toHaveProperty("items");
    const reveal = await browserFetch(page, `/api/v1/events/${eventId}/reveal`, { method: "POST" });
    expect(reveal.status).toBe(401);
    expect(reveal.headers["x-test-upstream"]).toBe(instanceB.address);
    await page.goto("/events");
    await expect(page).toHaveURL(`${portalUrl}/signin?callbackUrl=%2Fevents`);
    await expect(page.getByRole("table")).toHaveCount(0);
    const denied = (await auditRows(auditTag)).filter((row) => row.request_id === refused.headers["x-request-id"]);
    expect(denied).toEqual([expect.objectContaining({ action: "events.list", outcome: "denied", actor_ip: "127.0.0.1" })]);
  });
  await viewerContext.close();
});

test("another host name reaching the portal gets the 421 page naming the URL to use", async ({ browser }) => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    const wrong = `https://127.0.0.1:${tlsPort}`;
    const response = await page.goto(`${wrong}/events?range=7d`);
    expect(response!.status()).toBe(421);
    await expect(page.getByRole("heading", { name: "Open the Telemetry Portal at its address" })).toBeVisible();
    await expect(page.getByText(`This Telemetry Portal is served at ${portalUrl}, not at ${wrong}.`)).toBeVisible();
    await expect(page.getByRole("link", { name: `${portalUrl}/events?range=7d` })).toHaveAttribute("href", `${portalUrl}/events?range=7d`);
    await expect(page.getByRole("button", { name: /Sign in/ })).toHaveCount(0);
    // probes still answer under any name (a load balancer may use an internal one)
    const ready = await page.goto(`${wrong}/readyz`);
    expect(ready!.status()).toBe(200);
    expect(await ready!.json()).toMatchObject({ status: "ready" });
  } finally {
    await context.close();
  }
});

test("plain HTTP is redirected to the public https URL, whatever Host the client sends", async () => {
  for (const host of [`${HOSTNAME}:${plainPort}`, "evil.example"]) {
    const response = await rawRequest({ host: "127.0.0.1", port: plainPort, path: "/events?range=7d", headers: { Host: host } });
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe(`${portalUrl}/events?range=7d`);
  }
});

test("metrics: not offered at the public URL, and not to a client a trusted proxy forwards; to the proxy host itself and to the token, yes", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: portalUrl, ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    const viaProxy = await page.goto("/metrics");
    expect(viaProxy!.status()).toBe(404);
  } finally {
    await context.close();
  }
  const metrics = { host: "127.0.0.1", port: instanceA.port, path: "/metrics", localAddress: PROXY_ADDRESS };
  // the trusted proxy forwarding someone else (as nginx would, if it passed /metrics on): refused
  const forwarded = await rawRequest({ ...metrics, headers: { "X-Forwarded-For": "198.51.100.7" } });
  expect(forwarded.status, forwarded.body).toBe(403);
  // a scraper on the proxy's host, connecting itself: allowed
  const proxyHost = await rawRequest(metrics);
  expect(proxyHost.status).toBe(200);
  expect(proxyHost.body).toContain("portal_http_requests_total");
  // anyone holding METRICS_TOKEN
  const withToken = await rawRequest({ ...metrics, headers: { "X-Forwarded-For": "198.51.100.7", Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(withToken.status).toBe(200);
  expect(withToken.headers["content-type"]).toContain("text/plain");
});

test("stopping an instance behind nginx loses nothing: every read answered in full and audited while B drains and exits", async ({ browser, auditTag }) => {
  test.setTimeout(120_000);
  const health = PERSONAS.viewerHealth;
  const context = await browser.newContext({ baseURL: portalUrl, ignoreHTTPSErrors: true, userAgent: auditTag });
  const page = await context.newPage();
  await signIn(page, health.email);
  await expect(page.getByRole("heading", { name: `Welcome, ${health.name}` })).toBeVisible();
  const purpose = await browserFetch(page, "/api/v1/me/purpose", { method: "PUT", json: { purpose: "improve_product" } });
  expect(purpose.status, purpose.body).toBe(200);
  const session = (await context.cookies(portalUrl)).find((cookie) => cookie.name === "__Host-authjs.session-token");
  await context.close();

  // Load-balanced as shipped (no pinning header), keep-alive to nginx, as a browser would.
  const agent = new https.Agent({ keepAlive: true, maxSockets: 10 });
  const results: Array<{ status: number; upstream: string; requestId: string; items: number; at: number }> = [];
  const failures: string[] = [];
  let stopAt = Number.POSITIVE_INFINITY;
  const read = () =>
    new Promise<void>((resolve) => {
      const request = https.get(
        {
          host: "127.0.0.1",
          port: tlsPort,
          servername: HOSTNAME,
          rejectUnauthorized: false,
          agent,
          path: "/api/v1/events?limit=50",
          headers: { Host: `${HOSTNAME}:${tlsPort}`, Cookie: `__Host-authjs.session-token=${session!.value}`, "User-Agent": auditTag, Accept: "application/json" },
        },
        (response) => {
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (body += chunk));
          response.on("end", () => {
            let items = -1;
            try {
              items = (JSON.parse(body) as { items: unknown[] }).items.length;
            } catch {
              failures.push(`${response.statusCode} ${body.slice(0, 200)}`);
            }
            results.push({ status: response.statusCode ?? 0, upstream: String(response.headers["x-test-upstream"]), requestId: String(response.headers["x-request-id"]), items, at: Date.now() });
            resolve();
          });
        },
      );
      request.on("error", (error) => {
        failures.push(error.message);
        resolve();
      });
    });
  const clients = Array.from({ length: 10 }, async () => {
    while (Date.now() < stopAt) await read();
  });
  await expect.poll(() => results.filter((result) => result.upstream === instanceB.address).length, { timeout: 30_000 }).toBeGreaterThan(10);
  const sigtermAt = Date.now();
  instanceB.child.kill("SIGTERM");
  const exit = await instanceB.exited;
  stopAt = Date.now() + 2_000; // and keep reading for a while with B gone
  await Promise.all(clients);
  agent.destroy();

  expect(exit.code, instanceB.output.slice(-10).join("\n")).toBe(0);
  expect(failures).toEqual([]);
  expect(results.filter((result) => result.status !== 200)).toEqual([]);
  // once B is gone, A answers (nginx may first try B, find it refusing connections, and pass the request on: "B, A")
  expect(results.filter((result) => result.at > exit.at + 200 && result.upstream.split(", ").at(-1) !== instanceA.address)).toEqual([]);
  expect(results.filter((result) => result.at > exit.at + 200).length).toBeGreaterThan(0);
  expect(results.filter((result) => result.at > sigtermAt && result.upstream === instanceB.address).length, "B finished what it had in flight").toBeGreaterThan(0);
  const rows = await database.sql<{ request_id: string }>(`SELECT request_id FROM audit_event WHERE actor_user_agent = $1 AND action = 'events.list' AND outcome = 'allowed'`, [auditTag]);
  const audited = new Set(rows.map((row) => row.request_id));
  expect(results.filter((result) => !audited.has(result.requestId))).toEqual([]);
});
