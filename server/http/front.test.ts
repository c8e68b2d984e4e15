// The portal's HTTP front (./front.ts) driven through real HTTP servers on
// 127.0.0.1: the handler behind it is a stub that records what it received, so
// each test asserts both what a client gets back and what Next.js would see.
//
// Some tests need a socket peer other than 127.0.0.1 (an internet client, a
// reverse proxy on 10.0.0.2): the test server then reports that address as the
// connection's remoteAddress before the front reads it. Everything else — the
// headers, the body, the response — goes over a real connection.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createFront, type FrontOptions } from "./front";
import { proxyTrust, TRUST_NO_PROXY, type ProxyTrust } from "./front-headers";
import { overrideStatus } from "./status-override";

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders };
type Reply = { status: number; headers: http.IncomingHttpHeaders; text: string };
type Handle = FrontOptions["handle"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** 10.0.0.0/8 are our reverse proxies in these tests. */
const PROXIES = proxyTrust([{ address: "10.0.0.0", prefix: 8, family: "ipv4" }]);
const LOOPBACK_PROXY = proxyTrust([{ address: "127.0.0.1", prefix: 32, family: "ipv4" }]);

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

type Front = { port: number; seen: Seen[]; send(request?: Request): Promise<Reply> };
type Request = { method?: string; path?: string; headers?: Record<string, string | string[]>; body?: string; setHost?: boolean };

/** A real server: createFront in front of `handle` (by default an echo of what it received). */
async function front(publicOrigin: string, options: { trust?: ProxyTrust; peer?: string; handle?: Handle } = {}): Promise<Front> {
  const seen: Seen[] = [];
  const echo: Handle = (req, res) => {
    const entry = { method: req.method ?? "?", url: req.url ?? "?", headers: { ...req.headers } };
    seen.push(entry);
    req.resume();
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(entry));
  };
  const listener = createFront({ publicOrigin, trust: options.trust ?? TRUST_NO_PROXY, handle: options.handle ?? echo });
  const server = http.createServer((req, res) => {
    if (options.peer) Object.defineProperty(req.socket, "remoteAddress", { value: options.peer, configurable: true });
    listener(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    seen,
    send: (request = {}) =>
      new Promise<Reply>((resolve, reject) => {
        const req = http.request(
          { host: "127.0.0.1", port, method: request.method ?? "GET", path: request.path ?? "/", headers: request.headers, agent: false, setHost: request.setHost ?? true },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (text += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
          },
        );
        req.on("error", reject);
        req.end(request.body);
      }),
  };
}

const HTTP_ORIGIN = "http://portal.test:3000";
const HTTPS_ORIGIN = "https://portal.example";
const host = { host: "portal.test:3000" };

describe("request id", () => {
  it("puts X-Request-Id on every response, equal to the x-portal-request-id the handler saw, and new per request", async () => {
    const server = await front(HTTP_ORIGIN);
    const first = await server.send({ headers: { ...host, "x-portal-request-id": "forged-id", "x-request-id": "client-id" } });
    const second = await server.send({ headers: host });
    expect(first.status).toBe(200);
    expect(first.headers["x-request-id"]).toMatch(UUID);
    expect(server.seen[0]!.headers["x-portal-request-id"]).toBe(first.headers["x-request-id"]);
    expect(server.seen[1]!.headers["x-portal-request-id"]).toBe(second.headers["x-request-id"]);
    expect(second.headers["x-request-id"]).not.toBe(first.headers["x-request-id"]);
  });

  it("also on answers the front gives itself (wrong origin) and on refusals", async () => {
    const server = await front(HTTP_ORIGIN);
    const wrong = await server.send({ headers: { host: "other.test:3000" } });
    expect(wrong.status).toBe(421);
    expect(wrong.headers["x-request-id"]).toMatch(UUID);
    const refused = await server.send({ path: "/api/v1/events/%zz", headers: host });
    expect(refused.headers["x-request-id"]).toMatch(UUID);
    expect(server.seen.at(-1)!.headers["x-portal-request-id"]).toBe(refused.headers["x-request-id"]);
  });

  it("answers a handler that throws with a JSON 500 quoting the request id, not a hang", async () => {
    const server = await front(HTTP_ORIGIN, {
      handle: () => {
        throw new Error("boom");
      },
    });
    const original = console.error;
    console.error = () => undefined;
    try {
      const reply = await server.send({ headers: host });
      expect(reply.status).toBe(500);
      expect(JSON.parse(reply.text)).toEqual({ error: { code: "internal", message: expect.stringContaining(String(reply.headers["x-request-id"])) } });
    } finally {
      console.error = original;
    }
  });
});

describe("headers a client must not set", () => {
  it("never lets client-sent x-portal-*, x-middleware-* or x-invoke-* headers reach the handler", async () => {
    // A loopback peer that is not a trusted proxy and that relays (X-Forwarded-For): the front sets neither peer-trusted nor a refusal.
    const server = await front(HTTP_ORIGIN);
    await server.send({
      headers: {
        ...host,
        "x-forwarded-for": "198.51.100.1",
        "X-Portal-Request-Id": "forged",
        "x-portal-client-ip": "6.6.6.6",
        "x-portal-refusal": "cross-site",
        "x-portal-refused-path": "/forged",
        "x-portal-refused-method": "DELETE",
        "x-portal-peer-trusted": "1",
        "x-portal-anything-new": "x",
        "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware",
        "x-middleware-rewrite": "/admin",
        "x-invoke-path": "/admin",
        "x-invoke-status": "200",
        "x-invoke-output": "x",
      },
    });
    const seen = server.seen[0]!;
    expect(seen.url).toBe("/");
    const internal = Object.keys(seen.headers).filter((name) => /^(x-portal-|x-middleware-|x-invoke-)/.test(name));
    expect(internal.sort()).toEqual(["x-portal-client-ip", "x-portal-request-id"]);
    expect(seen.headers["x-portal-client-ip"]).toBe("127.0.0.1");
    expect(seen.headers["x-portal-request-id"]).toMatch(UUID);
  });
});

describe("client address and forwarded headers", () => {
  it("ignores X-Forwarded-* from an untrusted peer: the client is the socket, the origin is the Host header", async () => {
    const server = await front(HTTP_ORIGIN, { trust: PROXIES, peer: "203.0.113.7" });
    const reply = await server.send({
      headers: {
        ...host,
        "x-forwarded-for": "198.51.100.1",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "evil.example",
        "x-forwarded-port": "443",
        forwarded: "for=198.51.100.1;proto=https;host=evil.example",
        "x-real-ip": "198.51.100.1",
      },
    });
    expect(reply.status).toBe(200);
    const { headers } = server.seen[0]!;
    expect(headers["x-portal-client-ip"]).toBe("203.0.113.7");
    expect(headers.host).toBe("portal.test:3000");
    expect(headers["x-forwarded-host"]).toBe("portal.test:3000");
    expect(headers["x-forwarded-proto"]).toBe("http");
    for (const name of ["x-forwarded-for", "x-forwarded-port", "forwarded", "x-real-ip", "x-portal-peer-trusted"]) expect(headers[name]).toBeUndefined();
  });

  it("from a trusted proxy takes the right-most X-Forwarded-For hop that is not a proxy, never a forged left-most entry", async () => {
    const viaTwoProxies = await front(HTTP_ORIGIN, { trust: PROXIES, peer: "10.0.0.2" });
    await viaTwoProxies.send({ headers: { ...host, "x-forwarded-for": "6.6.6.6, 198.51.100.23, 10.1.2.3" } });
    expect(viaTwoProxies.seen[0]!.headers["x-portal-client-ip"]).toBe("198.51.100.23");

    const mapped = await front(HTTP_ORIGIN, { trust: PROXIES, peer: "::ffff:10.0.0.2" });
    await mapped.send({ headers: { ...host, "x-forwarded-for": ["6.6.6.6", "198.51.100.24"] } });
    expect(mapped.seen[0]!.headers["x-portal-client-ip"]).toBe("198.51.100.24");

    // The entry our proxy wrote is not an address: the forged entry left of it still never counts.
    const unknown = await front(HTTP_ORIGIN, { trust: PROXIES, peer: "10.0.0.2" });
    await unknown.send({ headers: { ...host, "x-forwarded-for": "6.6.6.6, unknown" } });
    expect(unknown.seen[0]!.headers["x-portal-client-ip"]).toBe("10.0.0.2");
  });

  it("marks the peer trusted (metrics scraping) only for a direct loopback peer or a trusted proxy's own request, never for a client relayed by a proxy", async () => {
    const direct = await front(HTTP_ORIGIN);
    await direct.send({ headers: host });
    expect(direct.seen[0]!.headers["x-portal-peer-trusted"]).toBe("1");

    // nginx on the same host, listed in TRUSTED_PROXIES, relaying an internet client.
    const relayed = await front(HTTP_ORIGIN, { trust: LOOPBACK_PROXY });
    await relayed.send({ headers: { ...host, "x-forwarded-for": "198.51.100.9" } });
    expect(relayed.seen[0]!.headers["x-portal-client-ip"]).toBe("198.51.100.9");
    expect(relayed.seen[0]!.headers["x-portal-peer-trusted"]).toBeUndefined();
    // … and one that forges a loopback hop of its own.
    await relayed.send({ headers: { ...host, "x-forwarded-for": "127.0.0.1, 198.51.100.9" } });
    expect(relayed.seen[1]!.headers["x-portal-peer-trusted"]).toBeUndefined();

    // A proxy on loopback that the operator forgot to list still relays internet clients.
    const unlisted = await front(HTTP_ORIGIN);
    await unlisted.send({ headers: { ...host, "x-forwarded-for": "198.51.100.9" } });
    expect(unlisted.seen[0]!.headers["x-portal-peer-trusted"]).toBeUndefined();

    // A scraper on a trusted proxy's address, not relaying anyone.
    const scraper = await front(HTTP_ORIGIN, { trust: PROXIES, peer: "10.0.0.2" });
    await scraper.send({ path: "/metrics", headers: { host: "10.0.0.5:3000" } });
    expect(scraper.seen[0]!.headers["x-portal-peer-trusted"]).toBe("1");

    const internet = await front(HTTP_ORIGIN, { trust: PROXIES, peer: "203.0.113.7" });
    await internet.send({ path: "/metrics", headers: host });
    expect(internet.seen[0]!.headers["x-portal-peer-trusted"]).toBeUndefined();
  });
});

describe("the public origin", () => {
  it("passes the public origin through a trusted proxy, and shows Next.js PORTAL_URL's host whatever the proxy's upstream name", async () => {
    const server = await front(HTTPS_ORIGIN, { trust: PROXIES, peer: "10.0.0.2" });
    const reply = await server.send({ path: "/events", headers: { host: "portal-1.internal:3000", "x-forwarded-host": "portal.example", "x-forwarded-proto": "https" } });
    expect(reply.status).toBe(200);
    expect(server.seen[0]!.headers).toMatchObject({ host: "portal.example", "x-forwarded-host": "portal.example", "x-forwarded-proto": "https" });
  });

  it.each([
    ["a wrong Host", HTTP_ORIGIN, {}, { host: "127.0.0.1:3000" }, "http://127.0.0.1:3000"],
    ["a wrong port", HTTP_ORIGIN, {}, { host: "portal.test:3400" }, "http://portal.test:3400"],
    ["a wrong X-Forwarded-Host from a trusted proxy", HTTPS_ORIGIN, { trust: PROXIES, peer: "10.0.0.2" }, { host: "portal.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" }, "https://evil.example"],
    ["http from a trusted proxy for an https portal", HTTPS_ORIGIN, { trust: PROXIES, peer: "10.0.0.2" }, { host: "portal.example", "x-forwarded-proto": "http" }, "http://portal.example"],
    ["plain http straight to an https portal", HTTPS_ORIGIN, { trust: PROXIES, peer: "203.0.113.7" }, { host: "portal.example", "x-forwarded-proto": "https" }, "http://portal.example"],
  ])("answers %s with a 421 page naming the right URL (and a JSON 421 under /api)", async (_name, origin, options, headers, wrongOrigin) => {
    const server = await front(origin, options);
    const page = await server.send({ path: "/events?kind=error&x=<b>", headers });
    expect(page.status).toBe(421);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("private, no-store");
    expect(page.text).toContain(`served at ${origin}, not at ${wrongOrigin}.`);
    expect(page.text).toContain(`<a href="${origin}/events?kind=error&#38;x=%3Cb%3E">`);
    expect(page.text).not.toContain("<b>");

    const api = await server.send({ path: "/api/v1/events?limit=5", headers });
    expect(api.status).toBe(421);
    expect(api.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(api.text)).toEqual({ error: { code: "wrong_origin", message: expect.stringContaining(`served at ${origin}`), url: `${origin}/api/v1/events?limit=5` } });
    expect(server.seen).toEqual([]);
  });

  it("answers a Host that is no host with 421, and never serves a request without one", async () => {
    const server = await front(HTTP_ORIGIN);
    const unparseable = await server.send({ headers: { host: "[::1" } });
    expect(unparseable.status).toBe(421);
    expect(unparseable.text).toContain(`This Telemetry Portal is served at ${HTTP_ORIGIN}. Open it`);
    // HTTP/1.1 without Host: Node's parser answers 400 before the front runs.
    expect((await server.send({ setHost: false })).status).toBe(400);
    expect(server.seen).toEqual([]);
  });

  it("never names another site as the right URL, whatever the path", async () => {
    const server = await front(HTTPS_ORIGIN);
    for (const path of ["//evil.example/x", "/\\evil.example/x"]) {
      const page = await server.send({ path, headers: { host: "wrong.example" } });
      expect(page.status).toBe(421);
      const href = /<a href="([^"]*)">/.exec(page.text)?.[1] ?? "";
      expect(new URL(href.replaceAll("&#38;", "&")).origin).toBe(HTTPS_ORIGIN);
    }
  });

  it.each([
    ["GET", "/healthz"],
    ["GET", "/readyz"],
    ["GET", "/metrics"],
    ["POST", "/v2/track"],
    ["POST", "/api/v1/telemetry"],
  ])("lets %s %s through with any host (probes, scrapers and producers), showing Next.js the public host", async (method, path) => {
    const server = await front(HTTPS_ORIGIN);
    const reply = await server.send({ method, path, headers: { host: "10.0.0.5:3000", "content-type": "application/json" }, body: method === "POST" ? "[]" : undefined });
    expect(reply.status).toBe(200);
    expect(server.seen[0]!).toMatchObject({ method, url: path, headers: { host: "portal.example", "x-forwarded-proto": "https" } });
  });

  it("does not extend that to neighbouring paths", async () => {
    const server = await front(HTTPS_ORIGIN);
    for (const path of ["/healthz/x", "/api/v1/telemetry/keys", "/v2/track2", "/api/v1/events"]) {
      expect((await server.send({ path, headers: { host: "10.0.0.5:3000" } })).status).toBe(421);
    }
    expect(server.seen).toEqual([]);
  });
});

/** The front's refusal as Next.js receives it, or null when the request reached its route untouched. */
function refusalSeen(seen: Seen, originalMethod: string, originalPath: string): string | null {
  if (seen.url === originalPath && seen.method === originalMethod) {
    expect(seen.headers["x-portal-refusal"]).toBeUndefined();
    return null;
  }
  expect(seen.url).toBe("/portal-front/refusal");
  expect(seen.method).toBe("GET");
  expect(seen.headers["x-portal-refused-method"]).toBe(originalMethod);
  return String(seen.headers["x-portal-refusal"]);
}

describe("malformed paths", () => {
  it.each(["/api/v1/events/%E2%82", "/api/v1/events/%00", "/events/%zz", "/api/v1/events/abc%", "/api/v1/events/%C0%AF", "/events/%ED%A0%80"])(
    "rewrites %s to the refusal route (malformed-path), naming the path",
    async (path) => {
      const server = await front(HTTP_ORIGIN);
      const reply = await server.send({ path: `${path}?q=1`, headers: host });
      expect(reply.status).toBe(200); // the stub's answer for /portal-front/refusal
      const seen = server.seen[0]!;
      expect(refusalSeen(seen, "GET", path)).toBe("malformed-path");
      expect(seen.headers["x-portal-refused-path"]).toBe(path);
    },
  );

  it.each(["/api/auth/../v1/events/1/reveal", "/api/auth/%2e%2e/v1/events/1/reveal", "/api/auth/.%2E/v1/events/1/reveal", "/api/auth/./../v1/events/1/reveal"])(
    "refuses dot segments (%s), which the router would resolve to another path than the one the front checked",
    async (path) => {
      const server = await front(HTTP_ORIGIN);
      await server.send({ method: "POST", path, headers: { ...host, origin: "https://evil.example", "content-type": "text/plain" }, body: "x" });
      expect(refusalSeen(server.seen[0]!, "POST", path)).toBe("malformed-path");
    },
  );

  it("lets well-formed percent-encoding through untouched", async () => {
    const server = await front(HTTP_ORIGIN);
    for (const path of ["/api/v1/events/%E2%82%AC", "/events/a%20b", "/events/%2Fslash", "/_next/static/chunks/app.js"]) {
      await server.send({ path, headers: host });
      expect(refusalSeen(server.seen.at(-1)!, "GET", path)).toBeNull();
    }
  });
});

describe("state-changing requests", () => {
  const json = { ...host, "content-type": "application/json" };

  it.each([
    ["an Origin of another site", { origin: "https://evil.example" }],
    ["an Origin of the same site on another port", { origin: "http://portal.test:3001" }],
    ["the opaque Origin null", { origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
    ["Sec-Fetch-Site: same-site with the portal's Origin", { "sec-fetch-site": "same-site", origin: HTTP_ORIGIN }],
  ])("refuses a POST carrying %s as cross-site", async (_name, headers) => {
    const server = await front(HTTP_ORIGIN);
    await server.send({ method: "POST", path: "/api/v1/events/1/reveal", headers: { ...json, ...headers }, body: "{}" });
    expect(refusalSeen(server.seen[0]!, "POST", "/api/v1/events/1/reveal")).toBe("cross-site");
    expect(server.seen[0]!.headers["x-portal-refused-path"]).toBe("/api/v1/events/1/reveal");
  });

  it.each(["PUT", "PATCH", "DELETE"])("refuses a cross-site %s too, and a cross-site server action (a POST to a page)", async (method) => {
    const server = await front(HTTP_ORIGIN);
    await server.send({ method, path: "/api/v1/admin/grants/1", headers: { ...json, origin: "https://evil.example" }, body: "{}" });
    expect(refusalSeen(server.seen[0]!, method, "/api/v1/admin/grants/1")).toBe("cross-site");
    await server.send({ method: "POST", path: "/purpose", headers: { ...host, "sec-fetch-site": "cross-site", "next-action": "abc", "content-type": "text/plain;charset=UTF-8" }, body: "[]" });
    expect(refusalSeen(server.seen[1]!, "POST", "/purpose")).toBe("cross-site");
  });

  it("lets same-origin, user-initiated and non-browser JSON requests through, and any cross-site GET", async () => {
    const server = await front(HTTP_ORIGIN);
    const cases: Array<[string, Record<string, string>]> = [
      ["POST", { origin: HTTP_ORIGIN, "sec-fetch-site": "same-origin" }],
      ["POST", { "sec-fetch-site": "none" }],
      ["POST", {}],
      ["GET", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
    ];
    for (const [method, headers] of cases) {
      // The reveal takes POST; a GET goes to the event itself.
      const path = method === "POST" ? "/api/v1/events/1/reveal" : "/api/v1/events/1";
      await server.send({ method, path, headers: { ...json, ...headers }, body: method === "POST" ? "{}" : undefined });
      expect(refusalSeen(server.seen.at(-1)!, method, path)).toBeNull();
    }
  });

  it("refuses a same-origin API POST whose body is not JSON (content-type)", async () => {
    const server = await front(HTTP_ORIGIN);
    const bodies: Array<Record<string, string>> = [{ "content-type": "text/plain" }, { "content-type": "application/x-www-form-urlencoded" }, { "content-type": "multipart/form-data; boundary=x" }, {}];
    for (const headers of bodies) {
      await server.send({ method: "POST", path: "/api/v1/events/00000000-0000-4000-8000-000000000001/reveal", headers: { ...host, origin: HTTP_ORIGIN, ...headers }, body: "reveal=1" });
      expect(refusalSeen(server.seen.at(-1)!, "POST", "/api/v1/events/00000000-0000-4000-8000-000000000001/reveal")).toBe("content-type");
    }
    // A chunked body is a body too.
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: server.port, method: "POST", path: "/api/v1/events/00000000-0000-4000-8000-000000000001/reveal", headers: { ...host, "content-type": "text/plain" }, agent: false }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.write("chunk");
      req.end();
    });
    expect(refusalSeen(server.seen.at(-1)!, "POST", "/api/v1/events/00000000-0000-4000-8000-000000000001/reveal")).toBe("content-type");
  });

  it("accepts JSON with parameters, and a POST without a body, on the API; and any body type for pages (server actions)", async () => {
    const server = await front(HTTP_ORIGIN);
    await server.send({ method: "POST", path: "/api/v1/events/00000000-0000-4000-8000-000000000001/reveal", headers: { ...host, "content-type": "Application/JSON; charset=utf-8" }, body: "{}" });
    expect(refusalSeen(server.seen.at(-1)!, "POST", "/api/v1/events/00000000-0000-4000-8000-000000000001/reveal")).toBeNull();
    await server.send({ method: "POST", path: "/api/v1/events/00000000-0000-4000-8000-000000000001/reveal", headers: { ...host, "content-length": "0" } });
    expect(refusalSeen(server.seen.at(-1)!, "POST", "/api/v1/events/00000000-0000-4000-8000-000000000001/reveal")).toBeNull();
    await server.send({ method: "POST", path: "/purpose", headers: { ...host, origin: HTTP_ORIGIN, "content-type": "multipart/form-data; boundary=x" }, body: "--x--" });
    expect(refusalSeen(server.seen.at(-1)!, "POST", "/purpose")).toBeNull();
  });

  it.each(["/api/auth/signout", "/api/auth/callback/oidc", "/v2/track", "/api/v1/telemetry"])(
    "does not CSRF-check POST %s (Auth.js's own token, the IdP's form_post, key-authenticated producers)",
    async (path) => {
      const server = await front(HTTP_ORIGIN);
      await server.send({ method: "POST", path, headers: { ...host, origin: "https://idp.example", "sec-fetch-site": "cross-site", "content-type": "text/plain" }, body: "x" });
      expect(refusalSeen(server.seen[0]!, "POST", path)).toBeNull();
    },
  );
});

describe("HSTS", () => {
  it("is sent under an https public URL, on every answer", async () => {
    const server = await front(HTTPS_ORIGIN, { trust: PROXIES, peer: "10.0.0.2" });
    const ok = await server.send({ headers: { host: "portal.example", "x-forwarded-proto": "https" } });
    const wrong = await server.send({ headers: { host: "evil.example", "x-forwarded-proto": "https" } });
    for (const reply of [ok, wrong]) expect(reply.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  });

  it("is never sent under an http public URL", async () => {
    const server = await front(HTTP_ORIGIN, { trust: LOOPBACK_PROXY });
    const reply = await server.send({ headers: { ...host, "x-forwarded-proto": "http" } });
    expect(reply.status).toBe(200);
    expect(reply.headers["strict-transport-security"]).toBeUndefined();
  });
});

describe("the status override (pages whose data layer found the audit trail or database unavailable)", () => {
  /** Like Next.js: the page records the override during rendering, then answers 200 (explicitly or implicitly). */
  const page: Handle = (req, res) => {
    const requestId = String(req.headers["x-portal-request-id"]);
    if (req.url?.startsWith("/unavailable")) overrideStatus(requestId, { status: 503, retryAfterSeconds: 7 });
    // a page rendering its error state for a refused request (invalid input)
    if (req.url?.startsWith("/refused")) overrideStatus(requestId, { status: 400 });
    if (req.url?.endsWith("/missing")) {
      res.writeHead(404).end("not found");
      return;
    }
    if (req.url?.endsWith("/crashed")) {
      // A page that let the data layer's 503 escape: Next.js renders its error page as a 500.
      res.statusCode = 500;
      res.end("<p>Application error</p>");
      return;
    }
    if (req.url?.endsWith("/implicit")) {
      res.statusCode = 200;
      res.setHeader("Content-Type", "text/html");
      res.end("<p>error state</p>");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html" }).end("<p>page</p>");
  };

  it("turns that request's 200 into 503 with Retry-After, and only that request's", async () => {
    const server = await front(HTTP_ORIGIN, { handle: page });
    const unavailable = await server.send({ path: "/unavailable", headers: host });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers["retry-after"]).toBe("7");
    expect(unavailable.text).toBe("<p>page</p>");

    const implicit = await server.send({ path: "/unavailable/implicit", headers: host });
    expect(implicit.status).toBe(503);
    expect(implicit.headers["retry-after"]).toBe("7");
    expect(implicit.headers["content-type"]).toBe("text/html");

    const next = await server.send({ path: "/events", headers: host });
    expect(next.status).toBe(200);
    expect(next.headers["retry-after"]).toBeUndefined();
  });

  it("turns that request's 500 into 503 too (a page that let the data layer's error escape)", async () => {
    const server = await front(HTTP_ORIGIN, { handle: page });
    const crashed = await server.send({ path: "/unavailable/crashed", headers: host });
    expect(crashed.status).toBe(503);
    expect(crashed.headers["retry-after"]).toBe("7");
    // Without an override a 500 stays a 500.
    expect((await server.send({ path: "/events/crashed", headers: host })).status).toBe(500);
  });

  it("answers a page's error state for a refusal with the refusal's 4xx, without Retry-After, over a 200 only", async () => {
    const server = await front(HTTP_ORIGIN, { handle: page });
    const refused = await server.send({ path: "/refused", headers: host });
    expect(refused.status).toBe(400);
    expect(refused.headers["retry-after"]).toBeUndefined();
    expect(refused.text).toBe("<p>page</p>");
    expect((await server.send({ path: "/refused/implicit", headers: host })).status).toBe(400);
    // a page that crashed after recording it stays a 500: the refusal did not cause the crash
    expect((await server.send({ path: "/refused/crashed", headers: host })).status).toBe(500);
    // a client-side navigation (RSC flight request) or server action keeps its 200: Next's router would reload the page otherwise
    expect((await server.send({ path: "/refused", headers: { ...host, rsc: "1" } })).status).toBe(200);
    expect((await server.send({ path: "/refused", headers: { ...host, "next-action": "abc" } })).status).toBe(200);
    // a 503 still applies to them
    expect((await server.send({ path: "/unavailable", headers: { ...host, rsc: "1" } })).status).toBe(503);
    expect((await server.send({ path: "/events", headers: host })).status).toBe(200);
  });

  it("leaves other statuses alone (a redirect or a 404 stays what it is)", async () => {
    const server = await front(HTTP_ORIGIN, { handle: page });
    const missing = await server.send({ path: "/unavailable/missing", headers: host });
    expect(missing.status).toBe(404);
    expect(missing.headers["retry-after"]).toBeUndefined();
    expect((await server.send({ path: "/events", headers: host })).status).toBe(200);
  });
});
