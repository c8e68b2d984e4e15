// `npm run db:roles` and the role check against a real PostgreSQL server
// (TEST_DATABASE_URL): the runtime role it makes may read and append audit
// rows and do the portal's work, but every way around the append-only
// triggers fails for it; the migration role owns the schema and runs the
// migrations; checkRuntimeRole names a superuser, an owner, a member of the
// owner and stray grants. Roles are cluster-wide: every name is unique to the
// run, and all of them are dropped afterwards.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seededTestTargets, type TestTarget } from "@/test/test-databases";
import { verifyAuditChain } from "@/server/audit/verify-audit-chain";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { listEvents } from "@/server/data/list-events";
import { disablePerson } from "@/server/data/admin/disable-person";
import { checkRuntimeRole, describeRuntimeRoleRefusal, type RuntimeRoleReport } from "./check-runtime-role";
import { connectDatabase, SESSION_OPTIONS, type Database } from "./connect";
import { MigrationError, migrateDatabase } from "./migrate";
import { RUNTIME_TABLE_GRANTS } from "./runtime-privileges";
import { signInForTest } from "@/test/sessions";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 13).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest db roles", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
}));

vi.mock("@/server/db/client", () => ({
  getDatabase: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db;
  },
  getPrisma: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db.prisma;
  },
}));

const PROJECT_DIR = path.resolve(import.meta.dirname, "../..");
const serverUrl = process.env.TEST_DATABASE_URL;
const quiet = () => undefined;
const location = (() => {
  const url = new URL(serverUrl ?? "postgresql://localhost/postgres");
  return `${url.hostname}:${url.port || 5432}`;
})();

function urlFor(database: string, role?: string): string {
  const url = new URL(serverUrl ?? "postgresql://localhost/postgres");
  url.pathname = `/${database}`;
  if (role) {
    url.username = role;
    url.password = "";
  }
  return url.toString();
}

/** Runs `sql` on a fresh connection (as the portal connects) and returns the rows. */
async function run(url: string, sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url, options: SESSION_OPTIONS });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function checkAs(url: string): Promise<RuntimeRoleReport> {
  const client = new pg.Client({ connectionString: url, options: SESSION_OPTIONS });
  await client.connect();
  try {
    return await checkRuntimeRole(async (sql, params) => (await client.query(sql, params)).rows);
  } finally {
    await client.end();
  }
}

/** `npm run db:roles -- …` as an operator runs it. */
function dbRoles(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(PROJECT_DIR, "node_modules", ".bin", "tsx"), ["scripts/db-roles.ts", ...args], {
      cwd: PROJECT_DIR,
      env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

describe.skipIf(!serverUrl)("npm run db:roles on PostgreSQL", () => {
  const suffix = randomBytes(5).toString("hex");
  const migrated = `tp_roles_it_${suffix}`;
  const empty = `tp_roles_empty_it_${suffix}`;
  const runtime = `tp_it_app_${suffix}`;
  const migration = `tp_it_mig_${suffix}`;
  const password = `runtime-${randomBytes(12).toString("hex")}`;
  const roleArgs = ["--runtime-role", runtime, "--migration-role", migration];
  const adminEnv = (database: string) => ({ DATABASE_ADMIN_URL: urlFor(database) });

  beforeAll(async () => {
    await run(urlFor("postgres"), `CREATE DATABASE ${migrated}`);
    await run(urlFor("postgres"), `CREATE DATABASE ${empty}`);
    // As the README's production path: migrate as the administrator first.
    await migrateDatabase({ env: { ...process.env, DATABASE_URL: urlFor(migrated), DATABASE_MIGRATION_URL: "" }, log: quiet });
  });

  afterAll(async () => {
    for (const database of [migrated, empty]) await run(urlFor("postgres"), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const role of [runtime, migration]) await run(urlFor("postgres"), `DROP ROLE IF EXISTS ${role}`);
  });

  it("prints the SQL for a DBA with --print, without the password in clear, and changes nothing", async () => {
    const { code, stdout } = await dbRoles([...roleArgs, "--print"], { ...adminEnv(migrated), DATABASE_RUNTIME_PASSWORD: password });
    expect(code).toBe(0);
    expect(stdout).toContain(`CREATE ROLE "${runtime}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:`);
    expect(stdout).toContain(`ALTER TABLE public.audit_event OWNER TO "${migration}";`);
    expect(stdout).toContain(`GRANT SELECT, INSERT ON "public"."audit_event" TO "${runtime}";`);
    expect(stdout).toContain(`DATABASE_URL=${urlFor(migrated, runtime)}`);
    expect(stdout).not.toContain(password);
    expect(await run(urlFor("postgres"), "SELECT rolname FROM pg_roles WHERE rolname = ANY($1)", [[runtime, migration]])).toEqual([]);
  });

  it("creates both roles when the printed SQL runs: the migration role owns everything, the runtime role nothing", async () => {
    const { stdout } = await dbRoles([...roleArgs, "--print"], { ...adminEnv(migrated), DATABASE_RUNTIME_PASSWORD: password });
    await run(urlFor(migrated), stdout); // as a DBA would with psql -f

    const roles = await run(urlFor(migrated), "SELECT rolname, rolsuper, rolcanlogin, rolpassword FROM pg_authid WHERE rolname = ANY($1) ORDER BY rolname", [
      [runtime, migration],
    ]);
    expect(roles.map(({ rolname, rolsuper, rolcanlogin }) => ({ rolname, rolsuper, rolcanlogin }))).toEqual([
      { rolname: runtime, rolsuper: false, rolcanlogin: true },
      { rolname: migration, rolsuper: false, rolcanlogin: true },
    ]);
    expect(String(roles[0]?.rolpassword)).toMatch(/^SCRAM-SHA-256\$4096:/);
    const owners = await run(
      urlFor(migrated),
      `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
       UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'
       UNION SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'public'::regnamespace`,
    );
    expect(owners).toEqual([{ owner: migration }]);
    expect(describeRuntimeRoleRefusal(await checkAs(urlFor(migrated, runtime)))).toBeNull();
  });

  it("converges when run again, and prints the two connection strings without passwords", async () => {
    const { code, stdout, stderr } = await dbRoles(roleArgs, { ...adminEnv(migrated), DATABASE_RUNTIME_PASSWORD: password });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      `Database ${migrated} at ${location}: ${migration} owns the schema (0 objects moved to it); ${runtime} holds only the portal's runtime grants (on audit_event: SELECT and INSERT).`,
      "Give the portal these (add each role's password):",
      `  DATABASE_MIGRATION_URL=${urlFor(migrated, migration)}`,
      `  DATABASE_URL=${urlFor(migrated, runtime)}`,
    ]);
    expect(stdout).not.toContain(password);
  });

  it("lets the runtime role read and append audit rows, and refuses every way around the append-only triggers", async () => {
    const asRuntime = urlFor(migrated, runtime);
    const db = await connectDatabase({ databaseUrl: asRuntime, pgliteDataDir: "(unused)", poolSize: 2 });
    try {
      const written = await db.prisma.$transaction((tx) =>
        writeAuditEvent(tx, { requestId: randomUUID(), actor: null, actorIp: null, actorUserAgent: "vitest", action: "auth.sign_in", outcome: "denied", reason: "db roles test" }, { chains: 8 }),
      );
      expect(written.seq).toBe(1n);
      expect(await db.prisma.auditEvent.count()).toBe(1);

      const attacks: Array<[string, RegExp]> = [
        ["UPDATE audit_event SET reason = 'edited'", /permission denied for table audit_event/],
        ["DELETE FROM audit_event", /permission denied for table audit_event/],
        ["TRUNCATE audit_event", /permission denied for table audit_event/],
        ["ALTER TABLE audit_event DISABLE TRIGGER ALL", /must be owner of table audit_event/],
        ["DROP TRIGGER audit_event_no_update_delete ON audit_event", /must be owner of relation audit_event/],
        ["SET session_replication_role = replica", /permission denied to set parameter "session_replication_role"/],
        [
          "CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
          /permission denied for schema public|must be owner of function/,
        ],
        ["CREATE FUNCTION public.sha256(text) RETURNS bytea LANGUAGE sql AS 'SELECT NULL::bytea'", /permission denied for schema public/],
        [`CREATE SCHEMA "${runtime}"`, /permission denied for database/],
        ["DELETE FROM audit_chain_head", /permission denied for table audit_chain_head/],
        ["ALTER TABLE audit_chain_head DISABLE TRIGGER ALL", /must be owner of table audit_chain_head/],
        [`UPDATE audit_chain_head SET seq = 0 WHERE chain_id = ${written.chainId}`, /audit_chain_head only moves forward/],
      ];
      for (const [sql, refusal] of attacks) {
        await expect(run(asRuntime, sql), sql).rejects.toThrow(refusal);
      }
      expect(await run(asRuntime, "SELECT reason FROM audit_event")).toEqual([{ reason: "db roles test" }]);
      expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, chains: 1, rowsChecked: 1 });
    } finally {
      await db.close();
    }
  });

  it("reports a superuser, the owner, a member of the owner and stray grants, and passes the runtime role", async () => {
    const postgres = await checkAs(urlFor(migrated));
    expect(postgres.problems).toContain("is a superuser");
    expect(describeRuntimeRoleRefusal(postgres)).toMatch(
      /^Refusing to start: the database role "postgres" in DATABASE_URL is a superuser.*; run npm run db:roles to create a least-privilege runtime role and put it in DATABASE_URL/,
    );
    expect((await checkAs(urlFor(migrated, migration))).problems).toEqual([
      "owns table audit_event, table audit_chain_head, function audit_event_refuse_change(), function audit_chain_head_guard() and schema public",
    ]);
    expect(await checkAs(urlFor(migrated, runtime))).toEqual({ role: runtime, problems: [], missingAuditTable: false });

    await run(urlFor(migrated), `GRANT ${migration} TO ${runtime}`);
    expect((await checkAs(urlFor(migrated, runtime))).problems).toEqual([
      `is a member of role ${migration}, which owns table audit_event, table audit_chain_head, function audit_event_refuse_change(), function audit_chain_head_guard() and schema public`,
    ]);
    await run(urlFor(migrated), `REVOKE ${migration} FROM ${runtime}`);

    await run(
      urlFor(migrated),
      `GRANT UPDATE (reason), DELETE ON audit_event TO ${runtime}; GRANT TRUNCATE ON audit_chain_head TO ${runtime};
       GRANT CREATE ON SCHEMA public TO ${runtime}; ALTER ROLE ${runtime} SET session_replication_role = replica`,
    );
    expect((await checkAs(urlFor(migrated, runtime))).problems).toEqual([
      "may UPDATE and DELETE audit_event",
      "may TRUNCATE audit_chain_head",
      "may create objects in schema public",
      "runs with session_replication_role set to skip triggers",
    ]);
    // db:roles puts it right.
    expect((await dbRoles(roleArgs, adminEnv(migrated))).code).toBe(0);
    expect((await checkAs(urlFor(migrated, runtime))).problems).toEqual([]);
  });

  it("refuses, changing nothing, when the runtime role would still be able to write audit rows", async () => {
    await run(urlFor(migrated), `GRANT pg_write_all_data TO ${runtime}`);
    try {
      const { code, stderr } = await dbRoles(roleArgs, { ...adminEnv(migrated), DATABASE_MIGRATION_PASSWORD: "a-new-migration-password" });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `Nothing was changed: even after these grants the role ${runtime} may UPDATE and DELETE audit_event, may DELETE audit_chain_head and is a member of pg_write_all_data; remove that (e.g. REVOKE the membership) and run npm run db:roles again.`,
      );
      const [role] = await run(urlFor(migrated), "SELECT rolpassword FROM pg_authid WHERE rolname = $1", [migration]);
      expect(role?.rolpassword).toBeNull(); // the transaction rolled back
    } finally {
      await run(urlFor(migrated), `REVOKE pg_write_all_data FROM ${runtime}`);
    }
  });

  it("prepares an empty database; migrations run as the migration role; a second run grants per table", async () => {
    const first = await dbRoles(roleArgs, adminEnv(empty));
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Database ${empty} has no portal tables yet: run npm run db:migrate as ${migration} (DATABASE_MIGRATION_URL)`);

    // The runtime role cannot migrate; the sentence says which role can.
    const asRuntime = { ...process.env, DATABASE_URL: urlFor(empty, runtime), DATABASE_MIGRATION_URL: "" };
    await expect(migrateDatabase({ env: asRuntime, log: quiet })).rejects.toThrow(
      new MigrationError(
        `Migrating PostgreSQL database ${empty} at ${location} failed: permission denied for schema public; migrations run as the role that owns the schema: set DATABASE_MIGRATION_URL to it (see npm run db:roles).`,
      ),
    );
    const lines: string[] = [];
    await migrateDatabase({ env: { ...asRuntime, DATABASE_MIGRATION_URL: urlFor(empty, migration) }, log: (line) => lines.push(line) });
    expect(lines[0]).toMatch(new RegExp(`^Applied \\d+ migrations to PostgreSQL database ${empty} at ${location.replace(/\./g, "\\.")}`));
    const owners = await run(urlFor(empty), "SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace");
    expect(owners).toEqual([{ owner: migration }]);

    // Every table the migrations create is in the runtime policy (add new ones to server/db/runtime-privileges.ts).
    const tables = await run(urlFor(empty), "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')");
    expect(tables.map((row) => String(row.relname)).sort()).toEqual(Object.keys(RUNTIME_TABLE_GRANTS).sort());

    // Tables made after the first run get the default grants: too much on audit_event, so start-up would refuse.
    expect((await checkAs(urlFor(empty, runtime))).problems).toEqual(["may UPDATE and DELETE audit_event", "may DELETE audit_chain_head"]);
    const second = await dbRoles(roleArgs, adminEnv(empty));
    expect(second.code).toBe(0);
    expect((await checkAs(urlFor(empty, runtime))).problems).toEqual([]);
    // Without DATABASE_MIGRATION_URL, start-up's migration step as the runtime role finds nothing to do.
    const upToDate: string[] = [];
    await migrateDatabase({ env: asRuntime, log: (line) => upToDate.push(line) });
    expect(upToDate[0]).toMatch(/^No pending migrations/);

    // A later migration's table is usable at once, and db:roles names it until the policy does.
    await run(urlFor(empty, migration), "CREATE TABLE later_feature (id int PRIMARY KEY, note text)");
    await run(urlFor(empty, runtime), "INSERT INTO later_feature VALUES (1, 'a'); UPDATE later_feature SET note = 'b'; DELETE FROM later_feature");
    const third = await dbRoles(roleArgs, adminEnv(empty));
    expect(third.stdout).toContain(`Table later_feature is not in server/db/runtime-privileges.ts: ${runtime} was granted SELECT, INSERT, UPDATE, DELETE.`);
  });

  it("says what is wrong with its arguments and environment in one sentence (exit 2), or refuses (exit 1)", async () => {
    const usage = "Usage: npm run db:roles -- --runtime-role <name> --migration-role <name> [--database <name>] [--print]";
    const cases: Array<[args: string[], env: Record<string, string>, code: number, stderr: string]> = [
      [["--runtime-role", runtime], adminEnv(migrated), 2, `--migration-role is required. ${usage}`],
      [["--runtime-role", "portal", "--migration-role", "portal"], adminEnv(migrated), 2, `--runtime-role and --migration-role must be two different roles. ${usage}`],
      [
        ["--runtime-role", "Portal App", "--migration-role", "m"],
        adminEnv(migrated),
        2,
        `--runtime-role must be a lower-case identifier (letters, digits, _; at most 63). ${usage}`,
      ],
      [["--runtime-role", "pg_app", "--migration-role", "m"], adminEnv(migrated), 2, `--runtime-role must not start with pg_ (reserved). ${usage}`],
      [["--runtime-role", "a", "--migration-role", "m", "--password", "x"], adminEnv(migrated), 2, `Unknown option '--password'. ${usage}`],
      [roleArgs, {}, 2, `Set DATABASE_ADMIN_URL (or DATABASE_URL) to a superuser's postgresql:// URL. ${usage}`],
      [roleArgs, { ...adminEnv(migrated), DATABASE_RUNTIME_PASSWORD: "short" }, 2, `DATABASE_RUNTIME_PASSWORD must be at least 12 characters. ${usage}`],
      [
        [...roleArgs, "--database", `${migrated}_missing`],
        adminEnv(migrated),
        2,
        `Database ${migrated}_missing does not exist at ${location}; create it first (createdb ${migrated}_missing).`,
      ],
      [["--runtime-role", "postgres", "--migration-role", migration], adminEnv(migrated), 1, "--runtime-role must not be postgres, the role that runs npm run db:roles; name a new role."],
    ];
    const results = await Promise.all(cases.map(([args, env]) => dbRoles(args, env)));
    expect(results.map(({ code, stderr }) => ({ code, stderr }))).toEqual(cases.map(([, , code, stderr]) => ({ code, stderr })));
  });
});

describe.skipIf(!serverUrl)("the portal's data layer as the runtime role", () => {
  let target: TestTarget;
  let db: Database;

  beforeAll(async () => {
    const targets = seededTestTargets({ label: "roles", keys: [{ id: "itk1", key: Buffer.alloc(32, 13) }], events: 200, seed: 5, runtimeRole: true });
    for (const unused of targets.filter((candidate) => candidate.name !== "PostgreSQL")) await unused.dispose();
    target = targets.find((candidate) => candidate.name === "PostgreSQL")!;
    db = await target.open();
    state.db = db;
  });

  afterAll(async () => {
    state.db = null;
    state.token = null;
    await db?.close();
    await target?.dispose();
  });

  async function signIn(email: string): Promise<void> {
    state.token = await signInForTest(db.prisma, email, { purpose: "improve_product" });
  }

  const auditActions = async () =>
    (await db.prisma.auditEvent.findMany({ orderBy: { id: "asc" }, select: { action: true, outcome: true } })).map((row) => `${row.action}:${row.outcome}`);

  it("connects as a role that passes the check", async () => {
    const [me] = await db.prisma.$queryRawUnsafe<Array<{ role: string }>>("SELECT current_user::text AS role");
    expect(me?.role).toMatch(/^tp_it_app_[0-9a-f]{10}$/);
    expect(await checkRuntimeRole(async (sql, params) => db.prisma.$queryRawUnsafe(sql, ...(params ?? [])))).toMatchObject({ problems: [] });
  });

  it("serves an audited read and an audited admin change, and the trail verifies", async () => {
    await signIn("viewer.copilot@github.example");
    const page = await listEvents({ limit: "10" });
    expect(page.items).toHaveLength(10);

    await signIn("admin@github.example");
    const expired = await db.prisma.person.findUniqueOrThrow({ where: { email: "expired@github.example" } });
    await expect(disablePerson({ personId: expired.id, reason: "Left the company" })).resolves.toMatchObject({ id: expired.id });
    expect((await db.prisma.person.findUniqueOrThrow({ where: { id: expired.id } })).status).toBe("disabled");

    expect(await auditActions()).toEqual(["events.list:allowed", "admin.person_disable:allowed"]);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, rowsChecked: 2 });
  });
});
