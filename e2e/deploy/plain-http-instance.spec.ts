// One instance whose public URL is a plain-http IP address,
// PORTAL_URL=http://127.0.0.1:<port> (the "works only at localhost"),
// on a fresh PostgreSQL database, with its own demo identity provider.
//   1. Sign-in works there, through the real OpenID Connect flow, and the
//      same instance opened as localhost says which URL to use.
//   2. SIGTERM under load: twenty clients read events as fast as they can on
//      kept-alive connections; the instance gets SIGTERM mid-run. Every
//      response that carried data has its committed audit row (X-Request-Id =
//      audit_event.request_id), nothing answers 500, the process exits
//      within SHUTDOWN_GRACE_SECONDS plus a margin, and while it drains a
//      /readyz that arrives answers 503 (on a connection opened before the
//      signal: the listener itself is closed by then).
import http from "node:http";
import net from "node:net";
import { PERSONAS, declarePurpose, expect, sessionTokenOf, signIn, test } from "../fixtures";
import { createDeployDatabase, freePort, sharedSecrets, startInstance, type DeployDatabase, type PortalInstance } from "./harness";

const GRACE_SECONDS = 5;
/** start-up to exit: closing Next.js and the database pool after the drain */
const EXIT_MARGIN_MS = 5_000;
const CLIENTS = 20;
const viewer = PERSONAS.viewerCopilot;

let database: DeployDatabase;
let instance: PortalInstance;
let portalUrl: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  database = await createDeployDatabase();
  const port = await freePort();
  portalUrl = `http://127.0.0.1:${port}`;
  instance = await startInstance({
    name: "plain",
    publicUrl: portalUrl,
    port,
    databaseUrl: database.url,
    secrets: sharedSecrets(),
    idpPort: await freePort(),
    demoIdp: "on",
    seed: true,
    env: { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) },
  });
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await instance?.stop();
  await database?.drop();
});

test("signs in at http://127.0.0.1:<port> when that is PORTAL_URL; localhost gets the page naming it", async ({ browser, auditTag }) => {
  const context = await browser.newContext({ baseURL: portalUrl, userAgent: auditTag });
  try {
    const page = await context.newPage();
    await signIn(page, viewer.email);
    await expect(page).toHaveURL(`${portalUrl}/`);
    await expect(page.getByRole("heading", { name: `Welcome, ${viewer.name}` })).toBeVisible();
    // plain http: the plain cookie names, not Secure (a browser would drop a Secure cookie set over http)
    const session = (await context.cookies(portalUrl)).find((cookie) => cookie.name === "authjs.session-token");
    expect(session).toMatchObject({ secure: false, httpOnly: true, domain: "127.0.0.1" });
    const [signInRow] = await database.sql<{ outcome: string; actor_ip: string }>(
      `SELECT outcome::text AS outcome, actor_ip FROM audit_event WHERE actor_user_agent = $1 AND action = 'auth.sign_in'`,
      [auditTag],
    );
    expect(signInRow).toEqual({ outcome: "allowed", actor_ip: "127.0.0.1" });

    const other = `http://localhost:${instance.port}`;
    const response = await page.goto(`${other}/signin`);
    expect(response!.status()).toBe(421);
    await expect(page.getByText(`This Telemetry Portal is served at ${portalUrl}, not at ${other}.`)).toBeVisible();
    await expect(page.getByRole("link", { name: `${portalUrl}/signin` })).toBeVisible();
  } finally {
    await context.close();
  }
});

type Outcome = { path: string; startedAt: number; endedAt: number; status?: number; requestId?: string; items?: number; error?: string };

function get(agent: http.Agent, path: string, headers: Record<string, string>): Promise<Outcome> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const request = http.get({ host: "127.0.0.1", port: instance.port, path, agent, headers, timeout: 30_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("error", (error) => resolve({ path, startedAt, endedAt: Date.now(), status: response.statusCode, error: error.message }));
      response.on("end", () => {
        const outcome: Outcome = { path, startedAt, endedAt: Date.now(), status: response.statusCode, requestId: response.headers["x-request-id"] as string | undefined };
        if (!response.complete) outcome.error = "response cut short";
        try {
          const parsed = JSON.parse(body) as { items?: unknown[] };
          if (Array.isArray(parsed.items)) outcome.items = parsed.items.length;
        } catch {
          if (response.statusCode === 200) outcome.error = "not JSON";
        }
        resolve(outcome);
      });
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", (error: NodeJS.ErrnoException) => resolve({ path, startedAt, endedAt: Date.now(), error: error.code ?? error.message }));
  });
}

test("SIGTERM under load: every response with data has its committed audit row, no 500s, exit within the grace period", async ({ browser, auditTag }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ baseURL: portalUrl, userAgent: auditTag });
  const page = await context.newPage();
  await signIn(page, viewer.email);
  await expect(page.getByRole("heading", { name: `Welcome, ${viewer.name}` })).toBeVisible();
  await declarePurpose(page.request);
  const token = await sessionTokenOf(context);
  expect(token).toBeTruthy();
  await context.close();

  const headers = { Cookie: `authjs.session-token=${token}`, "User-Agent": auditTag, Accept: "application/json" };
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const outcomes: Outcome[] = [];

  async function client(): Promise<void> {
    // Each client reads until the instance is gone.
    for (;;) {
      const outcome = await get(agent, "/api/v1/events?limit=50", headers);
      outcomes.push(outcome);
      if (outcome.error && !outcome.status) return;
    }
  }
  const clients = Array.from({ length: CLIENTS }, () => client());
  await expect.poll(() => outcomes.filter((outcome) => outcome.status === 200).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3 * CLIENTS);
  // Two connections opened before the signal: a request whose body is still on its way (the
  // drain must wait for it), and a /readyz whose request line has arrived but not its end.
  const body = JSON.stringify({ purpose: "improve_product" });
  const held = rawConnection(
    `PUT /api/v1/me/purpose HTTP/1.1\r\nHost: 127.0.0.1:${instance.port}\r\nCookie: ${headers.Cookie}\r\nUser-Agent: ${auditTag}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
  );
  const probe = rawConnection(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${instance.port}\r\n`);
  await Promise.all([held.ready, probe.ready]);
  await new Promise((resolve) => setTimeout(resolve, 300));

  const sigtermAt = Date.now();
  instance.child.kill("SIGTERM");
  await expect.poll(() => instance.output.some((line) => line.includes("Stopping: no new connections"))).toBe(true);
  probe.send("\r\n");
  const readiness = parseHttp(await probe.response);
  held.send(body.slice(10));
  const purposeSet = parseHttp(await held.response);
  const exit = await instance.exited;
  await Promise.all(clients);
  agent.destroy();

  // While draining, /readyz says this instance takes no new work; the request still on its way was answered in full.
  expect(readiness.status).toBe(503);
  expect(JSON.parse(readiness.body)).toMatchObject({ status: "not-ready", checks: { instance: "failed" } });
  expect(readiness.headers.connection).toBe("close");
  expect(purposeSet.status, purposeSet.body).toBe(200);

  // bounded: drained and closed within the grace period (plus closing Next.js and the pool), and cleanly
  expect(exit.at - sigtermAt).toBeLessThan(GRACE_SECONDS * 1000 + EXIT_MARGIN_MS);
  expect(exit, instance.output.slice(-20).join("\n")).toMatchObject({ code: 0, signal: null });

  // Every answer was a 200 carrying data (no 500, no 503, never half a body); the rest found the
  // listener closed and got no answer at all.
  expect(outcomes.filter((outcome) => outcome.status !== undefined && outcome.status !== 200)).toEqual([]);
  expect(outcomes.filter((outcome) => outcome.status === 200 && (outcome.error || outcome.items === undefined))).toEqual([]);
  const withData = outcomes.filter((outcome) => outcome.status === 200);
  // in flight when the signal came, and still answered in full: the drain let them finish
  const inFlightAtSigterm = withData.filter((outcome) => outcome.startedAt < sigtermAt && outcome.endedAt > sigtermAt);
  expect(inFlightAtSigterm.length).toBeGreaterThan(0);

  const rows = await database.sql<{ request_id: string; action: string; outcome: string }>(
    `SELECT request_id, action, outcome::text AS outcome FROM audit_event WHERE actor_user_agent = $1 AND action = 'events.list'`,
    [auditTag],
  );
  const audited = new Map(rows.map((row) => [row.request_id, row]));
  const missing = withData.filter((outcome) => audited.get(outcome.requestId!)?.outcome !== "allowed");
  expect(missing, `${missing.length} of ${withData.length} responses with data have no committed audit row`).toEqual([]);

  const [purposeRow] = await database.sql<{ action: string; outcome: string }>(`SELECT action, outcome::text AS outcome FROM audit_event WHERE request_id = $1`, [
    purposeSet.headers["x-request-id"],
  ]);
  expect(purposeRow).toEqual({ action: "session.purpose_set", outcome: "allowed" });

  test.info().annotations.push({
    type: "drain",
    description: `${withData.length} responses with data (${inFlightAtSigterm.length} in flight at SIGTERM), exit ${exit.at - sigtermAt} ms after SIGTERM`,
  });
});

/** A TCP connection to the instance that sends exactly what the test says, when it says. */
function rawConnection(first: string): { ready: Promise<void>; send(text: string): void; response: Promise<string> } {
  const socket = net.connect({ host: "127.0.0.1", port: instance.port });
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (received += chunk));
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => socket.write(first, () => resolve()));
    socket.once("error", reject);
  });
  const response = new Promise<string>((resolve) => {
    socket.on("close", () => resolve(received));
    socket.on("error", () => resolve(received));
  });
  return { ready, send: (text) => socket.write(text), response };
}

function parseHttp(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = "", ...rest] = raw.split("\r\n\r\n");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = rest.join("\r\n\r\n");
  if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
  return { status: Number(statusLine.split(" ")[1] ?? 0), headers, body };
}

function dechunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const newline = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, newline), 16);
    if (!(size > 0)) return out;
    out += rest.slice(newline + 2, newline + 2 + size);
    rest = rest.slice(newline + 2 + size + 2);
  }
}
