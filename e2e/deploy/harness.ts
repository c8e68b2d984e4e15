// The deployment specs' own setup, made of real parts: a fresh PostgreSQL
// database, portal instances started the way an operator starts them
// (`node --import tsx scripts/start.ts`, the build `npm test` made), Debian's
// nginx running docs/deploy/nginx.conf, and a self-signed certificate from
// openssl. Nothing here is shared with the persona specs: these specs start
// and stop their own processes on their own ports and database.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";
const LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";

/** A TCP port nothing listens on right now (the kernel picks it). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // nginx's worker processes (user nobody) must reach their temp paths under it.
  fs.chmodSync(dir, 0o755);
  return dir;
}

// ── PostgreSQL ─────────────────────────────────────────────────────────────

export type DeployDatabase = {
  url: string;
  sql<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
};

/**
 * A fresh database (tp_deploy_<random>) on the server the browser tests use
 * (scripts/test.ts passes it as DATABASE_URL), dropped by drop().
 */
export async function createDeployDatabase(): Promise<DeployDatabase> {
  const server = new URL(process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || LOCAL_POSTGRES);
  server.pathname = "/postgres";
  const name = `tp_deploy_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    url: url.toString(),
    async sql<Row extends Record<string, unknown>>(text: string, params: unknown[] = []) {
      return (await pool.query<Row>(text, params)).rows;
    },
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: server.toString() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

// ── Portal instances ───────────────────────────────────────────────────────

/** What every instance of one deployment shares: the secrets (content keys encrypt the seed's snippets). */
export function sharedSecrets(): { AUTH_SECRET: string; CONTENT_ENCRYPTION_KEYS: string } {
  return { AUTH_SECRET: randomBytes(32).toString("base64url"), CONTENT_ENCRYPTION_KEYS: `deploy:${randomBytes(32).toString("base64")}` };
}

export type InstanceOptions = {
  name: string;
  /** PORTAL_URL */
  publicUrl: string;
  port: number;
  databaseUrl: string;
  secrets: { AUTH_SECRET: string; CONTENT_ENCRYPTION_KEYS: string };
  idpPort: number;
  /** whether this process serves the demo identity provider (only one per host may) */
  demoIdp: "on" | "off";
  /** TRUSTED_PROXIES; unset trusts none */
  trustedProxies?: string;
  /** seed an empty database (only the first instance of a deployment) */
  seed: boolean;
  env?: Record<string, string>;
};

export type PortalInstance = {
  name: string;
  port: number;
  /** host:port as nginx's $upstream_addr names it */
  address: string;
  child: ChildProcess;
  /** stdout and stderr, as lines (JSON log lines in this mode) */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stop(): Promise<void>;
};

/** Variables of the test runner that must not leak into an instance (it gets its own). */
const RUNNER_ONLY = ["DATABASE_URL", "TEST_DATABASE_URL", "TRUSTED_PROXIES", "PORTAL_URL", "PORT", "HOST", "DEMO_IDP_PORT", "DEMO_IDP", "DATA_DIR", "PGLITE_DATA_DIR", "METRICS_TOKEN", "NODE_OPTIONS"];

/** Starts `node --import tsx scripts/start.ts` (no build: the suite's build) and waits until /readyz says ready. */
export async function startInstance(options: InstanceOptions): Promise<PortalInstance> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of RUNNER_ONLY) delete env[name];
  Object.assign(env, {
    PORTAL_ENV: "development",
    PORTAL_URL: options.publicUrl,
    PORT: String(options.port),
    HOST: "127.0.0.1",
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: tempDir(`tp-deploy-${options.name}-`),
    DEMO_IDP_PORT: String(options.idpPort),
    DEMO_IDP: options.demoIdp,
    SKIP_BUILD: "true",
    SEED_IF_EMPTY: String(options.seed),
    SEED_EVENTS: "300",
    LOG_LEVEL: "info",
    NEXT_TELEMETRY_DISABLED: "1",
    ...options.secrets,
    ...(options.trustedProxies ? { TRUSTED_PROXIES: options.trustedProxies } : {}),
    ...options.env,
  });
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const instance: PortalInstance = {
    name: options.name,
    port: options.port,
    address: `127.0.0.1:${options.port}`,
    child,
    output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(killer);
      }
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 180_000;
  let stopped = false;
  void exited.then(() => (stopped = true));
  while (Date.now() < deadline) {
    if (stopped) throw new Error(`portal instance ${options.name} exited while starting:\n${output.slice(-30).join("\n")}`);
    const status = await httpStatus(`http://127.0.0.1:${options.port}/readyz`).catch(() => 0);
    if (status === 200) return instance;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await instance.stop();
  throw new Error(`portal instance ${options.name} was not ready within 180 s:\n${output.slice(-30).join("\n")}`);
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 5_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
  });
}

// ── TLS and nginx ──────────────────────────────────────────────────────────

/** A self-signed certificate for `hostname` (CN and subjectAltName), valid two days. */
export function selfSignedCertificate(dir: string, hostname: string): { cert: string; key: string } {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  const result = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${hostname}`, "-addext", `subjectAltName=DNS:${hostname}`],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  fs.chmodSync(key, 0o600);
  return { cert, key };
}

export type Substitution = readonly [from: string, to: string];

/**
 * The shipped site file with each `from` replaced by `to`. Every `from` must
 * occur: if the shipped file changes, the test fails here instead of quietly
 * testing something else.
 */
export function deriveSiteConfig(shipped: string, substitutions: readonly Substitution[]): string {
  let config = shipped;
  for (const [from, to] of substitutions) {
    if (!config.includes(from)) throw new Error(`docs/deploy/nginx.conf no longer contains ${JSON.stringify(from)}: update the deployment spec's substitutions`);
    config = config.split(from).join(to);
  }
  return config;
}

/** A complete nginx.conf around a site file, with every path nginx writes inside `dir` (no root directories needed). */
export function wrapSiteConfig(dir: string, site: string): string {
  const temp = (name: string) => {
    const full = path.join(dir, name);
    fs.mkdirSync(full, { recursive: true, mode: 0o777 });
    fs.chmodSync(full, 0o777);
    return full;
  };
  return `# generated by e2e/deploy/harness.ts from docs/deploy/nginx.conf
worker_processes 1;
error_log ${path.join(dir, "error.log")} notice;
events { worker_connections 512; }
http {
  default_type application/octet-stream;
  access_log ${path.join(dir, "default-access.log")};
  client_body_temp_path ${temp("client_body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
${site}
}
`;
}

export type Nginx = { child: ChildProcess; output: string[]; stop(): Promise<void> };

/** Checks the configuration (nginx -t), then runs nginx in the foreground as a child of the test. */
export async function startNginx(dir: string, config: string, probe: { port: number; hostname: string }): Promise<Nginx> {
  const file = path.join(dir, "nginx.conf");
  fs.writeFileSync(file, config);
  const globals = `daemon off; pid ${path.join(dir, "nginx.pid")};`;
  const check = spawnSync(NGINX, ["-t", "-q", "-c", file, "-g", globals], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t refused the derived configuration:\n${check.stderr}\n${config}`);
  const child = spawn(NGINX, ["-c", file, "-g", globals], { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited:\n${output.join("\n")}\n${readIfExists(path.join(dir, "error.log"))}`);
    if (await canConnect(probe.port)) return { child, output, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`nginx did not listen on ${probe.port}:\n${readIfExists(path.join(dir, "error.log"))}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

export function readIfExists(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/** One HTTP request from a chosen local address (to play a proxy, or a client), for what a browser cannot send. */
export function rawRequest(options: http.RequestOptions): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ timeout: 10_000, ...options }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
    request.end();
  });
}
