// `npm run fuzz -- [--runs N] [--seed S] [--target NAME] [--lane K --path P]`:
// the fuzz stage of `npm test` on its own (e2e/fuzz, Playwright project
// "fuzz"), against a portal it starts on a fresh PostgreSQL database, like
// the browser tests. Builds first when there is no build or a source is newer.
//   --runs N        generated inputs per target (default 1,000)
//   --seed S        the seed to draw them from (default: a new one, printed)
//   --target NAME   only the targets whose name contains NAME, e.g. "/v2/track"
//   --lane K --path P   replay one failure (the stage prints this command)
//   --survey        do not stop at a target's first failures: count every failure by kind, one example each
//   --build         build even when the build looks current
import path from "node:path";
import { parseArgs } from "node:util";
import { StepFailed, bin, e2eDatabaseServer, isBuildStale, root, run, withE2eEnvironment } from "./e2e-run";

const USAGE = "usage: npm run fuzz -- [--runs N] [--seed S] [--target NAME] [--lane K --path P] [--survey] [--build]";

function fail(message: string): never {
  console.error(`✖ ${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: "string" },
        seed: { type: "string" },
        target: { type: "string" },
        lane: { type: "string" },
        path: { type: "string" },
        survey: { type: "boolean", default: false },
        build: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const whole = (name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) fail(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
    return text;
  };
  const runs = whole("runs", values.runs, 1);
  const seed = whole("seed", values.seed, 0, 2 ** 31 - 1);
  const lane = whole("lane", values.lane, 0);
  if ((lane === undefined) !== (values.path === undefined)) fail("--lane and --path go together (the stage prints both for a failure)");
  if (values.path !== undefined && !/^\d+(:\d+)*$/.test(values.path)) fail(`--path must be a fast-check path such as 12:0:3, not "${values.path}"`);

  const testDatabaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || "";
  const server = await e2eDatabaseServer(testDatabaseUrl);
  const baseEnv: NodeJS.ProcessEnv = { ...process.env };
  delete baseEnv.DATABASE_URL;
  for (const [name, value] of Object.entries({ FUZZ_RUNS: runs, FUZZ_SEED: seed, FUZZ_TARGET: values.target, FUZZ_LANE: lane, FUZZ_PATH: values.path, FUZZ_SURVEY: values.survey ? "1" : undefined })) {
    if (value !== undefined) baseEnv[name] = value;
    else delete baseEnv[name];
  }
  await withE2eEnvironment(server, baseEnv, (env) => {
    if (values.build || isBuildStale()) run("production build", bin("next"), ["build"], env);
    else console.log("(the production build is current: not building; --build forces it)");
    run("fuzz stage", bin("playwright"), ["test", "--project", "fuzz"], { ...env, PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(root, "playwright-report", "fuzz") });
  });
}

main().catch((error: unknown) => {
  if (error instanceof StepFailed) process.exit(error.exitCode);
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
