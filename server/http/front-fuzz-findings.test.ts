// What the fuzz stage (e2e/fuzz) found at the HTTP front, one test per class:
// methods no route answers (TRACE was a 500 from Next.js), API paths and
// methods no route takes (HTML 404s and empty 405s, unaudited), dot segments
// that Next.js resolved to another route, a repeated Origin header that
// passed the cross-site check and crashed Next.js's action handler (500),
// requests Node's parser refuses (bare status lines), and a kept-alive
// connection stalled by an early answer to a large body.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { answerClientError, createFront, refusalOf } from "./front";
import { TRUST_NO_PROXY } from "./front-headers";

const ORIGIN = "http://portal.test";
const request = (method: string, headers: http.IncomingHttpHeaders = {}) => ({ method, headers });

describe("the front refuses what no route takes", () => {
  it.each(["TRACE", "PROPFIND", "M-SEARCH", "PURGE"])("%s, anywhere", (method) => {
    expect(refusalOf(request(method), "/api/v1/me", ORIGIN)).toBe("method-not-allowed");
    expect(refusalOf(request(method), "/events", ORIGIN)).toBe("method-not-allowed");
  });

  it("API paths no route has, and methods the route does not answer", () => {
    expect(refusalOf(request("GET"), "/api/v1/nothing", ORIGIN)).toBe("not-found");
    expect(refusalOf(request("GET"), "/api/v1/events/x/y", ORIGIN)).toBe("not-found");
    expect(refusalOf(request("GET"), "/v2/nothing", ORIGIN)).toBe("not-found");
    expect(refusalOf(request("POST", { "content-type": "application/json" }), "/api/v1/me", ORIGIN)).toBe("method-not-allowed");
    expect(refusalOf(request("DELETE"), "/api/v1/events", ORIGIN)).toBe("method-not-allowed");
    expect(refusalOf(request("GET"), "/v2/track", ORIGIN)).toBe("method-not-allowed");
  });

  it("lets through what the routes answer, Auth.js's own routes, and trailing slashes (Next.js redirects those)", () => {
    expect(refusalOf(request("GET"), "/api/v1/me", ORIGIN)).toBeNull();
    expect(refusalOf(request("HEAD"), "/api/v1/events/00000000-0000-4000-8000-000000000000", ORIGIN)).toBeNull();
    expect(refusalOf(request("OPTIONS"), "/api/v1/me/purpose", ORIGIN)).toBeNull();
    expect(refusalOf(request("POST"), "/v2/track", ORIGIN)).toBeNull();
    expect(refusalOf(request("GET"), "/api/auth/session", ORIGIN)).toBeNull();
    expect(refusalOf(request("GET"), "/api/v1/me/", ORIGIN)).toBeNull();
  });

  it.each([".", "..", "%2e", "%2E%2e"])("an API path with the dot segment %s (Next.js would resolve it to another route)", (segment) => {
    expect(refusalOf(request("POST"), `/api/v1/events/${segment}/reveal`, ORIGIN)).toBe("malformed-path");
  });

  it("a repeated Origin or Sec-Fetch-Site header is not one same-origin value", () => {
    expect(refusalOf(request("POST", { origin: `${ORIGIN}, https://evil.example` }), "/admin/people", ORIGIN)).toBe("cross-site");
    expect(refusalOf(request("POST", { "sec-fetch-site": "same-origin, cross-site" }), "/admin/people", ORIGIN)).toBe("cross-site");
    expect(refusalOf(request("POST", { origin: ORIGIN, "sec-fetch-site": "same-origin" }), "/admin/people", ORIGIN)).toBeNull();
  });
});

/** A server behind the front whose handler is `handle`, on a random port. */
async function serve(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(createFront({ publicOrigin: ORIGIN, trust: TRUST_NO_PROXY, handle }));
  server.on("clientError", answerClientError);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Sends raw bytes and reads until the server closes the connection. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(bytes));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe("the portal's server", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it("answers what Node's parser refuses as JSON: oversized headers 431, a malformed request 400", async () => {
    const { port, close } = await serve((_req, res) => res.end("ok"));
    closers.push(close);
    const tooLarge = await rawExchange(port, `GET /api/v1/me HTTP/1.1\r\nHost: portal.test\r\nCookie: authjs.session-token=${"A".repeat(20_000)}\r\n\r\n`);
    expect(tooLarge).toMatch(/^HTTP\/1\.1 431 /);
    expect(tooLarge).toContain("Content-Type: application/json");
    expect(JSON.parse(tooLarge.slice(tooLarge.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: { code: "headers_too_large", message: expect.any(String) } });

    const malformed = await rawExchange(port, "get /api/v1/me HTTP/1.1\r\nHost: portal.test\r\n\r\n");
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(malformed.slice(malformed.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: { code: "bad_request" } });
  });

  it("closes a kept-alive connection it answered before reading the whole body, so the next request on it is not stalled", async () => {
    // The intake refuses a broken gzip body after its first bytes, as /v2/track does.
    const { port, close } = await serve((req, res) => {
      if (req.url === "/v2/track") {
        req.once("data", () => {
          req.pause();
          res.writeHead(400, { "Content-Type": "application/json" });
          res.end('{"error":{"message":"not gzip"}}');
        });
      } else res.end("ok");
    });
    closers.push(close);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: Buffer) =>
      new Promise<number>((resolve, reject) => {
        const outgoing = http.request({ host: "127.0.0.1", port, method, path, agent, headers: { Host: "portal.test" } }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        });
        outgoing.setTimeout(5_000, () => outgoing.destroy(new Error("stalled")));
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    try {
      expect(await send("POST", "/v2/track", Buffer.alloc(2_000_000, "["))).toBe(400);
      expect(await send("GET", "/healthz")).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
