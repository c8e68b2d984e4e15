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

  it("takes an optional DATABASE_MIGRATION_URL for the same database, with DATABASE_URL", () => {
    const migrationUrl = "postgresql://portal_migrate@db.internal:5432/portal";
    expect(parseEnv({ ...production, DATABASE_MIGRATION_URL: migrationUrl }).DATABASE_MIGRATION_URL).toBe(migrationUrl);
    expect(parseEnv({ ...production, DATABASE_MIGRATION_URL: "" }).DATABASE_MIGRATION_URL).toBeUndefined();
    expect(errorOf({ DATABASE_MIGRATION_URL: "garbage" })).toBe(
      "Configuration error: DATABASE_MIGRATION_URL must be a postgresql://user@host:port/database URL.",
    );
    expect(errorOf({ DATABASE_MIGRATION_URL: migrationUrl })).toBe(
      "Configuration error: DATABASE_MIGRATION_URL is set, so DATABASE_URL (the portal's runtime role) is required too.",
    );
    expect(errorOf({ ...production, DATABASE_MIGRATION_URL: "postgresql://portal_migrate@db.internal:5432/other" })).toBe(
      "Configuration error: DATABASE_MIGRATION_URL must name the same database as DATABASE_URL.",
    );
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

/** Every bad value is one sentence that names the variable: "Configuration error: NAME …." */
function expectOneSentence(name: string, value: string, expected?: string | RegExp): void {
  const message = errorOf({ [name]: value });
  expect(message.startsWith(`Configuration error: ${name} `), message).toBe(true);
  expect(message.endsWith("."), message).toBe(true);
  // One sentence: no line breaks, no second sentence after a full stop, no zod wording.
  expect(message, message).not.toMatch(/\n|\.\s+[A-Z]|Invalid input|Invalid option|expected number|NaN/);
  if (typeof expected === "string") expect(message).toBe(`Configuration error: ${name} ${expected}.`);
  else if (expected) expect(message).toMatch(expected);
}

describe("listen address and public URL", () => {
  it("listens on PORT (default 3000) and HOST, independent of PORTAL_URL", () => {
    const env = parseEnv({ PORTAL_URL: "https://telemetry.example.com", PORT: "3500", HOST: "127.0.0.1" });
    expect(env.listenPort).toBe(3500);
    expect(env.HOST).toBe("127.0.0.1");
    expect(env.PORTAL_URL).toBe("https://telemetry.example.com");
    expect(parseEnv({ PORTAL_URL: "https://telemetry.example.com" }).listenPort).toBe(3000);
    expect(parseEnv({ PORT: "" }).listenPort).toBe(3000);
    expect(parseEnv({ PORT: "1" }).listenPort).toBe(1);
    expect(parseEnv({ PORT: "65535" }).listenPort).toBe(65_535);
    for (const host of ["::", "0.0.0.0", "::1", "portal-1.internal", "localhost"]) expect(parseEnv({ HOST: host }).HOST).toBe(host);
    expect(parseEnv({ HOST: "" }).HOST).toBeUndefined();
  });

  it("refuses a PORT that is not a port", () => {
    expectOneSentence("PORT", "abc", "must be a whole number");
    expectOneSentence("PORT", "3e3", "must be a whole number");
    expectOneSentence("PORT", "3000.5", "must be a whole number");
    expectOneSentence("PORT", " 3000", "must be a whole number");
    expectOneSentence("PORT", "-1", "must be a whole number");
    expectOneSentence("PORT", "0", "must be at least 1");
    expectOneSentence("PORT", "65536", "must be at most 65535");
  });

  it("refuses a HOST that is no address or host name", () => {
    for (const host of ["not a host", "http://127.0.0.1", "127.0.0.1:3000", "-bad.example", "a..b"]) {
      expectOneSentence("HOST", host, "must be an IP address or host name to listen on, such as 127.0.0.1 or ::");
    }
  });

  it("normalizes PORTAL_URL to its origin", () => {
    expect(parseEnv({}).PORTAL_URL).toBe("http://localhost:3000");
    expect(parseEnv({ PORTAL_URL: "https://Telemetry.Example.com:443/" }).PORTAL_URL).toBe("https://telemetry.example.com");
    expect(parseEnv({ PORTAL_URL: "http://127.0.0.1:3400" }).PORTAL_URL).toBe("http://127.0.0.1:3400");
    expect(parseEnv({ PORTAL_URL: "http://[::1]:3400" }).PORTAL_URL).toBe("http://[::1]:3400");
  });

  it("refuses a PORTAL_URL that is not an http(s) origin", () => {
    for (const url of ["telemetry.example.com", "ftp://telemetry.example.com", "http://", "javascript:alert(1)"]) {
      expectOneSentence("PORTAL_URL", url, "must be an http:// or https:// URL");
    }
    for (const url of ["https://telemetry.example.com/portal", "https://telemetry.example.com/?x=1", "https://telemetry.example.com/#top", "https://user:pw@telemetry.example.com"]) {
      expectOneSentence("PORTAL_URL", url, "must be an origin such as https://telemetry.example.com (no path, query or credentials)");
    }
  });
});

describe("reverse proxies", () => {
  it("parses TRUSTED_PROXIES as addresses and CIDR blocks of both families", () => {
    expect(parseEnv({ TRUSTED_PROXIES: " 10.0.0.1, 10.1.0.0/16 ,::1,2001:db8::/32,::ffff:192.0.2.0/120" }).TRUSTED_PROXIES).toEqual([
      { address: "10.0.0.1", prefix: 32, family: "ipv4" },
      { address: "10.1.0.0", prefix: 16, family: "ipv4" },
      { address: "::1", prefix: 128, family: "ipv6" },
      { address: "2001:db8::", prefix: 32, family: "ipv6" },
      { address: "::ffff:192.0.2.0", prefix: 120, family: "ipv6" },
    ]);
    expect(parseEnv({ TRUSTED_PROXIES: "" }).TRUSTED_PROXIES).toBeUndefined();
  });

  it("refuses an entry that is not an address or CIDR block, quoting it", () => {
    for (const entry of ["nginx", "10.0.0.1/33", "::1/129", "10.0.0.1/", "10.0.0.1/8/2", "10.0.0.256", "10.0.0.1/-1", "10.0.0.1/a"]) {
      expectOneSentence("TRUSTED_PROXIES", `127.0.0.1, ${entry}`, `has "${entry}", which is not an IP address or CIDR block`);
    }
  });

  it("refuses the old TRUSTED_PROXY_HEADER, saying what replaced it", () => {
    expectOneSentence("TRUSTED_PROXY_HEADER", "x-forwarded-for", "was replaced by TRUSTED_PROXIES (the addresses of your reverse proxies); unset it");
    expect(parseEnv({ TRUSTED_PROXY_HEADER: "" }).TRUSTED_PROXY_HEADER).toBeUndefined();
  });
});

describe("whole numbers, flags and choices", () => {
  // name, smallest, largest, default
  const numbers: Array<[string, number, number, number | undefined]> = [
    ["SEED_EVENTS", 0, 100_000_000, 20_000],
    ["SHUTDOWN_GRACE_SECONDS", 1, 600, 25],
    ["DATABASE_POOL_SIZE", 1, 200, 10],
    ["INGEST_MAX_BODY_BYTES", 1024, 64 * 1024 * 1024, 4 * 1024 * 1024],
    ["INGEST_RATE_LIMIT_PER_SECOND", 0, 10_000_000, 1_000],
    ["INGEST_RATE_LIMIT_BURST", 1, 100_000_000, 20_000],
    ["DEMO_IDP_PORT", 1, 65_535, 3001],
    ["SESSION_IDLE_MINUTES", 1, 10_080, 30],
    ["SESSION_MAX_HOURS", 1, 720, 12],
    ["GRANT_MAX_DAYS", 1, 3_650, 180],
    ["CONTRACTOR_GRANT_MAX_DAYS", 1, 3_650, 90],
    ["APPROVAL_FRESHNESS_MINUTES", 1, 1_440, 15],
    ["BREAK_GLASS_MAX_MINUTES", 5, 1_440, 60],
    ["ACCESS_REQUEST_LAPSE_DAYS", 1, 365, 7],
    ["EXPORT_MAX_ROWS", 1, 10_000_000, 100_000],
    ["EXACT_COUNT_THRESHOLD", 1, 1_000_000_000, 10_000],
    ["AUDIT_CHAINS", 1, 64, 8],
    ["AUDIT_RETENTION_DAYS", 1, 36_500, undefined],
  ];

  it.each(numbers)("%s takes decimal whole numbers from %i to %i, and its default when unset or empty", (name, min, max, fallback) => {
    const read = (value: string | undefined) => (parseEnv({ [name]: value }) as unknown as Record<string, unknown>)[name];
    expect(read(undefined)).toBe(fallback);
    expect(read("")).toBe(fallback);
    expect(read(String(min))).toBe(min);
    expect(read(String(max))).toBe(max);
  });

  it.each(numbers)("%s refuses anything else with one sentence (never NaN, never a silently different number)", (name, min, max) => {
    for (const value of ["abc", "1e3", "0x10", "2.5", " 7", "7 ", "+7", "-1", "١٢", "Infinity", "NaN"]) expectOneSentence(name, value, "must be a whole number");
    if (min > 0) expectOneSentence(name, String(min - 1), `must be at least ${min}`);
    expectOneSentence(name, String(max + 1), `must be at most ${max}`);
    expectOneSentence(name, "99999999999999999999999", `must be at most ${max}`);
  });

  it("GRANT_REMINDER_DAYS is a comma-separated list of days, 14,3 by default, largest first, and refuses anything else", () => {
    const read = (value: string | undefined) => parseEnv({ GRANT_REMINDER_DAYS: value }).GRANT_REMINDER_DAYS;
    expect(read(undefined)).toEqual([14, 3]);
    expect(read("")).toEqual([14, 3]);
    expect(read("3, 30,7,7")).toEqual([30, 7, 3]);
    for (const value of ["14;3", "fourteen", "14,", "-3", "0", "1.5"]) expectOneSentence("GRANT_REMINDER_DAYS", value, /must be whole numbers of days|must name at least one day count/);
  });

  it.each(["SKIP_BUILD", "SEED_IF_EMPTY"])("%s is true/false/1/0, false by default, and nothing else", (name) => {
    const read = (value: string | undefined) => (parseEnv({ [name]: value }) as unknown as Record<string, unknown>)[name];
    expect(read(undefined)).toBe(false);
    expect(read("")).toBe(false);
    expect(read("true")).toBe(true);
    expect(read("1")).toBe(true);
    expect(read("false")).toBe(false);
    expect(read("0")).toBe(false);
    for (const value of ["yes", "TRUE", "on", "2"]) expectOneSentence(name, value, "must be true or false");
  });

  it("LOG_LEVEL is one of pino's levels, info by default", () => {
    expect(parseEnv({}).LOG_LEVEL).toBe("info");
    expect(parseEnv({ LOG_LEVEL: "silent" }).LOG_LEVEL).toBe("silent");
    expectOneSentence("LOG_LEVEL", "verbose", "must be one of fatal, error, warn, info, debug, trace or silent");
    expectOneSentence("PORTAL_ENV", "prod", "must be development or production");
  });

  it("METRICS_TOKEN is at least 16 characters when set", () => {
    expect(parseEnv({ METRICS_TOKEN: "m".repeat(16) }).METRICS_TOKEN).toBe("m".repeat(16));
    expect(parseEnv({ METRICS_TOKEN: "" }).METRICS_TOKEN).toBeUndefined();
    expectOneSentence("METRICS_TOKEN", "short", "must be at least 16 characters");
  });

  it("INGEST_GEOIP_CITY_DB is a path or off, unset by default", () => {
    expect(parseEnv({}).INGEST_GEOIP_CITY_DB).toBeUndefined();
    expect(parseEnv({ INGEST_GEOIP_CITY_DB: "off" }).INGEST_GEOIP_CITY_DB).toBe("off");
    expect(parseEnv({ INGEST_GEOIP_CITY_DB: "/srv/geo/City.mmdb" }).INGEST_GEOIP_CITY_DB).toBe("/srv/geo/City.mmdb");
  });

  describe("SIEM sinks", () => {
    it("configures nothing by default, with stable default names and a start at the beginning", () => {
      const env = parseEnv({});
      expect(env.SIEM_SYSLOG_URL).toBeUndefined();
      expect(env.SIEM_HEC_URL).toBeUndefined();
      expect(env.SIEM_SYSLOG_NAME).toBe("syslog");
      expect(env.SIEM_HEC_NAME).toBe("hec");
      expect(env.SIEM_SYSLOG_SD_ID).toBe("audit@32473");
      expect(env.SIEM_START_FROM).toEqual({ kind: "beginning" });
      expect(env.SIEM_BATCH_SIZE).toBe(500);
      expect(env.SIEM_TIMEOUT_SECONDS).toBe(10);
    });

    it("reads SIEM_SYSLOG_URL as tcp:// or tls:// with a host and a port, IPv6 included", () => {
      expect(parseEnv({ SIEM_SYSLOG_URL: "tcp://siem.internal:6514" }).SIEM_SYSLOG_URL).toEqual({ transport: "tcp", host: "siem.internal", port: 6514 });
      expect(parseEnv({ SIEM_SYSLOG_URL: "tls://[::1]:6514" }).SIEM_SYSLOG_URL).toEqual({ transport: "tls", host: "::1", port: 6514 });
      for (const bad of ["udp://siem:514", "tcp://siem", "tcp://siem:514/path", "tcp://user:pw@siem:514", "siem:514", "https://siem:514"]) {
        expect(errorOf({ SIEM_SYSLOG_URL: bad })).toMatch(/^Configuration error: SIEM_SYSLOG_URL must be a tcp:\/\/host:port or tls:\/\/host:port URL/);
      }
      expect(errorOf({ SIEM_SYSLOG_URL: "tcp://siem:514", SIEM_SYSLOG_CA_FILE: "/etc/ca.pem" })).toBe(
        "Configuration error: SIEM_SYSLOG_CA_FILE is set, so SIEM_SYSLOG_URL must be a tls://host:port URL.",
      );
    });

    it("needs a token with SIEM_HEC_URL, refuses credentials in the URL, and plain http in production", () => {
      expect(parseEnv({ SIEM_HEC_URL: "https://splunk.internal:8088/services/collector/event", SIEM_HEC_TOKEN: "t0k3n" }).SIEM_HEC_URL).toBe("https://splunk.internal:8088/services/collector/event");
      expect(errorOf({ SIEM_HEC_URL: "https://splunk.internal:8088/services/collector/event" })).toBe("Configuration error: SIEM_HEC_URL is set, so SIEM_HEC_TOKEN is required too.");
      expect(errorOf({ SIEM_HEC_TOKEN: "t0k3n" })).toBe("Configuration error: SIEM_HEC_TOKEN, SIEM_HEC_CA_FILE and SIEM_HEC_INDEX need SIEM_HEC_URL.");
      expect(errorOf({ SIEM_HEC_URL: "https://u:p@splunk.internal/", SIEM_HEC_TOKEN: "t" })).toMatch(/^Configuration error: SIEM_HEC_URL must not carry credentials/);
      expect(errorOf({ SIEM_HEC_URL: "ftp://splunk.internal/", SIEM_HEC_TOKEN: "t" })).toMatch(/^Configuration error: SIEM_HEC_URL must be an https:\/\/ URL/);
      expect(errorOf({ SIEM_HEC_URL: "http://splunk.internal/", SIEM_HEC_TOKEN: "t", SIEM_HEC_CA_FILE: "/ca.pem" })).toBe("Configuration error: SIEM_HEC_CA_FILE is set, so SIEM_HEC_URL must be an https:// URL.");
      expect(parseEnv({ SIEM_HEC_URL: "http://127.0.0.1:8088/", SIEM_HEC_TOKEN: "t" }).SIEM_HEC_URL).toBe("http://127.0.0.1:8088/");
      expect(errorOf({ ...production, SIEM_HEC_URL: "http://splunk.internal:8088/", SIEM_HEC_TOKEN: "t" })).toMatch(/^Configuration error: SIEM_HEC_URL must be an https:\/\/ URL when PORTAL_ENV=production/);
      expect(errorOf({ SIEM_HEC_URL: "https://s/", SIEM_HEC_TOKEN: "has space" })).toMatch(/^Configuration error: SIEM_HEC_TOKEN must be the HEC token/);
    });

    it("keeps two sinks' names apart and well-formed", () => {
      const both = { SIEM_SYSLOG_URL: "tcp://s:514", SIEM_HEC_URL: "https://h/", SIEM_HEC_TOKEN: "t" };
      expect(errorOf({ ...both, SIEM_HEC_NAME: "syslog" })).toBe("Configuration error: SIEM_SYSLOG_NAME and SIEM_HEC_NAME must differ (each sink keeps its own delivery cursors).");
      expect(errorOf({ SIEM_SYSLOG_NAME: "Has Spaces" })).toMatch(/^Configuration error: SIEM_SYSLOG_NAME must be 1–48 lower-case/);
      expect(parseEnv({ ...both, SIEM_HEC_NAME: "splunk-prod" }).SIEM_HEC_NAME).toBe("splunk-prod");
    });

    it("reads SIEM_START_FROM as beginning, now or an ISO time with a zone", () => {
      expect(parseEnv({ SIEM_START_FROM: "now" }).SIEM_START_FROM).toEqual({ kind: "now" });
      expect(parseEnv({ SIEM_START_FROM: "2026-11-01T00:00:00Z" }).SIEM_START_FROM).toEqual({ kind: "time", time: new Date("2026-11-01T00:00:00Z") });
      expect(parseEnv({ SIEM_START_FROM: "2026-11-01T01:00+01:00" }).SIEM_START_FROM).toEqual({ kind: "time", time: new Date("2026-11-01T00:00:00Z") });
      for (const bad of ["yesterday", "2026-11-01", "2026-13-01T00:00:00Z"]) {
        expect(errorOf({ SIEM_START_FROM: bad })).toMatch(/^Configuration error: SIEM_START_FROM must be beginning, now, or an ISO 8601 time/);
      }
    });

    it("checks the SD-ID, the batch size and the timeout", () => {
      expect(parseEnv({ SIEM_SYSLOG_SD_ID: "portal@18060" }).SIEM_SYSLOG_SD_ID).toBe("portal@18060");
      for (const bad of ["audit", "au dit@1", 'a"b@1', "audit@x"]) expect(errorOf({ SIEM_SYSLOG_SD_ID: bad })).toMatch(/^Configuration error: SIEM_SYSLOG_SD_ID must be name@enterprise-number/);
      expect(errorOf({ SIEM_BATCH_SIZE: "0" })).toBe("Configuration error: SIEM_BATCH_SIZE must be at least 1.");
      expect(errorOf({ SIEM_TIMEOUT_SECONDS: "ten" })).toBe("Configuration error: SIEM_TIMEOUT_SECONDS must be a whole number.");
    });
  });
});
