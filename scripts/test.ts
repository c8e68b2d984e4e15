// `npm test`: the whole suite, in the order that fails fastest.
//   1. lint and typecheck
//   2. unit tests (vitest project "unit")
//   3. integration tests against real databases (vitest project "integration"):
//      the embedded PGlite always, PostgreSQL too when TEST_DATABASE_URL is set
//      (each test file creates and drops its own database there)
//   4. the production build, then Playwright in Debian's Chromium against it,
//      on a fresh PostgreSQL database (tp_e2e_<random>, dropped afterwards) on
//      the server TEST_DATABASE_URL names, or on the local server
//      (postgresql://postgres@127.0.0.1:5432/postgres) when it is unset. The
//      browser tests need PostgreSQL: they read audit rows and change grants
//      beside the running portal, and the embedded PGlite allows one process.
//      The "deploy" project (e2e/deploy) runs nginx with TLS in front of two
//      instances of the same build, on a database of its own.
//   5. the fuzz stage (Playwright project "fuzz", e2e/fuzz): fast-check's
//      malformed requests to every /api/v1 route, /v2/track and every server
//      action, against the same build and database (`npm run fuzz` runs it alone)
// Any step failing stops the run with its exit code.
import path from "node:path";
import { LOCAL_POSTGRES, StepFailed, bin, canConnect, e2eDatabaseServer, root, run, withE2eEnvironment } from "./e2e-run";

async function main(): Promise<void> {
  const only = process.argv[2];
  // As the README says: TEST_DATABASE_URL, else the local PostgreSQL when it answers (so the
  // PostgreSQL-only integration tests — roles, restart, job queue — run in every full run).
  const testDatabaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || ((await canConnect(LOCAL_POSTGRES)) ? LOCAL_POSTGRES : "");
  // Next.js's anonymous usage telemetry stays off (builds included).
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, TEST_DATABASE_URL: testDatabaseUrl, NEXT_TELEMETRY_DISABLED: "1" };
  delete baseEnv.DATABASE_URL;
  // A developer's exported migration URL must not point the suite's own databases elsewhere.
  delete baseEnv.DATABASE_MIGRATION_URL;
  // checked first: no point linting and building for a browser run that cannot start
  const e2eServer = !only || only === "e2e" ? await e2eDatabaseServer(testDatabaseUrl) : "";

  if (!only || only === "static") {
    run("lint", bin("eslint"), ["--max-warnings=0", "."]);
    run("typecheck", bin("tsc"), ["--noEmit"]);
  }
  if (!only || only === "unit") run("unit tests", bin("vitest"), ["run", "--project", "unit"], baseEnv);
  if (!only || only === "integration") {
    if (!testDatabaseUrl) console.log("(TEST_DATABASE_URL is not set: integration tests run on the embedded database only)");
    run("integration tests", bin("vitest"), ["run", "--project", "integration"], baseEnv);
  }
  if (!only || only === "e2e") {
    await withE2eEnvironment(e2eServer, baseEnv, (e2eEnv) => {
      run("production build", bin("next"), ["build"], e2eEnv);
      run("browser tests (Playwright, Chromium)", bin("playwright"), ["test", "--project", "personas", "--project", "chromium", "--project", "deploy"], e2eEnv);
      // its own HTML report, beside the browser tests' one
      const fuzzEnv = { ...e2eEnv, PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(root, "playwright-report", "fuzz") };
      run("fuzz stage (fast-check: every /api/v1 route, /v2/track, every server action)", bin("playwright"), ["test", "--project", "fuzz"], fuzzEnv);
    });
  }
  console.log("\nAll tests passed.");
}

main().catch((error: unknown) => {
  if (error instanceof StepFailed) process.exit(error.exitCode);
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
