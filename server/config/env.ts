// The portal's configuration, read once from the environment and validated
// with zod. Anything wrong stops start-up with one sentence (see
// `describeConfigError`), never a stack trace.
//
// This module does not import "server-only" because the operator scripts
// (scripts/*.ts) use it too; nothing in components/ or lib/ may import it.
import net from "node:net";
import path from "node:path";
import { z } from "zod";

const base64Key32 = z
  .string()
  .refine((value) => Buffer.from(value, "base64").length === 32, "must be 32 bytes, base64-encoded");

/** `id:base64key` pairs separated by `;` or `,` — the first encrypts, all decrypt. */
const contentKeys = z
  .string()
  .min(1, "is empty")
  .transform((value, ctx) => {
    const keys: Array<{ id: string; key: Buffer }> = [];
    for (const part of value.split(/[;,]/).map((p) => p.trim()).filter(Boolean)) {
      const [id, encoded] = part.split(":", 2);
      if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || !encoded) {
        ctx.addIssue({ code: "custom", message: "must be a list of id:base64key pairs" });
        return z.NEVER;
      }
      const parsed = base64Key32.safeParse(encoded);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: `key "${id}" must be 32 bytes, base64-encoded` });
        return z.NEVER;
      }
      keys.push({ id, key: Buffer.from(encoded, "base64") });
    }
    if (keys.length === 0) {
      ctx.addIssue({ code: "custom", message: "holds no key" });
      return z.NEVER;
    }
    return keys;
  });

const postgresUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "postgresql:" || url.protocol === "postgres:") && url.hostname !== "" && url.pathname.length > 1;
    } catch {
      return false;
    }
  }, "must be a postgresql://user@host:port/database URL");

/** DATABASE_REPLICA_URLS: comma-separated postgresql:// URLs, each checked like DATABASE_URL. */
const postgresUrlList = z.string().transform((value, ctx) => {
  const urls = value.split(",").map((item) => item.trim()).filter(Boolean);
  for (const url of urls) {
    if (!postgresUrl.safeParse(url).success) {
      ctx.addIssue({ code: "custom", message: "must be a comma-separated list of postgresql://user@host:port/database URLs" });
      return z.NEVER;
    }
  }
  return urls;
});

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

const emptyToUndefined = (value: unknown) => (value === "" ? undefined : value);
const MIB = 1024 * 1024;
/** A whole number in [min, max], written in decimal ("abc", "1e3", "2.5" are refused). */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    // No .int(): the pattern already allows only digits, and zod's int check would answer
    // "99999999999999999999" (beyond a safe integer) in its own words before the range does.
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const flag = z.enum(["true", "false", "1", "0"], "must be true or false").transform((value) => value === "true" || value === "1");

/** A public URL: http(s), an origin only (the portal is served at the root). */
const publicUrl = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
  .transform((value) => new URL(value))
  .refine((url) => url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password, "must be an origin such as https://telemetry.example.com (no path, query or credentials)")
  .transform((url) => url.origin);

/** "10.0.0.1, 10.1.0.0/16, ::1": addresses or CIDR blocks of reverse proxies whose X-Forwarded-* headers are believed. */
const proxyList = z.string().transform((value, ctx) => {
  const entries: TrustedProxy[] = [];
  for (const part of value.split(",").map((item) => item.trim()).filter(Boolean)) {
    const [address = "", prefixText, ...rest] = part.split("/");
    if (rest.length > 0) {
      ctx.addIssue({ code: "custom", message: `has "${part}", which is not an IP address or CIDR block` });
      return z.NEVER;
    }
    const family = net.isIP(address);
    const max = family === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (family === 0 || !(prefix >= 0 && prefix <= max)) {
      ctx.addIssue({ code: "custom", message: `has "${part}", which is not an IP address or CIDR block` });
      return z.NEVER;
    }
    entries.push({ address, prefix, family: family === 6 ? "ipv6" : "ipv4" });
  }
  return entries;
});

/** An interface address or a host name to listen on ("127.0.0.1", "::", "portal-1.internal"). */
const listenHost = z
  .string()
  .refine(
    (value) => net.isIP(value) !== 0 || (value.length <= 253 && /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(value)),
    "must be an IP address or host name to listen on, such as 127.0.0.1 or ::",
  );

export type TrustedProxy = { address: string; prefix: number; family: "ipv4" | "ipv6" };

/** An alert threshold: a whole number ("more than N"), or "off" to disable the rule (null). */
const alertThreshold = (max: number) => z.union([z.literal("off").transform(() => null), wholeNumber(0, max)], { error: `must be a whole number from 0 to ${max}, or off` });

/** "08:00-19:00": a person's working hours, in their time zone (minutes after midnight). */
const workingHours = z
  .string()
  .regex(/^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/, "must be HH:MM-HH:MM, such as 08:00-19:00")
  .transform((value) => {
    const [from = "", to = ""] = value.split("-");
    const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
    return { startMinute: minutes(from), endMinute: minutes(to) };
  })
  .refine((hours) => hours.startMinute < hours.endMinute && hours.endMinute <= 24 * 60, "must end after it starts, at 24:00 at the latest");

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
/** "mon-fri" or "mon,tue,thu": the working days (0 = Sunday … 6 = Saturday). */
const workingDays = z.string().transform((value, ctx) => {
  const days = new Set<number>();
  for (const part of value.toLowerCase().split(",").map((item) => item.trim()).filter(Boolean)) {
    const [from, to, ...rest] = part.split("-");
    const start = WEEKDAYS.indexOf(from as (typeof WEEKDAYS)[number]);
    const end = to === undefined ? start : WEEKDAYS.indexOf(to as (typeof WEEKDAYS)[number]);
    if (start < 0 || end < 0 || rest.length > 0) {
      ctx.addIssue({ code: "custom", message: "must be days such as mon-fri or mon,tue,wed (sun … sat)" });
      return z.NEVER;
    }
    for (let day = start; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === end) break;
    }
  }
  return [...days].sort();
});

/** "access.break_glass, access.emergency_*": audit actions that are break-glass uses ("*" at the end: a prefix). */
const actionPatterns = z.string().transform((value, ctx) => {
  const patterns = value.split(",").map((item) => item.trim()).filter(Boolean);
  if (patterns.some((pattern) => !/^[a-z][a-z0-9_.]*\*?$/.test(pattern))) {
    ctx.addIssue({ code: "custom", message: "must be audit action names separated by commas (a trailing * matches a prefix)" });
    return z.NEVER;
  }
  return patterns;
});

/** A witness to submit checkpoints to: its URL (no credentials) and the bearer token from the URL's password. */
export type WitnessTarget = { url: string; token: string | undefined };

const witnessUrlList = z.string().transform((value, ctx): WitnessTarget[] => {
  const targets: WitnessTarget[] = [];
  for (const item of value.split(",").map((part) => part.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      ctx.addIssue({ code: "custom", message: `has an entry that is not a URL (${item.replace(/\/\/[^@/]*@/, "//…@").slice(0, 80)})` });
      return z.NEVER;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      ctx.addIssue({ code: "custom", message: "must list http(s) URLs" });
      return z.NEVER;
    }
    const token = url.password ? decodeURIComponent(url.password) : undefined;
    url.username = "";
    url.password = "";
    targets.push({ url: url.toString(), token });
  }
  return targets;
});

const keyList = (what: string) =>
  z.string().transform((value, ctx): string[] => {
    const keys = value.split(",").map((part) => part.trim()).filter(Boolean);
    if (keys.some((key) => !/^[^+\s]{1,255}\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/.test(key))) {
      ctx.addIssue({ code: "custom", message: `must be a comma-separated list, each ${what}` });
      return z.NEVER;
    }
    return keys;
  });

/** tcp://host:port or tls://host:port (RFC 6587 / RFC 5425): where audit rows go as RFC 5424 syslog. */
const syslogUrl = z
  .string()
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a tcp://host:port or tls://host:port URL" });
      return z.NEVER;
    }
    const transport = url.protocol === "tcp:" ? "tcp" : url.protocol === "tls:" ? "tls" : null;
    if (!transport || !url.hostname || !url.port || (url.pathname !== "" && url.pathname !== "/") || url.search || url.hash || url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "must be a tcp://host:port or tls://host:port URL (a port, no path, query or credentials)" });
      return z.NEVER;
    }
    return { transport, host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(url.port) } as SyslogTarget;
  });

/** The HEC endpoint: http(s), no credentials in the URL (the token travels in SIEM_HEC_TOKEN). */
const hecUrl = z
  .url({ protocol: /^https?$/, error: "must be an https:// URL such as https://splunk.example.com:8088/services/collector/event" })
  .refine((value) => {
    const url = new URL(value);
    return !url.username && !url.password && !url.hash;
  }, "must not carry credentials or a fragment (the token goes in SIEM_HEC_TOKEN)");

/** A sink's stable name: its delivery cursors are kept under it. */
const sinkName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,47}$/, "must be 1–48 lower-case letters, digits, dots, hyphens or underscores");

/** "beginning", "now" or an ISO 8601 time with a zone: where a new sink's delivery starts. */
const siemStart = z.string().transform((value, ctx): SiemStart => {
  if (value === "beginning" || value === "now") return { kind: value };
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : null;
  if (!time || Number.isNaN(time.getTime())) {
    ctx.addIssue({ code: "custom", message: "must be beginning, now, or an ISO 8601 time with a zone such as 2026-11-01T00:00:00Z" });
    return z.NEVER;
  }
  return { kind: "time", time };
});

/** RFC 5424 SD-ID of a private enterprise: name@number, printable ASCII without space, "=", "]" or '"', at most 32 characters. */
const sdId = z.string().regex(/^[!#-<>-?A-\\^-~]{1,20}@\d+(?:\.\d+)*$/, "must be name@enterprise-number, such as audit@32473").max(32, "must be at most 32 characters");

export type SyslogTarget = { transport: "tcp" | "tls"; host: string; port: number };
export type SiemStart = { kind: "beginning" } | { kind: "now" } | { kind: "time"; time: Date };

/** smtp://user:password@host:port (STARTTLS when offered) or smtps://… (TLS from the first byte). */
const smtpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname !== "" && (url.pathname === "" || url.pathname === "/") && !url.search;
  } catch {
    return false;
  }
}, "must be an smtp://user:password@host:port or smtps://… URL");

/** A mailbox for From: "Name <address>" or "address"; no line breaks (header injection). */
const mailbox = z
  .string()
  .max(320)
  .regex(/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, "must be an address such as portal@example.com or \"Telemetry Portal <portal@example.com>\"");

/** "https://hooks.example/a, https://hooks.example/b": the notification webhooks. */
const webhookUrls = z.string().transform((value, ctx) => {
  const urls: string[] = [];
  for (const part of value.split(",").map((item) => item.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a comma-separated list of http:// or https:// URLs" });
      return z.NEVER;
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "must be a comma-separated list of http:// or https:// URLs (without user:password@)" });
      return z.NEVER;
    }
    urls.push(url.toString());
  }
  return urls;
});

const envSchema = z.object({
  PORTAL_ENV: z.enum(["development", "production"], "must be development or production").default("development"),
  DATABASE_URL: z.preprocess(emptyToUndefined, postgresUrl.optional()),
  // The role that owns the schema and runs migrations (`npm run db:roles`);
  // unset = migrations run as DATABASE_URL's role.
  DATABASE_MIGRATION_URL: z.preprocess(emptyToUndefined, postgresUrl.optional()),
  DATA_DIR: z.string().default(".data"),
  PGLITE_DATA_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  /** the one public URL: every absolute URL (Auth.js callbacks, the demo IdP's redirect URIs, links) comes from it */
  PORTAL_URL: publicUrl.default("http://localhost:3000"),
  /** where this process listens; independent of PORTAL_URL (a proxy may sit between) */
  PORT: z.preprocess(emptyToUndefined, wholeNumber(1, 65_535).optional()),
  HOST: z.preprocess(emptyToUndefined, listenHost.optional()),
  TRUSTED_PROXIES: z.preprocess(emptyToUndefined, proxyList.optional()),
  /** replaced by TRUSTED_PROXIES; refused with a sentence so nobody keeps trusting a header from anyone */
  TRUSTED_PROXY_HEADER: z.preprocess(emptyToUndefined, z.undefined({ error: "was replaced by TRUSTED_PROXIES (the addresses of your reverse proxies); unset it" }).optional()),
  SKIP_BUILD: z.preprocess(emptyToUndefined, flag.default(false)),
  SEED_IF_EMPTY: z.preprocess(emptyToUndefined, flag.default(false)),
  SEED_EVENTS: z.preprocess(emptyToUndefined, wholeNumber(0, 100_000_000).default(20_000)),
  /** seconds a stopping instance lets in-flight requests finish */
  SHUTDOWN_GRACE_SECONDS: z.preprocess(emptyToUndefined, wholeNumber(1, 600).default(25)),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "must be one of fatal, error, warn, info, debug, trace or silent").default("info")),
  /** bearer token for GET /metrics; without it only TRUSTED_PROXIES and loopback may scrape */
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, "must be at least 16 characters").optional()),
  DATABASE_POOL_SIZE: z.preprocess(emptyToUndefined, wholeNumber(1, 200).default(10)),
  /** connections opened at start and kept open (a new connection's first query is the slow one); at most DATABASE_POOL_SIZE */
  DATABASE_POOL_MIN: z.preprocess(emptyToUndefined, wholeNumber(0, 200).optional()),
  /** distinct SQL texts each connection keeps as named prepared statements (0: none, e.g. behind PgBouncer in transaction mode) */
  DATABASE_PREPARED_STATEMENTS: z.preprocess(emptyToUndefined, wholeNumber(0, 10_000).default(500)),
  /** read replicas for telemetry reads (docs/ARCHITECTURE.md, "Read replicas"); PostgreSQL only */
  DATABASE_REPLICA_URLS: z.preprocess(emptyToUndefined, postgresUrlList.optional()),
  /** a replica further behind than this (or unreachable) is skipped; reads go to the primary */
  REPLICA_MAX_LAG_SECONDS: z.preprocess(emptyToUndefined, wholeNumber(0, 86_400).default(10)),
  // Intake (docs/INGESTION.md)
  INGEST_MAX_BODY_BYTES: z.preprocess(emptyToUndefined, wholeNumber(1024, 64 * MIB).default(4 * MIB)),
  INGEST_RATE_LIMIT_PER_SECOND: z.preprocess(emptyToUndefined, wholeNumber(0, 10_000_000).default(1_000)),
  INGEST_RATE_LIMIT_BURST: z.preprocess(emptyToUndefined, wholeNumber(1, 100_000_000).default(20_000)),
  INGEST_GEOIP_CITY_DB: z.preprocess(emptyToUndefined, z.string().optional()),
  AUTH_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  CONTENT_ENCRYPTION_KEYS: z.preprocess(emptyToUndefined, contentKeys.optional()),
  // Identity providers. With none configured (and not in production), the
  // built-in demo identity provider serves on DEMO_IDP_PORT.
  AUTH_OIDC_ISSUER: z.preprocess(emptyToUndefined, z.url().optional()),
  AUTH_OIDC_ID: z.preprocess(emptyToUndefined, z.string().optional()),
  AUTH_OIDC_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
  AUTH_OIDC_NAME: z.string().default("Company SSO"),
  AUTH_GITHUB_ID: z.preprocess(emptyToUndefined, z.string().optional()),
  AUTH_GITHUB_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
  AUTH_MICROSOFT_ENTRA_ID_ID: z.preprocess(emptyToUndefined, z.string().optional()),
  AUTH_MICROSOFT_ENTRA_ID_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
  AUTH_MICROSOFT_ENTRA_ID_ISSUER: z.preprocess(emptyToUndefined, z.url().optional()),
  // Whole numbers in decimal with sensible bounds, like the rest ("abc", "1e3", "0x10", "" are not numbers here).
  DEMO_IDP_PORT: z.preprocess(emptyToUndefined, wholeNumber(1, 65_535).default(3001)),
  /** "off": this process does not start the demo identity provider, it only signs in with it (another instance on this host serves it on DEMO_IDP_PORT) */
  DEMO_IDP: z.preprocess(emptyToUndefined, z.enum(["on", "off"], "must be on or off").default("on")),
  SESSION_IDLE_MINUTES: z.preprocess(emptyToUndefined, wholeNumber(1, 10_080).default(30)),
  SESSION_MAX_HOURS: z.preprocess(emptyToUndefined, wholeNumber(1, 720).default(12)),
  GRANT_MAX_DAYS: z.preprocess(emptyToUndefined, wholeNumber(1, 3_650).default(180)),
  CONTRACTOR_GRANT_MAX_DAYS: z.preprocess(emptyToUndefined, wholeNumber(1, 3_650).default(90)),
  // Access requests (server/data/access/): how recent a sign-in an approval needs, when an
  // unanswered request lapses, and how many days before expiry holders are reminded.
  APPROVAL_FRESHNESS_MINUTES: z.preprocess(emptyToUndefined, wholeNumber(1, 1_440).default(15)),
  ACCESS_REQUEST_LAPSE_DAYS: z.preprocess(emptyToUndefined, wholeNumber(1, 365).default(7)),
  GRANT_REMINDER_DAYS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$/, "must be whole numbers of days separated by commas, such as 14,3")
      .transform((value) => [...new Set(value.split(",").map((part) => Number(part.trim())))].filter((days) => days > 0).sort((a, b) => b - a))
      .refine((days) => days.length > 0, "must name at least one day count above 0, such as 14,3")
      .default([14, 3]),
  ),
  // Access reviews (server/data/access/reviews/): defaults for groups without their own settings —
  // days between campaigns, how long one stays open, what befalls an unreviewed grant at the end —
  // and how often reviewers are reminded while a campaign is open.
  ACCESS_REVIEW_CADENCE_DAYS: z.preprocess(emptyToUndefined, wholeNumber(7, 730).default(90)),
  ACCESS_REVIEW_DURATION_DAYS: z.preprocess(emptyToUndefined, wholeNumber(1, 90).default(14)),
  ACCESS_REVIEW_CONSEQUENCE: z.preprocess(emptyToUndefined, z.enum(["revoke", "flag"], "must be revoke or flag").default("revoke")),
  ACCESS_REVIEW_REMINDER_DAYS: z.preprocess(emptyToUndefined, wholeNumber(1, 30).default(3)),
  // Break-glass (server/data/access/break-glass/): the longest emergency access, in minutes (default one hour).
  BREAK_GLASS_MAX_MINUTES: z.preprocess(emptyToUndefined, wholeNumber(5, 1_440).default(60)),
  EXPORT_MAX_ROWS: z.preprocess(emptyToUndefined, wholeNumber(1, 10_000_000).default(100_000)),
  EXACT_COUNT_THRESHOLD: z.preprocess(emptyToUndefined, wholeNumber(1, 1_000_000_000).default(10_000)),
  AUDIT_CHAINS: z.preprocess(emptyToUndefined, wholeNumber(1, 64).default(8)),
  AUDIT_RETENTION_DAYS: z.preprocess(emptyToUndefined, wholeNumber(1, 36_500).optional()),
  // Signed checkpoints of the audit log (server/audit/checkpoints/): the Ed25519 key (PKCS#8 PEM or a
  // PRIVATE+KEY+… note key), the directory each checkpoint is also written to, and the log's name.
  AUDIT_SIGNING_KEY_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  AUDIT_CHECKPOINT_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  AUDIT_LOG_ORIGIN: z.preprocess(emptyToUndefined, z.string().regex(/^[^\s+]{1,255}$/, "must be a name without spaces or \"+\", such as telemetry.example.com/audit").optional()),
  // Witnesses (server/audit/witness/): where each new checkpoint is submitted (C2SP tlog-witness
  // add-checkpoint URLs; a URL's password, if any, is sent as its bearer token) and each one's
  // cosigner key, in the same order. And this portal as a witness of other logs: the bearer token
  // submitters must send, the logs' verifier keys, and the witness's own cosigning key.
  AUDIT_WITNESS_URLS: z.preprocess(emptyToUndefined, witnessUrlList.optional()),
  AUDIT_WITNESS_KEYS: z.preprocess(emptyToUndefined, keyList("a <name>+<key id>+<base64> witness key, as npm run audit:public-key -- --witness prints it").optional()),
  AUDIT_WITNESS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, "must be at least 16 characters").optional()),
  AUDIT_WITNESS_LOGS: z.preprocess(emptyToUndefined, keyList("a <name>+<key id>+<base64> log verifier key, as npm run audit:public-key prints it").optional()),
  AUDIT_WITNESS_SIGNING_KEY_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  // Notifications (server/notify/): the SMTP relay (SMTP_URL, or SMTP_HOST and the rest), the
  // sender, Slack-compatible webhooks, and the outbox's retry schedule.
  SMTP_URL: z.preprocess(emptyToUndefined, smtpUrl.optional()),
  SMTP_HOST: z.preprocess(emptyToUndefined, listenHost.optional()),
  SMTP_PORT: z.preprocess(emptyToUndefined, wholeNumber(1, 65_535).optional()),
  SMTP_SECURE: z.preprocess(emptyToUndefined, flag.default(false)),
  SMTP_REQUIRE_TLS: z.preprocess(emptyToUndefined, flag.default(false)),
  SMTP_USER: z.preprocess(emptyToUndefined, z.string().max(512).optional()),
  SMTP_PASSWORD: z.preprocess(emptyToUndefined, z.string().max(512).optional()),
  NOTIFY_FROM: z.preprocess(emptyToUndefined, mailbox.optional()),
  NOTIFY_WEBHOOK_URL: z.preprocess(emptyToUndefined, webhookUrls.optional()),
  NOTIFY_WEBHOOK_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, "must be at least 16 characters").optional()),
  NOTIFY_MAX_ATTEMPTS: z.preprocess(emptyToUndefined, wholeNumber(1, 100).default(12)),
  NOTIFY_RETRY_BASE_SECONDS: z.preprocess(emptyToUndefined, wholeNumber(1, 86_400).default(30)),
  NOTIFY_RETRY_MAX_SECONDS: z.preprocess(emptyToUndefined, wholeNumber(1, 604_800).default(3_600)),
  NOTIFY_RETENTION_DAYS: z.preprocess(emptyToUndefined, wholeNumber(1, 3_650).default(30)),
  // Telemetry partitions (server/telemetry/partitions.ts): monthly partitions created this many months ahead,
  // and, when set, partitions entirely older than TELEMETRY_RETENTION_DAYS dropped (unset: kept forever).
  TELEMETRY_PARTITIONS_AHEAD_MONTHS: z.preprocess(emptyToUndefined, wholeNumber(1, 60).default(3)),
  TELEMETRY_RETENTION_DAYS: z.preprocess(emptyToUndefined, wholeNumber(1, 36_500).optional()),
  // Audit alerts (server/audit/alerts/): thresholds ("more than N"; "off" disables a rule) and the working hours.
  ALERT_BULK_READ_EVENTS_PER_HOUR: z.preprocess(emptyToUndefined, alertThreshold(100_000_000).default(5_000)),
  ALERT_REVEALS_PER_HOUR: z.preprocess(emptyToUndefined, alertThreshold(1_000_000).default(20)),
  ALERT_EXPORTS_PER_DAY: z.preprocess(emptyToUndefined, alertThreshold(1_000_000).default(0)),
  ALERT_DENIALS: z.preprocess(emptyToUndefined, alertThreshold(1_000_000).default(10)),
  ALERT_DENIALS_WINDOW_MINUTES: z.preprocess(emptyToUndefined, wholeNumber(1, 1_440).default(10)),
  ALERT_OFF_HOURS: z.preprocess(emptyToUndefined, z.enum(["on", "off"], "must be on or off").default("on")),
  ALERT_WORKING_HOURS: z.preprocess(emptyToUndefined, workingHours.prefault("07:00-20:00")),
  ALERT_WORKING_DAYS: z.preprocess(emptyToUndefined, workingDays.prefault("mon-fri")),
  ALERT_BREAK_GLASS_ACTIONS: z.preprocess(emptyToUndefined, actionPatterns.prefault("access.break_glass")),
  // Streaming the audit trail to a SIEM (server/siem/, docs/SIEM.md): RFC 5424 syslog over TCP or TLS,
  // and/or a Splunk HEC-compatible HTTPS endpoint. Unset: no streaming.
  SIEM_SYSLOG_URL: z.preprocess(emptyToUndefined, syslogUrl.optional()),
  SIEM_SYSLOG_CA_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  SIEM_SYSLOG_NAME: z.preprocess(emptyToUndefined, sinkName.default("syslog")),
  SIEM_SYSLOG_SD_ID: z.preprocess(emptyToUndefined, sdId.default("audit@32473")),
  SIEM_HEC_URL: z.preprocess(emptyToUndefined, hecUrl.optional()),
  SIEM_HEC_TOKEN: z.preprocess(emptyToUndefined, z.string().regex(/^[\x21-\x7e]{1,512}$/, "must be the HEC token (printable characters, no spaces)").optional()),
  SIEM_HEC_CA_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  SIEM_HEC_INDEX: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$/, "must be a Splunk index name").optional()),
  SIEM_HEC_NAME: z.preprocess(emptyToUndefined, sinkName.default("hec")),
  SIEM_START_FROM: z.preprocess(emptyToUndefined, siemStart.default({ kind: "beginning" })),
  SIEM_BATCH_SIZE: z.preprocess(emptyToUndefined, wholeNumber(1, 10_000).default(500)),
  SIEM_TIMEOUT_SECONDS: z.preprocess(emptyToUndefined, wholeNumber(1, 120).default(10)),
});

export type PortalEnv = z.infer<typeof envSchema> & {
  pgliteDataDir: string;
  /** PORT, or 3000 */
  listenPort: number;
  isProduction: boolean;
  isDemoIdentityProvider: boolean;
  /** the audit log's name in its checkpoints (the signing key's name): AUDIT_LOG_ORIGIN, or "<PORTAL_URL host>/audit" */
  auditLogOrigin: string;
  /** this portal's name as a witness (its cosignature key's name): "<PORTAL_URL host>/witness" */
  auditWitnessName: string;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parse and cross-check the environment; throws ConfigError with one sentence. */
export function parseEnv(source: Readonly<Record<string, string | undefined>> = process.env): PortalEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join(".") || "environment";
    throw new ConfigError(`Configuration error: ${name} ${issue?.message ?? "is invalid"}.`);
  }
  const env = parsed.data;
  const isProduction = env.PORTAL_ENV === "production";
  const hasExternalIdp = Boolean(env.AUTH_OIDC_ISSUER || env.AUTH_GITHUB_ID || env.AUTH_MICROSOFT_ENTRA_ID_ID);

  if (env.AUTH_OIDC_ISSUER && (!env.AUTH_OIDC_ID || !env.AUTH_OIDC_SECRET)) {
    throw new ConfigError("Configuration error: AUTH_OIDC_ISSUER is set, so AUTH_OIDC_ID and AUTH_OIDC_SECRET are required too.");
  }
  if (env.AUTH_GITHUB_ID && !env.AUTH_GITHUB_SECRET) {
    throw new ConfigError("Configuration error: AUTH_GITHUB_ID is set, so AUTH_GITHUB_SECRET is required too.");
  }
  if (env.AUTH_MICROSOFT_ENTRA_ID_ID && (!env.AUTH_MICROSOFT_ENTRA_ID_SECRET || !env.AUTH_MICROSOFT_ENTRA_ID_ISSUER)) {
    throw new ConfigError(
      "Configuration error: AUTH_MICROSOFT_ENTRA_ID_ID is set, so AUTH_MICROSOFT_ENTRA_ID_SECRET and AUTH_MICROSOFT_ENTRA_ID_ISSUER are required too.",
    );
  }
  if ((env.DATABASE_REPLICA_URLS?.length ?? 0) > 0 && !env.DATABASE_URL) {
    throw new ConfigError("Configuration error: DATABASE_REPLICA_URLS is set, so DATABASE_URL (the primary) is required too: replicas are for PostgreSQL, not the embedded database.");
  }
  if (env.DATABASE_MIGRATION_URL && !env.DATABASE_URL) {
    throw new ConfigError("Configuration error: DATABASE_MIGRATION_URL is set, so DATABASE_URL (the portal's runtime role) is required too.");
  }
  if (env.DATABASE_MIGRATION_URL && env.DATABASE_URL && databaseName(env.DATABASE_MIGRATION_URL) !== databaseName(env.DATABASE_URL)) {
    throw new ConfigError("Configuration error: DATABASE_MIGRATION_URL must name the same database as DATABASE_URL.");
  }
  if ((env.AUDIT_WITNESS_URLS?.length ?? 0) !== (env.AUDIT_WITNESS_KEYS?.length ?? 0)) {
    throw new ConfigError("Configuration error: AUDIT_WITNESS_KEYS must list one witness key for each URL of AUDIT_WITNESS_URLS, in the same order.");
  }
  if (env.AUDIT_WITNESS_LOGS && !env.AUDIT_WITNESS_TOKEN) {
    throw new ConfigError("Configuration error: AUDIT_WITNESS_LOGS is set, so AUDIT_WITNESS_TOKEN (the bearer token submitters send, at least 16 characters) is required too.");
  }
  if (env.SMTP_URL && env.SMTP_HOST) {
    throw new ConfigError("Configuration error: set either SMTP_URL or SMTP_HOST (with SMTP_PORT, SMTP_SECURE, SMTP_USER, SMTP_PASSWORD), not both.");
  }
  if (Boolean(env.SMTP_USER) !== Boolean(env.SMTP_PASSWORD)) {
    throw new ConfigError("Configuration error: SMTP_USER and SMTP_PASSWORD go together; set both or neither.");
  }
  if ((env.SMTP_USER || env.SMTP_PORT) && !env.SMTP_HOST) {
    throw new ConfigError("Configuration error: SMTP_PORT, SMTP_USER and SMTP_PASSWORD need SMTP_HOST (or put them in SMTP_URL).");
  }
  if (env.SIEM_SYSLOG_CA_FILE && env.SIEM_SYSLOG_URL?.transport !== "tls") {
    throw new ConfigError("Configuration error: SIEM_SYSLOG_CA_FILE is set, so SIEM_SYSLOG_URL must be a tls://host:port URL.");
  }
  if (env.SIEM_HEC_URL && !env.SIEM_HEC_TOKEN) {
    throw new ConfigError("Configuration error: SIEM_HEC_URL is set, so SIEM_HEC_TOKEN is required too.");
  }
  if (!env.SIEM_HEC_URL && (env.SIEM_HEC_TOKEN || env.SIEM_HEC_CA_FILE || env.SIEM_HEC_INDEX)) {
    throw new ConfigError("Configuration error: SIEM_HEC_TOKEN, SIEM_HEC_CA_FILE and SIEM_HEC_INDEX need SIEM_HEC_URL.");
  }
  if (env.SIEM_HEC_CA_FILE && env.SIEM_HEC_URL && !env.SIEM_HEC_URL.startsWith("https:")) {
    throw new ConfigError("Configuration error: SIEM_HEC_CA_FILE is set, so SIEM_HEC_URL must be an https:// URL.");
  }
  if (env.SIEM_SYSLOG_URL && env.SIEM_HEC_URL && env.SIEM_SYSLOG_NAME === env.SIEM_HEC_NAME) {
    throw new ConfigError("Configuration error: SIEM_SYSLOG_NAME and SIEM_HEC_NAME must differ (each sink keeps its own delivery cursors).");
  }
  if (isProduction) {
    if (env.SIEM_HEC_URL?.startsWith("http:")) {
      throw new ConfigError("Configuration error: SIEM_HEC_URL must be an https:// URL when PORTAL_ENV=production (the token and audit rows would travel in clear).");
    }
    if (!env.DATABASE_URL) throw new ConfigError("Configuration error: DATABASE_URL is required when PORTAL_ENV=production.");
    if (!env.AUTH_SECRET) throw new ConfigError("Configuration error: AUTH_SECRET (at least 32 characters) is required when PORTAL_ENV=production.");
    if (!env.CONTENT_ENCRYPTION_KEYS) {
      throw new ConfigError("Configuration error: CONTENT_ENCRYPTION_KEYS (id:base64 32-byte key) is required when PORTAL_ENV=production.");
    }
    if (env.AUDIT_SIGNING_KEY_FILE && !env.AUDIT_CHECKPOINT_DIR) {
      throw new ConfigError(
        "Configuration error: AUDIT_SIGNING_KEY_FILE is set, so AUDIT_CHECKPOINT_DIR (a directory on another volume or a WORM mount) is required too when PORTAL_ENV=production.",
      );
    }
    if (!hasExternalIdp) {
      throw new ConfigError("Configuration error: PORTAL_ENV=production needs an identity provider (AUTH_OIDC_ISSUER, AUTH_GITHUB_ID or AUTH_MICROSOFT_ENTRA_ID_ID); the demo one is refused.");
    }
  }
  return {
    ...env,
    // turbopackIgnore: the data directory is chosen at run time, not traced at build time.
    pgliteDataDir: path.resolve(/*turbopackIgnore: true*/ env.PGLITE_DATA_DIR ?? path.join(env.DATA_DIR, "pglite")),
    listenPort: env.PORT ?? 3000,
    isProduction,
    isDemoIdentityProvider: !hasExternalIdp,
    auditLogOrigin: env.AUDIT_LOG_ORIGIN ?? `${new URL(env.PORTAL_URL).host}/audit`,
    auditWitnessName: `${new URL(env.PORTAL_URL).host}/witness`,
  };
}

let cached: PortalEnv | undefined;

/** The validated environment of this process (parsed on first use). */
export function getEnv(): PortalEnv {
  cached ??= parseEnv();
  return cached;
}
