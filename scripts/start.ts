// `npm start` (and `npm run dev` with --dev): checks the Node version and the
// configuration, builds if needed (development only: production never builds,
// `npm run build` does), applies pending migrations, seeds an empty demo
// database, starts the demo identity provider when no external one is
// configured, starts the job runner, then serves the portal through its HTTP
// front (server/http/front.ts) on PORT/HOST, for the public URL PORTAL_URL.
//
// SIGTERM/SIGINT drain: /readyz turns 503, the listener closes, in-flight
// requests finish (their audit rows commit or their data is not sent) for up to
// SHUTDOWN_GRACE_SECONDS, then the job runner, Next.js and the database close.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import next from "next";
import { ConfigError, parseEnv, type PortalEnv } from "../server/config/env";
import { ensureLocalSecrets } from "../server/config/local-secrets";
import { DEMO_CLIENT_ID, DEMO_PROVIDER_ID, demoClientSecret, demoIssuer } from "../server/auth/demo-client";
import { answerClientError, createFront } from "../server/http/front";
import { proxyTrust } from "../server/http/front-headers";
import { migrateDatabase } from "../server/db/migrate";
import { describeUnsafeRuntimeRole } from "../server/db/check-runtime-role";
import { closeSharedDatabase, getSharedDatabase } from "../server/db/shared";
import { startJobRunner, stopJobRunner } from "../server/jobs/job-runner";
import { getLogger, routeConsoleToLogger } from "../server/observability/logger";
import { getMetrics, routeLabel } from "../server/observability/metrics";
import { setDraining } from "../server/observability/lifecycle";
import { seedDatabase } from "../server/seed/seed-database";

const root = path.resolve(import.meta.dirname, "..");
const isDev = process.argv.includes("--dev");
const MIN_NODE = [20, 19] as const;

function fail(message: string): never {
  // One sentence on stderr, never a stack trace.
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function checkNodeVersion(): void {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    fail(`The Telemetry Portal needs Node.js ${MIN_NODE.join(".")} or newer (package.json "engines"); this is ${process.versions.node}.`);
  }
}

/** Development: build when there is no build yet or a source file is newer than it. */
function buildIfStale(): void {
  const buildId = path.join(root, ".next", "BUILD_ID");
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  const newest = (dir: string): number => {
    if (!fs.existsSync(dir)) return 0;
    let latest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "generated" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
    }
    return latest;
  };
  const sources = ["app", "components", "lib", "server"].map((dir) => newest(path.join(root, dir)));
  if (builtAt > Math.max(...sources)) return;
  console.log("Building the portal (next build)…");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, stdio: "inherit", env: process.env });
  if (result.status !== 0) fail("The build failed; see the output above.");
}

function requireBuild(): void {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    fail("There is no production build: run `npm run build` before `npm start` (with PORTAL_ENV=production the portal never builds on start).");
  }
}

async function startDemoIdentityProvider(env: PortalEnv): Promise<(() => Promise<void>) | undefined> {
  // DEMO_IDP=off: several instances on one host share the one another instance serves.
  if (!env.isDemoIdentityProvider || env.isProduction || !env.AUTH_SECRET || env.DEMO_IDP === "off") return undefined;
  // Loaded only when used: production never imports the demo provider.
  const { startDemoIdp } = await import("../server/idp/provider");
  const idp = await startDemoIdp({
    issuer: demoIssuer(env.DEMO_IDP_PORT),
    port: env.DEMO_IDP_PORT,
    host: "127.0.0.1",
    dataDir: path.resolve(env.DATA_DIR),
    clients: [
      {
        client_id: DEMO_CLIENT_ID,
        client_secret: demoClientSecret(env.AUTH_SECRET),
        // Registered from the one public URL, as an operator registers the portal at a real IdP.
        redirect_uris: [`${env.PORTAL_URL}/api/auth/callback/${DEMO_PROVIDER_ID}`],
        post_logout_redirect_uris: [`${env.PORTAL_URL}/signin`],
      },
    ],
  });
  console.log(`Demo identity provider (not for production) at ${idp.issuer}`);
  return () => idp.close();
}

async function main(): Promise<void> {
  checkNodeVersion();
  ensureLocalSecrets();
  let env: PortalEnv;
  try {
    env = parseEnv();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = getLogger();
  logger.level = env.LOG_LEVEL;
  if (!isDev) routeConsoleToLogger();
  // Auth.js builds every absolute URL (callbacks, redirects) from this, not from the request.
  process.env.AUTH_URL = `${env.PORTAL_URL}/api/auth`;
  // Next.js's anonymous usage telemetry stays off.
  process.env.NEXT_TELEMETRY_DISABLED = "1";

  if (!env.isProduction && !isDev && !env.SKIP_BUILD) buildIfStale();

  await migrateDatabase();
  // Production never runs as a role that could rewrite audit rows (npm run db:roles).
  const roleRefusal = env.isProduction ? await describeUnsafeRuntimeRole(env.DATABASE_URL) : null;
  if (roleRefusal) fail(roleRefusal);
  if (!env.isProduction && (!env.DATABASE_URL || env.SEED_IF_EMPTY)) {
    await seedDatabase({ ifEmpty: true, events: env.SEED_EVENTS });
  }
  // Production never builds; checked once the database is known to be fit to serve.
  if (env.isProduction) requireBuild();
  const database = await getSharedDatabase();
  // Background work runs on the job queue in the database, once across all instances.
  await startJobRunner({ database, databaseUrl: env.DATABASE_URL });
  const closeIdp = await startDemoIdentityProvider(env);

  const publicUrl = new URL(env.PORTAL_URL);
  const app = next({ dev: isDev, dir: root, hostname: publicUrl.hostname, port: Number(publicUrl.port || (publicUrl.protocol === "https:" ? 443 : 80)) });
  await app.prepare();
  const handle = app.getRequestHandler();
  const metrics = getMetrics();
  const front = createFront({ publicOrigin: env.PORTAL_URL, trust: proxyTrust(env.TRUSTED_PROXIES), handle: (req, res) => handle(req, res) });

  let inFlight = 0;
  let drained: (() => void) | undefined;
  let stopping = false;
  /** responses not yet finished, so a drain can tell their kept-alive connections to close */
  const unfinished = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    inFlight += 1;
    unfinished.add(res);
    // Draining: a kept-alive connection's next request is still answered, then the connection
    // closes; otherwise a busy client would keep the instance from ever draining.
    if (stopping) res.setHeader("Connection", "close");
    // (one whose headers left before the signal stays kept-alive: close it once it is idle)
    res.on("finish", () => {
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    res.on("close", () => {
      inFlight -= 1;
      unfinished.delete(res);
      const labels = { route: routeLabel(req.url ?? "/"), method: req.method ?? "?", status: String(res.statusCode) };
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      // The access log: route pattern, never the path or query (they can carry ids and filters).
      logger.info({ requestId: res.getHeader("X-Request-Id"), method: labels.method, route: labels.route, status: res.statusCode, ms: Math.round(seconds * 1000) }, "request");
      if (inFlight === 0) drained?.();
    });
    front(req, res);
  });
  // What Node's HTTP parser refuses (oversized headers, a malformed request line) is answered as JSON too.
  server.on("clientError", answerClientError);
  // Keep-alive longer than a typical proxy's, so the proxy closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") fail(`Port ${env.listenPort} is already in use${env.HOST ? ` on ${env.HOST}` : ""}: stop what holds it, or set PORT.`);
    if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") fail(`HOST ${env.HOST ?? ""} is not an address of this machine: set HOST to one of its addresses, or unset it.`);
    if (error.code === "EACCES") fail(`Listening on port ${env.listenPort} needs privileges this process lacks: use a port above 1023 behind the proxy.`);
    fail(`The portal could not listen on port ${env.listenPort}: ${error.message}.`);
  });
  server.listen(env.listenPort, env.HOST, () =>
    logger.info(
      { publicUrl: env.PORTAL_URL, port: env.listenPort, host: env.HOST ?? "*", database: database.kind },
      `Telemetry Portal ready at ${env.PORTAL_URL} (listening on ${env.HOST ?? "*"}:${env.listenPort}, ${database.kind === "postgresql" ? "PostgreSQL" : "embedded database"})`,
    ),
  );

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = env.SHUTDOWN_GRACE_SECONDS * 1000;
    // Whatever hangs while closing, the process is gone in bounded time.
    setTimeout(() => {
      logger.error("Stopping took longer than the grace period plus 10 s: exiting now");
      logger.flush();
      process.exit(1);
    }, graceMs + 10_000).unref();
    logger.info({ signal, inFlight, graceSeconds: env.SHUTDOWN_GRACE_SECONDS }, "Stopping: no new connections; letting in-flight requests finish");
    setDraining(true);
    // No new jobs; a running one finishes meanwhile (or is failed, and retried by another instance).
    const jobsStopped = stopJobRunner({ timeoutMs: graceMs }).catch((error: unknown) => logger.error({ err: error }, "Stopping the job runner failed"));
    server.close();
    server.closeIdleConnections();
    for (const res of unfinished) if (!res.headersSent) res.setHeader("Connection", "close");
    const finished = inFlight === 0 ? Promise.resolve(true) : new Promise<boolean>((resolve) => (drained = () => resolve(true)));
    const inTime = await Promise.race([finished, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref())]);
    if (!inTime) {
      logger.warn({ inFlight }, "Grace period over: closing the remaining connections (their data was not sent)");
      server.closeAllConnections();
    }
    await Promise.allSettled([closeIdp?.(), app.close(), jobsStopped]);
    await closeSharedDatabase().catch((error: unknown) => logger.error({ err: error }, "Closing the database failed"));
    logger.info("Stopped");
    logger.flush();
    process.exit(inTime ? 0 : 1);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => fail(error instanceof Error ? `Start-up failed: ${error.message}` : "Start-up failed."));
