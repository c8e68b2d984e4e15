// npm run db:roles -- --runtime-role portal_app --migration-role portal_migrate [--database <name>] [--print]
//
// Sets up the two PostgreSQL roles a production portal runs with (see
// server/db/database-roles.ts): the migration role, which owns the schema and
// runs `npm run db:migrate` (DATABASE_MIGRATION_URL), and the runtime role the
// portal connects as (DATABASE_URL), which may read and append audit rows but
// never change, remove or hide them. Creates the roles when missing, moves
// every object in the schema to the migration role, grants the runtime role
// exactly server/db/runtime-privileges.ts, checks the result and commits — or
// with --print only prints the SQL for a DBA to review and run.
//
// Connects with DATABASE_ADMIN_URL (else DATABASE_URL): a superuser, on the
// portal's database (or --database). Passwords come from the environment,
// never the command line: DATABASE_RUNTIME_PASSWORD and
// DATABASE_MIGRATION_PASSWORD (unset keeps an existing role's password); they
// are sent as SCRAM verifiers, not in clear. Run it again at any time: it
// converges, and re-applies the policy to tables later migrations added.
//
// Exit 0: done (or printed). Exit 1: refused (one sentence: what to fix).
// Exit 2: bad arguments, configuration or database error. Always one sentence.
import { parseArgs } from "node:util";
import pg from "pg";
import { z } from "zod";
import { applyDatabaseRoles, DatabaseRolesRefusal, jobQueueInstallStatements, planDatabaseRoles, type DatabaseRolesOptions, type DatabaseRolesPlan } from "../server/db/database-roles";

const USAGE = "Usage: npm run db:roles -- --runtime-role <name> --migration-role <name> [--database <name>] [--print]";

const roleName = (flag: string) =>
  z
    .string(`${flag} is required`)
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, `${flag} must be a lower-case identifier (letters, digits, _; at most 63)`)
    .refine((name) => !name.startsWith("pg_"), `${flag} must not start with pg_ (reserved)`);

const argsSchema = z
  .strictObject({
    "runtime-role": roleName("--runtime-role"),
    "migration-role": roleName("--migration-role"),
    database: z.string().min(1, "--database must not be empty").max(63, "--database must be at most 63 characters").regex(/^[^\0/]+$/, "--database must be a database name").optional(),
    print: z.boolean().optional(),
  })
  .refine((args) => args["runtime-role"] !== args["migration-role"], "--runtime-role and --migration-role must be two different roles");

const password = (name: string) =>
  z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.string().min(12, `${name} must be at least 12 characters`).max(1000, `${name} is too long`).regex(/^[^\0]+$/, `${name} must not contain NUL`).optional(),
  );

const envSchema = z.object({
  adminUrl: z
    .string("Set DATABASE_ADMIN_URL (or DATABASE_URL) to a superuser's postgresql:// URL")
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "postgresql:" || url.protocol === "postgres:") && url.hostname !== "";
      } catch {
        return false;
      }
    }, "DATABASE_ADMIN_URL must be a postgresql://user@host:port/database URL"),
  runtimePassword: password("DATABASE_RUNTIME_PASSWORD"),
  migrationPassword: password("DATABASE_MIGRATION_PASSWORD"),
});

class UsageError extends Error {}

function parseCommandLine(argv: string[]): z.infer<typeof argsSchema> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "runtime-role": { type: "string" },
        "migration-role": { type: "string" },
        database: { type: "string" },
        print: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? (error.message.split(/\.\s|\n/)[0] ?? "Invalid arguments") : "Invalid arguments");
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const { help: _help, ...rest } = values;
  const parsed = argsSchema.safeParse(rest);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? "Invalid arguments");
  return parsed.data;
}

/** The admin URL pointed at the target database, and a role's URL without password. */
function urls(adminUrl: string, database: string | undefined) {
  const admin = new URL(adminUrl);
  if (database) admin.pathname = `/${encodeURIComponent(database)}`;
  const name = decodeURIComponent(admin.pathname.slice(1));
  if (!name) throw new UsageError("DATABASE_ADMIN_URL names no database; add it to the URL or pass --database");
  const forRole = (role: string) => {
    const url = new URL(admin);
    url.username = role;
    url.password = "";
    return url.toString();
  };
  return { admin: admin.toString(), name, location: `${admin.hostname}:${admin.port || 5432}`, forRole };
}

function printSql(plan: DatabaseRolesPlan, where: string, admin: string, connection: string[], runtimeRole: string): void {
  const lines = [
    `-- npm run db:roles: the roles for database ${plan.database} at ${where}. Review, then run as ${admin} (a superuser):`,
    `--   psql -v ON_ERROR_STOP=1 -d ${plan.database} -f <this file>`,
    ...plan.notes.map((note) => `-- ${note}`),
    "BEGIN;",
    ...plan.statements,
    "COMMIT;",
    "-- The job queue's tables (pg-boss), created as the runtime role, which owns them (skip if pgboss.version exists):",
    ...jobQueueInstallStatements(plan.database, runtimeRole),
    "-- Then give the portal (add each role's password):",
    ...connection.map((line) => `--   ${line}`),
    "-- npm start refuses PORTAL_ENV=production while DATABASE_URL's role could change audit rows.",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function main(): Promise<number> {
  const args = parseCommandLine(process.argv.slice(2));
  const env = envSchema.safeParse({
    adminUrl: process.env.DATABASE_ADMIN_URL || process.env.DATABASE_URL || undefined,
    runtimePassword: process.env.DATABASE_RUNTIME_PASSWORD,
    migrationPassword: process.env.DATABASE_MIGRATION_PASSWORD,
  });
  if (!env.success) throw new UsageError(env.error.issues[0]?.message ?? "Invalid environment");
  const target = urls(env.data.adminUrl, args.database);
  const options: DatabaseRolesOptions = {
    runtimeRole: args["runtime-role"],
    migrationRole: args["migration-role"],
    runtimePassword: env.data.runtimePassword,
    migrationPassword: env.data.migrationPassword,
  };
  const connection = [`DATABASE_MIGRATION_URL=${target.forRole(options.migrationRole)}`, `DATABASE_URL=${target.forRole(options.runtimeRole)}`];

  const client = new pg.Client({ connectionString: target.admin, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {}); // reported through the failing query
  try {
    await client.connect().catch((error: unknown) => {
      throw new ConnectionError(describeConnectionFailure(error, target.location, target.name));
    });
    const [{ admin } = { admin: "?" }] = (await client.query<{ admin: string }>("SELECT current_user::text AS admin")).rows;
    if (args.print) {
      printSql(await planDatabaseRoles(async (sql, params) => (await client.query(sql, params)).rows, options), target.location, admin, connection, options.runtimeRole);
      return 0;
    }
    const { plan } = await applyDatabaseRoles(client, options);
    for (const note of plan.notes) console.log(note);
    const created = plan.createdRoles.length > 0 ? `created ${plan.createdRoles.map((role) => `role ${role}`).join(" and ")}; ` : "";
    console.log(
      `Database ${plan.database} at ${target.location}: ${created}${options.migrationRole} owns the schema (${plan.transferredObjects} object${plan.transferredObjects === 1 ? "" : "s"} moved to it); ` +
        `${options.runtimeRole} holds only the portal's runtime grants (on audit_event: SELECT and INSERT).`,
    );
    console.log("Give the portal these (add each role's password):");
    for (const line of connection) console.log(`  ${line}`);
    return 0;
  } catch (error) {
    if (error instanceof DatabaseRolesRefusal) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

class ConnectionError extends Error {}

function describeConnectionFailure(error: unknown, location: string, database: string): string {
  const { code, message } = error as { code?: string; message?: string };
  const reach = `Cannot reach the database at ${location}`;
  switch (code) {
    case "ECONNREFUSED":
      return `${reach}: connection refused.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${reach}: unknown host.`;
    case "3D000":
      return `Database ${database} does not exist at ${location}; create it first (createdb ${database}).`;
    case "28P01":
    case "28000":
      return `The database at ${location} refused the login in DATABASE_ADMIN_URL: ${String(message).replace(/\.$/, "")}.`;
    default:
      return `${reach}: ${String(message ?? error).replace(/\.$/, "")}.`;
  }
}

/** One sentence for the operator; PostgreSQL's own words for database errors. */
function describeFailure(error: unknown): string {
  if (error instanceof UsageError) return `${error.message.replace(/\.$/, "")}. ${USAGE}`;
  if (error instanceof ConnectionError) return error.message;
  const { code, message } = error as { code?: string; message?: string };
  const reason = String(message ?? error).replace(/\.$/, "");
  if (code === "42501") return `db:roles failed: ${reason}; DATABASE_ADMIN_URL must name a superuser.`;
  return `db:roles failed: ${reason}.`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeFailure(error));
    process.exit(2);
  },
);
