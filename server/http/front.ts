// The portal's HTTP front: every request passes here before Next.js sees it.
// It asserts what route code cannot learn for itself and refuses, at the
// root, whole classes of bad requests:
//   - a request id (X-Request-Id on every response; x-portal-request-id for
//     the audit row) and the client address, from the socket or — only from a
//     trusted proxy (TRUSTED_PROXIES) — from X-Forwarded-For;
//   - the public origin: a request for any origin other than PORTAL_URL gets a
//     page naming the right URL (never a half-working sign-in); Next.js and
//     Auth.js then see PORTAL_URL's host and scheme, whatever the proxy chain;
//   - client-sent copies of the headers the front asserts, and Next.js's
//     internal headers, are discarded;
//   - malformed percent-encoding in the path, methods no route answers (and
//     that Next.js cannot even represent, such as TRACE), API paths and
//     methods no /api/v1 route takes (lib/http/api-routes.ts), and cross-site
//     or non-JSON state-changing requests, are refused as JSON; Next.js writes
//     their audit row (app/portal-front/refusal) for whoever a session cookie
//     names;
//   - HSTS under an https public URL, and pages whose data layer found the
//     audit trail or database unavailable answer 503 (./status-override.ts);
//   - an answer sent before the request's body was read in full closes the
//     connection, so the unread rest cannot stall the next request on it.
//
// No "server-only": scripts/start.ts imports it.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { Duplex } from "node:stream";
import { REFUSAL_HEADER_NAME, REFUSED_METHOD_HEADER_NAME, REFUSED_PATH_HEADER_NAME, REQUEST_ID_HEADER_NAME, CLIENT_IP_HEADER_NAME, PEER_TRUSTED_HEADER_NAME, RESPONSE_REQUEST_ID_HEADER, clientAddress, isLoopback, normalizeAddress, type ProxyTrust } from "./front-headers";
import { matchApiRoute } from "@/lib/http/api-routes";
import { withRequestScope } from "@/server/observability/logger";
import { takeStatusOverride } from "./status-override";

export type FrontOptions = {
  /** PORTAL_URL, an origin such as https://telemetry.example.com */
  publicOrigin: string;
  trust: ProxyTrust;
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;
};

/** What the front refused, for the audit row Next.js writes (app/portal-front/refusal/route.ts). */
export type FrontRefusal = "malformed-path" | "method-not-allowed" | "not-found" | "cross-site" | "content-type";

/** Paths any host may reach: probes, metrics, producers and witness submitters (authenticated by key or token, no cookies). */
const ANY_ORIGIN_PATHS = new Set(["/healthz", "/readyz", "/metrics", "/v2/track", "/api/v1/telemetry", "/api/v1/witness/add-checkpoint"]);
/** State-changing paths that are not cookie-authenticated, or that guard themselves (Auth.js's CSRF token; the IdP's form_post callback). */
// The bearer-token APIs (intake, witness, SCIM) carry no ambient credential a cross-site page could use; the
// SCIM routes check their own media type (application/scim+json or application/json, server/scim/scim-http.ts).
const NO_CSRF_CHECK = [/^\/v2\/track$/, /^\/api\/v1\/telemetry$/, /^\/api\/v1\/witness\/add-checkpoint$/, /^\/api\/auth\//, /^\/scim\/v2\//];
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** The methods any route answers; others (TRACE, PROPFIND, …) are refused before Next.js, which cannot represent some of them. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** Next.js internals a client must never set. */
const INTERNAL_HEADER = /^(x-portal-|x-middleware-|x-invoke-)/;
/** Headers a proxy adds to say whom it relays. */
const RELAY_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"];

export function createFront(options: FrontOptions): http.RequestListener {
  const publicUrl = new URL(options.publicOrigin);
  const isHttps = publicUrl.protocol === "https:";

  return (req, res) => {
    const requestId = randomUUID();
    res.setHeader(RESPONSE_REQUEST_ID_HEADER, requestId);
    if (isHttps) res.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");

    for (const name of Object.keys(req.headers)) {
      if (INTERNAL_HEADER.test(name)) delete req.headers[name];
    }
    req.headers[REQUEST_ID_HEADER_NAME] = requestId;

    const peer = req.socket.remoteAddress ? normalizeAddress(req.socket.remoteAddress) : undefined;
    const viaTrustedProxy = peer !== undefined && options.trust.isTrusted(peer);
    const address = clientAddress(peer, req.headers["x-forwarded-for"], options.trust);
    if (address) req.headers[CLIENT_IP_HEADER_NAME] = address;
    // The metrics scrape rule trusts the *client*: a trusted proxy or loopback asking for itself, never
    // an internet client that a proxy relays (a proxy on loopback that is not in TRUSTED_PROXIES included).
    const isRelayed = RELAY_HEADERS.some((name) => req.headers[name] !== undefined);
    const isTrustedClient = viaTrustedProxy
      ? address !== null && (isLoopback(address) || options.trust.isTrusted(address))
      : peer !== undefined && isLoopback(peer) && !isRelayed;
    if (isTrustedClient) req.headers[PEER_TRUSTED_HEADER_NAME] = "1";

    const proto = viaTrustedProxy ? firstValue(req.headers["x-forwarded-proto"]) : undefined;
    const host = (viaTrustedProxy ? firstValue(req.headers["x-forwarded-host"]) : undefined) ?? req.headers.host;
    const origin = originOf(proto ?? ("encrypted" in req.socket && req.socket.encrypted ? "https" : "http"), host);
    // From here on every layer sees the public origin and nothing a client forged.
    for (const name of [...RELAY_HEADERS, "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"]) delete req.headers[name];

    const rawPath = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (ANY_ORIGIN_PATHS.has(rawPath) && origin !== options.publicOrigin) {
      // Probes and producers may use an internal name; Next.js still sees the public one.
      req.headers.host = publicUrl.host;
    } else if (origin !== options.publicOrigin) {
      wrongOrigin(req, res, options.publicOrigin, origin);
      return;
    } else {
      req.headers.host = publicUrl.host;
    }
    req.headers["x-forwarded-proto"] = publicUrl.protocol.slice(0, -1);
    req.headers["x-forwarded-host"] = publicUrl.host;

    const refusal = refusalOf(req, rawPath, options.publicOrigin);
    if (refusal) {
      // Next.js answers it (JSON, with an audit row when a session names a person).
      req.headers[REFUSAL_HEADER_NAME] = refusal;
      req.headers[REFUSED_METHOD_HEADER_NAME] = req.method ?? "?";
      req.headers[REFUSED_PATH_HEADER_NAME] = headerSafe(rawPath.slice(0, 512));
      req.url = "/portal-front/refusal";
      req.method = "GET";
    }

    // A request whose data layer found the audit trail or the database unavailable answers 503,
    // not 200 (a page's error state) nor 500 (a page that let the data layer's error escape);
    // a page showing a refusal as its error state answers with the refusal's 4xx, not 200.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
    res.writeHead = ((statusCode: number, ...rest: unknown[]) => {
      // An answer given before the request's body arrived in full (a refusal of a large or broken
      // body) closes the connection: on a kept-alive one, the unread rest would stall the next request.
      if (!req.complete && !res.headersSent) res.setHeader("Connection", "close");
      const override = takeStatusOverride(requestId);
      // 5xx over a 200 or a 500; a page's own 4xx error state over a 200 only (a crash stays a 500), and only
      // for a document: Next's router answers a flight request (RSC, server action) that is not ok with a
      // full page load, which would render (and audit) the refusal a second time.
      const flight = req.headers.rsc !== undefined || req.headers["next-action"] !== undefined;
      const applies = override !== undefined && (override.status >= 500 ? statusCode === 200 || statusCode === 500 : statusCode === 200 && !flight);
      if (applies) {
        if (override.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(override.retryAfterSeconds));
        return writeHead(override.status, ...rest);
      }
      return writeHead(statusCode, ...rest);
    }) as typeof res.writeHead;
    res.on("close", () => takeStatusOverride(requestId));

    // async: a handler that throws synchronously is answered like one that rejects, not an uncaught exception.
    void withRequestScope(requestId, async () => options.handle(req, res)).catch((error: unknown) => {
      console.error(`Unhandled error serving ${req.method} ${rawPath} (request ${requestId})`, error);
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json", "Cache-Control": "private, no-store" });
        res.end(JSON.stringify({ error: { code: "internal", message: `Something went wrong on our side (request ${requestId}).` } }));
      } else res.destroy();
    });
  };
}

/**
 * The answer to a request Node's HTTP parser refused before it became a
 * request (server "clientError": headers over the size limit, a malformed
 * request line or header): JSON like every other refusal, instead of Node's
 * bare status line. No route ran and no session could be read, so there is no
 * audit row and no request id.
 */
export function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  // Node's own choice of status for each parser error, with a body that says it.
  const [status, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "headers_too_large", "The request line and headers are too large (a URL, cookie or header too long); nothing was read."]
      : error.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW"
        ? [413, "payload_too_large", "The request's chunk extensions are too large; nothing was read."]
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "request_timeout", "The request took too long to arrive; nothing was read."]
          : [400, "bad_request", "The request could not be parsed as HTTP (a malformed request line, method or header); nothing was read."];
  const body = JSON.stringify({ error: { code, message, issues: [] } });
  // An answer to HEAD has no body, or the client would read it as the next response.
  const isHead = error.rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: private, no-store\r\nConnection: close\r\n\r\n${isHead ? "" : body}`,
  );
}

/** Printable ASCII only (a header value must not carry control or raw non-ASCII characters). */
function headerSafe(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, (char) => `%${(char.charCodeAt(0) & 0xff).toString(16).toUpperCase().padStart(2, "0")}`);
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(",", 1)[0]?.trim() || undefined;
}

function originOf(proto: string, host: string | undefined): string | null {
  if (!host || !/^(https?)$/.test(proto)) return null;
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * A path the front cannot judge the way the router will read it: percent-encoding
 * that does not decode, or decodes to a control character, in any segment; and
 * backslashes or dot segments ("..", "%2e%2e"), which Next.js resolves (WHATWG
 * URL rules) to another path than the one the origin and CSRF checks saw.
 */
export function isMalformedPath(path: string): boolean {
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return true;
  for (const segment of path.split("/")) {
    try {
      const decoded = decodeURIComponent(segment);
      if (/[\u0000-\u001f\u007f]/.test(decoded) || decoded === "." || decoded === "..") return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** Paths whose routes are all listed in lib/http/api-routes.ts (Auth.js's own routes are not). */
function isApiPath(path: string): boolean {
  return (path.startsWith("/api/") && !path.startsWith("/api/auth/")) || path.startsWith("/v2/") || path.startsWith("/scim/");
}

/** "." or "..", literally or percent-encoded. */
function isDotSegment(segment: string): boolean {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // isMalformedPath has refused it already
  }
  return decoded === "." || decoded === "..";
}

/** Why this request must not reach a route, or null. */
export function refusalOf(req: Pick<http.IncomingMessage, "method" | "headers">, path: string, publicOrigin: string): FrontRefusal | null {
  if (isMalformedPath(path)) return "malformed-path";
  const method = req.method ?? "GET";
  if (!KNOWN_METHODS.has(method)) return "method-not-allowed";
  const isApi = isApiPath(path);
  const segments = path.slice(1).split("/");
  // Next.js would resolve "." and ".." (however encoded) to another route: refused, never resolved.
  if (isApi && segments.some((segment) => isDotSegment(segment))) return "malformed-path";
  // A cross-site request that would change something is refused as such, whatever its path.
  if (STATE_CHANGING.has(method) && !NO_CSRF_CHECK.some((pattern) => pattern.test(path))) {
    // Browsers send both on every cross-site POST; a request with neither comes from no browser, so carries no ambient cookie risk.
    // Each is taken whole: a repeated header (Node joins the copies with ", ") is not one same-origin value.
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") return "cross-site";
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== publicOrigin) return "cross-site";
  }
  // The JSON API and the intake answer only their own routes and methods (lib/http/api-routes.ts).
  // A trailing slash or an empty segment is left to Next.js's redirect.
  if (isApi && !segments.includes("")) {
    const route = matchApiRoute(path);
    if (!route) return "not-found";
    if (!route.allowed.includes(method)) return "method-not-allowed";
  }
  if (!STATE_CHANGING.has(method) || NO_CSRF_CHECK.some((pattern) => pattern.test(path))) return null;
  if (path.startsWith("/api/")) {
    const type = firstValue(req.headers["content-type"])?.split(";", 1)[0]?.trim().toLowerCase();
    const hasBody = req.headers["content-length"] !== undefined ? req.headers["content-length"] !== "0" : req.headers["transfer-encoding"] !== undefined;
    if (hasBody && type !== "application/json") return "content-type";
  }
  return null;
}

function wrongOrigin(req: http.IncomingMessage, res: http.ServerResponse, publicOrigin: string, origin: string | null): void {
  // Appended to the origin, never resolved against it: "//evil.example/" stays a path of the portal.
  const path = req.url?.startsWith("/") ? req.url : "/";
  const target = new URL(`${publicOrigin}${path}`).toString();
  const headers = { "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff" };
  const message = `This Telemetry Portal is served at ${publicOrigin}${origin ? `, not at ${origin}` : ""}. Open it at its public address; signing in anywhere else cannot work.`;
  if ((req.url ?? "").startsWith("/api/")) {
    res.writeHead(421, { ...headers, "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: { code: "wrong_origin", message, url: target } }));
    return;
  }
  res.writeHead(421, { ...headers, "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'" });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Use the portal's address</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:10vh auto;padding:0 1rem;color:#1f2328}h1{font-size:1.6rem;line-height:1.25}a{color:#0969da}code{background:#f6f8fa;padding:.1em .3em;border-radius:4px}</style></head>
<body><main><h1>Open the Telemetry Portal at its address</h1><p>${escapeHtml(message)}</p><p><a href="${escapeHtml(target)}">${escapeHtml(target)}</a></p>
<p>Operators: the public address is <code>PORTAL_URL</code>; a reverse proxy must be listed in <code>TRUSTED_PROXIES</code> for its <code>X-Forwarded-Host</code> and <code>X-Forwarded-Proto</code> to count.</p></main></body></html>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
