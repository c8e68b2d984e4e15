// `npm start` with bad configuration stops with one sentence, not a stack trace.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", SKIP_BUILD: "true", DATA_DIR: "/nonexistent-portal-data", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  const output = `${result.stdout}${result.stderr}`
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.includes("oidc-provider WARNING"));
  return { status: result.status, output };
}

describe("npm start with bad configuration", () => {
  it("names a malformed DATABASE_URL and exits 1", () => {
    const { status, output } = start({ DATABASE_URL: "garbage" });
    expect(status).toBe(1);
    expect(output).toEqual(["Configuration error: DATABASE_URL must be a postgresql://user@host:port/database URL."]);
  });

  it("says when the database cannot be reached", () => {
    const { status, output } = start({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/portal", AUTH_SECRET: "x".repeat(40), CONTENT_ENCRYPTION_KEYS: `k:${Buffer.alloc(32, 1).toString("base64")}` });
    expect(status).toBe(1);
    expect(output).toEqual(["Start-up failed: Cannot reach the database at 127.0.0.1:1: connection refused."]);
  });

  it("refuses a short encryption key in production", () => {
    const { status, output } = start({
      PORTAL_ENV: "production",
      DATABASE_URL: "postgresql://postgres@127.0.0.1:1/portal",
      AUTH_SECRET: "x".repeat(40),
      AUTH_OIDC_ISSUER: "https://login.example.com",
      AUTH_OIDC_ID: "portal",
      AUTH_OIDC_SECRET: "secret",
      CONTENT_ENCRYPTION_KEYS: `k1:${Buffer.alloc(16, 1).toString("base64")}`,
    });
    expect(status).toBe(1);
    expect(output).toEqual(['Configuration error: CONTENT_ENCRYPTION_KEYS key "k1" must be 32 bytes, base64-encoded.']);
  });
});
