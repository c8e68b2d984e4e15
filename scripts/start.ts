// `npm start` (and `npm run dev` with --dev): checks the configuration, builds
// if needed, applies pending migrations, seeds an empty demo database, starts
// the demo identity provider when no external one is configured, then serves
// the portal through its own HTTP front, which stamps every request with a
// request id and the client address for the audit trail.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import next from "next";
import { ConfigError, parseEnv } from "../server/config/env";
import { ensureLocalSecrets } from "../server/config/local-secrets";
import { DEMO_CLIENT_ID, DEMO_PROVIDER_ID, demoClientSecret, demoIssuer } from "../server/auth/demo-client";
import { CLIENT_IP_HEADER_NAME, REQUEST_ID_HEADER_NAME, clientAddress } from "../server/http/front-headers";
import { migrateDatabase } from "../server/db/migrate";
import { describeUnsafeRuntimeRole } from "../server/db/check-runtime-role";
import { seedDatabase } from "../server/seed/seed-database";

const root = path.resolve(import.meta.dirname, "..");
const isDev = process.argv.includes("--dev");

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** Build when there is no build yet or a source file is newer than it. */
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

async function main(): Promise<void> {
  ensureLocalSecrets();
  let env;
  try {
    env = parseEnv();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const port = Number(new URL(env.PORTAL_URL).port || 80);

  if (!isDev && process.env.SKIP_BUILD !== "true") buildIfStale();
  await migrateDatabase();
  // Production never runs as a role that could rewrite audit rows (npm run db:roles).
  const roleRefusal = env.isProduction ? await describeUnsafeRuntimeRole(env.DATABASE_URL) : null;
  if (roleRefusal) fail(roleRefusal);
  if (!env.isProduction && (!env.DATABASE_URL || process.env.SEED_IF_EMPTY === "true")) {
    await seedDatabase({ ifEmpty: true, events: Number(process.env.SEED_EVENTS ?? 20_000) });
  }

  let idpClose: (() => Promise<void>) | undefined;
  if (env.isDemoIdentityProvider && !env.isProduction && env.AUTH_SECRET) {
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
          redirect_uris: [`${env.PORTAL_URL}/api/auth/callback/${DEMO_PROVIDER_ID}`],
          post_logout_redirect_uris: [`${env.PORTAL_URL}/signin`],
        },
      ],
    });
    idpClose = () => idp.close();
    console.log(`Demo identity provider (not for production) at ${idp.issuer}`);
  }

  const app = next({ dev: isDev, dir: root, hostname: "localhost", port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const trustedHeader = process.env.TRUSTED_PROXY_HEADER?.toLowerCase() || null;

  const server = http.createServer((req, res) => {
    // Never let a client supply what the portal's front asserts.
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith("x-portal-") || name === "x-middleware-subrequest") delete req.headers[name];
    }
    req.headers[REQUEST_ID_HEADER_NAME] = randomUUID();
    const address = clientAddress(req.socket.remoteAddress, trustedHeader ? req.headers[trustedHeader] : undefined);
    if (address) req.headers[CLIENT_IP_HEADER_NAME] = address;
    void handle(req, res);
  });
  // HOST=127.0.0.1 keeps the portal off the network; unset listens on every interface, like `next start`.
  const host = process.env.HOST || undefined;
  server.listen(port, host, () => console.log(`Telemetry Portal ready at ${env.PORTAL_URL} (${env.DATABASE_URL ? "PostgreSQL" : "embedded database"})`));

  const shutdown = () => {
    server.close();
    void Promise.allSettled([idpClose?.(), app.close()]).then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => fail(error instanceof Error ? `Start-up failed: ${error.message}` : "Start-up failed."));
