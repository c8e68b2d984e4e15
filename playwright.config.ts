import { randomInt, randomUUID } from "node:crypto";
import { defineConfig } from "@playwright/test";

// Browser tests run Debian's Chromium (Playwright's own download cannot work
// offline) against the production build served by `npm start`, which starts
// the demo OpenID Connect provider beside the portal. scripts/test.ts gives
// each run a fresh database (DATA_DIR / DATABASE_URL).
const port = Number(process.env.E2E_PORT ?? 3100);
const idpPort = Number(process.env.E2E_IDP_PORT ?? 3101);
const baseURL = `http://localhost:${port}`;
// The intake spec plays a reverse proxy on loopback (X-Forwarded-For with a
// public test address) to get a location. Set here, so the portal under test
// (webServer.env spreads process.env) and the spec that checks it agree.
process.env.TRUSTED_PROXIES = "127.0.0.1, ::1";
// The fuzz stage (e2e/fuzz) draws every input from one seed per run, printed
// and replayable (`npm run fuzz -- --seed S`); set here so every worker agrees.
process.env.FUZZ_SEED ||= String(randomInt(2 ** 31));
process.env.FUZZ_RUN_ID ||= randomUUID();

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const chromiumArgs = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  projects: [
    // one setup per persona: signs in through the demo identity provider, stores the browser state
    { name: "personas", testMatch: /.*\.setup\.ts/ },
    { name: "chromium", testIgnore: [/.*\.setup\.ts/, /[\\/]e2e[\\/]deploy[\\/]/, /e2e[\\/]fuzz[\\/]/], dependencies: ["personas"] },
    // the deployment: nginx with TLS in front of several instances, plain-http URLs, SIGTERM
    // (e2e/deploy/). Its specs start their own instances on their own database, from the same
    // build; they need no persona. Chromium resolves the test's public host name to loopback.
    {
      name: "deploy",
      testDir: "e2e/deploy",
      use: {
        ignoreHTTPSErrors: true,
        launchOptions: { executablePath: chromiumPath, args: [...chromiumArgs, "--host-resolver-rules=MAP telemetry.test 127.0.0.1"] },
      },
    },
    // screenshots of the explorer's states for a person to look at (e2e/explorer/explorer.shots.ts); not part of the suite
    { name: "screenshots", testMatch: /\.shots\.ts$/, dependencies: ["personas"] },
    // property-based fuzzing of every /api/v1 route, /v2/track and every server action (no browser; scripts/test.ts runs it after "chromium")
    { name: "fuzz", testMatch: /e2e[\\/]fuzz[\\/].*\.spec\.ts$/, dependencies: ["personas"] },
  ],
  webServer: {
    command: "node --import tsx scripts/start.ts",
    url: `${baseURL}/signin`,
    timeout: 240_000,
    // E2E_REUSE_SERVER=1: a portal you started yourself on E2E_PORT (with the same DATABASE_URL) instead of a fresh one
    reuseExistingServer: process.env.E2E_REUSE_SERVER === "1",
    stdout: "pipe",
    stderr: "pipe",
    env: {
      ...(process.env as Record<string, string>),
      PORTAL_URL: baseURL,
      PORT: String(port),
      DEMO_IDP_PORT: String(idpPort),
      SEED_EVENTS: process.env.SEED_EVENTS ?? "3000",
      SKIP_BUILD: "true",
      // Notifications go to the real receivers e2e/access/break-glass.spec.ts listens with (port + 7: SMTP, port + 8: HTTP)
      SMTP_URL: process.env.SMTP_URL ?? `smtp://127.0.0.1:${port + 7}`,
      NOTIFY_FROM: process.env.NOTIFY_FROM ?? "portal@github.example",
      NOTIFY_WEBHOOK_URL: process.env.NOTIFY_WEBHOOK_URL ?? `http://127.0.0.1:${port + 8}/hook`,
      // an external PostgreSQL database is seeded only when asked (the embedded one always is)
      SEED_IF_EMPTY: process.env.SEED_IF_EMPTY ?? "true",
    },
  },
});
