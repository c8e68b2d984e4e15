// `npm start` with bad configuration stops with one sentence, not a stack trace;
// so does production start-up as a database role that could rewrite audit rows.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyDatabaseRoles } from "../server/db/database-roles";

const root = path.resolve(import.meta.dirname, "..");

function messageOf(line: string): string {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === "string" ? parsed.msg : line;
  } catch {
    return line;
  }
}

function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", SKIP_BUILD: "true", DATA_DIR: "/nonexistent-portal-data", ...env },
    encoding: "utf8",
    timeout: 60_000,
    // A start that hangs must not hang the suite (SIGTERM would be handled: it drains).
    killSignal: "SIGKILL",
  });
  const output = `${result.stdout}${result.stderr}`
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.includes("oidc-provider WARNING"))
    // Start-up's own messages are JSON log lines (pino) once the configuration is valid: read their text.
    .map(messageOf);
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

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)("npm start in production and the database role (TEST_DATABASE_URL)", () => {
  const suffix = randomBytes(5).toString("hex");
  const superuserDatabase = `tp_start_it_${suffix}`;
  const rolesDatabase = `tp_start_roles_it_${suffix}`;
  const roles = { runtimeRole: `tp_it_app_${suffix}`, migrationRole: `tp_it_mig_${suffix}` };
  const urlFor = (name: string, role?: string) => {
    const url = new URL(serverUrl ?? "postgresql://localhost/postgres");
    url.pathname = `/${name}`;
    if (role) url.username = role;
    return url.toString();
  };
  const onServer = async (sql: string) => {
    const client = new pg.Client({ connectionString: urlFor("postgres") });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  /** `npm run db:roles` on rolesDatabase */
  const setUpRoles = async () => {
    const client = new pg.Client({ connectionString: urlFor(rolesDatabase) });
    await client.connect();
    try {
      await applyDatabaseRoles(client, roles);
    } finally {
      await client.end();
    }
  };
  // A port in use: should start-up get past the role check and a build exist, listening fails at once instead of serving.
  const busy = net.createServer();
  let production: Record<string, string>;

  beforeAll(async () => {
    await onServer(`CREATE DATABASE ${superuserDatabase}`);
    await onServer(`CREATE DATABASE ${rolesDatabase}`);
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    production = {
      PORTAL_ENV: "production",
      PORTAL_URL: `http://localhost:${(busy.address() as net.AddressInfo).port}`,
      // A port already taken: a start that gets past every check stops there, with one sentence.
      PORT: String((busy.address() as net.AddressInfo).port),
      HOST: "127.0.0.1",
      AUTH_SECRET: "x".repeat(40),
      AUTH_OIDC_ISSUER: "https://login.example.com",
      AUTH_OIDC_ID: "portal",
      AUTH_OIDC_SECRET: "secret",
      CONTENT_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString("base64")}`,
    };
  });

  afterAll(async () => {
    busy.close();
    for (const name of [superuserDatabase, rolesDatabase]) await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await onServer(`DROP ROLE IF EXISTS ${roles.runtimeRole}; DROP ROLE IF EXISTS ${roles.migrationRole}`);
  });

  it("refuses a superuser DATABASE_URL with one sentence and exits 1", () => {
    const { status, output } = start({ ...production, DATABASE_URL: urlFor(superuserDatabase) });
    expect(status).toBe(1);
    expect(output).toEqual([
      expect.stringMatching(/^Applied \d+ migrations to PostgreSQL database/),
      'Refusing to start: the database role "postgres" in DATABASE_URL is a superuser and owns table audit_event, table audit_chain_head, function audit_event_refuse_change() and function audit_chain_head_guard(), so it could rewrite or remove audit rows; run npm run db:roles to create a least-privilege runtime role and put it in DATABASE_URL (README, "Production").',
    ]);
  });

  it("migrates as DATABASE_MIGRATION_URL's role, and runs as DATABASE_URL's only once db:roles has limited it", async () => {
    // Roles first, on an empty database: the tables the migrations create get the default grants, too much on audit_event.
    await setUpRoles();
    const env = { ...production, DATABASE_URL: urlFor(rolesDatabase, roles.runtimeRole), DATABASE_MIGRATION_URL: urlFor(rolesDatabase, roles.migrationRole) };
    const first = start(env);
    expect(first.status).toBe(1);
    expect(first.output).toEqual([
      expect.stringMatching(/^Applied \d+ migrations to PostgreSQL database/),
      `Refusing to start: the database role "${roles.runtimeRole}" in DATABASE_URL may UPDATE and DELETE audit_event and may DELETE audit_chain_head, so it could rewrite or remove audit rows; run npm run db:roles to create a least-privilege runtime role and put it in DATABASE_URL (README, "Production").`,
    ]);

    await setUpRoles();
    const second = start(env);
    expect(second.output[0]).toMatch(/^No pending migrations: PostgreSQL database/);
    expect(second.output.join("\n")).not.toMatch(/Refusing to start/);
  });
});
