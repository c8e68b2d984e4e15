import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env";

const key = (bytes = 32) => randomBytes(bytes).toString("base64");
const production = {
  PORTAL_ENV: "production",
  DATABASE_URL: "postgresql://portal@db.internal:5432/portal",
  AUTH_SECRET: "x".repeat(40),
  CONTENT_ENCRYPTION_KEYS: `k2026:${key()}`,
  AUTH_OIDC_ISSUER: "https://login.example.com",
  AUTH_OIDC_ID: "portal",
  AUTH_OIDC_SECRET: "secret",
};

function errorOf(env: Record<string, string | undefined>): string {
  try {
    parseEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("parseEnv", () => {
  it("runs a fresh clone with no configuration: embedded database, demo identity provider", () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.pgliteDataDir.endsWith(".data/pglite")).toBe(true);
    expect(env.isDemoIdentityProvider).toBe(true);
    expect(env.isProduction).toBe(false);
  });

  it("accepts a complete production configuration and parses rotating keys, newest first", () => {
    const older = key();
    const env = parseEnv({ ...production, CONTENT_ENCRYPTION_KEYS: `k2026:${key()};k2025:${older}` });
    expect(env.CONTENT_ENCRYPTION_KEYS?.map((entry) => entry.id)).toEqual(["k2026", "k2025"]);
    expect(env.CONTENT_ENCRYPTION_KEYS?.[1]?.key.toString("base64")).toBe(older);
    expect(env.isDemoIdentityProvider).toBe(false);
  });

  it("names a malformed DATABASE_URL in one sentence", () => {
    expect(errorOf({ DATABASE_URL: "garbage" })).toBe("Configuration error: DATABASE_URL must be a postgresql://user@host:port/database URL.");
    expect(errorOf({ DATABASE_URL: "mysql://root@localhost/x" })).toMatch(/^Configuration error: DATABASE_URL /);
  });

  it("refuses a short or missing encryption key in production", () => {
    expect(errorOf({ ...production, CONTENT_ENCRYPTION_KEYS: `k1:${key(16)}` })).toBe(
      'Configuration error: CONTENT_ENCRYPTION_KEYS key "k1" must be 32 bytes, base64-encoded.',
    );
    expect(errorOf({ ...production, CONTENT_ENCRYPTION_KEYS: undefined })).toMatch(/CONTENT_ENCRYPTION_KEYS .* is required when PORTAL_ENV=production/);
    expect(errorOf({ ...production, CONTENT_ENCRYPTION_KEYS: "not-a-pair" })).toMatch(/must be a list of id:base64key pairs/);
  });

  it("refuses production without a database, a secret, or a real identity provider", () => {
    expect(errorOf({ ...production, DATABASE_URL: undefined })).toMatch(/DATABASE_URL is required/);
    expect(errorOf({ ...production, AUTH_SECRET: "short" })).toMatch(/AUTH_SECRET must be at least 32 characters/);
    expect(errorOf({ ...production, AUTH_OIDC_ISSUER: undefined, AUTH_OIDC_ID: undefined, AUTH_OIDC_SECRET: undefined })).toMatch(
      /the demo one is refused/,
    );
  });

  it("starts the demo identity provider unless DEMO_IDP=off, and names any other value", () => {
    expect(parseEnv({}).DEMO_IDP).toBe("on");
    expect(parseEnv({ DEMO_IDP: "off" }).DEMO_IDP).toBe("off");
    expect(errorOf({ DEMO_IDP: "no" })).toBe("Configuration error: DEMO_IDP must be on or off.");
  });

  it("requires the rest of an identity provider's settings once one is named", () => {
    expect(errorOf({ AUTH_OIDC_ISSUER: "https://login.example.com" })).toMatch(/AUTH_OIDC_ID and AUTH_OIDC_SECRET are required/);
    expect(errorOf({ AUTH_GITHUB_ID: "abc" })).toMatch(/AUTH_GITHUB_SECRET is required/);
  });
});
