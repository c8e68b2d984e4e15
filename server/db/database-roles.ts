// The two database roles of a production deployment (`npm run db:roles`):
// - the migration role owns the schema and everything in it and runs
//   `npm run db:migrate` (DATABASE_MIGRATION_URL);
// - the runtime role is what the portal connects as (DATABASE_URL): it owns
//   nothing, is no superuser and no member of the owner, and holds exactly
//   RUNTIME_TABLE_GRANTS (server/db/runtime-privileges.ts) — on audit_event
//   only SELECT and INSERT — so that it cannot disable, drop or go around the
//   append-only triggers (server/db/check-runtime-role.ts).
//
// planDatabaseRoles reads the catalog and returns the statements, which
// applyDatabaseRoles runs in one transaction, checking the runtime role with
// checkRuntimeRole before it commits; `--print` shows them to a DBA instead.
// Every statement is idempotent in effect: running it again converges. On a
// database without the portal's tables it prepares the roles, the schema's
// ownership and the default privileges; the per-table grants need a second
// run after the migrations.
//
// No "server-only": scripts/db-roles.ts uses it.
import type pg from "pg";
import { checkRuntimeRole, describeRuntimeRoleRefusal, listOf, quoteIdent, type Query, type RuntimeRoleReport } from "./check-runtime-role";
import { DEFAULT_TABLE_PRIVILEGES, JOB_QUEUE_SCHEMA, PORTAL_SCHEMA, RUNTIME_TABLE_GRANTS, TELEMETRY_PARTITION_SCHEMA } from "./runtime-privileges";
import { scramSha256Verifier } from "./scram-verifier";
import PgBoss from "pg-boss";

/** A SQL string literal. */
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export type DatabaseRolesOptions = {
  runtimeRole: string;
  migrationRole: string;
  /** set (or change) the role's password; unset keeps an existing role's */
  runtimePassword?: string;
  migrationPassword?: string;
};

export type DatabaseRolesPlan = {
  database: string;
  /** audit_event exists: the per-table grants apply and the runtime role can be checked */
  migrated: boolean;
  statements: string[];
  /** one line each: what the plan does that the operator should know */
  notes: string[];
  createdRoles: string[];
  /** schema objects whose ownership moves to the migration role */
  transferredObjects: number;
};

/** A precondition that stops the plan: one sentence for the operator. */
export class DatabaseRolesRefusal extends Error {
  override name = "DatabaseRolesRefusal";
}

const ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

export async function planDatabaseRoles(query: Query, options: DatabaseRolesOptions): Promise<DatabaseRolesPlan> {
  const { runtimeRole, migrationRole } = options;
  const runtime = quoteIdent(runtimeRole);
  const migration = quoteIdent(migrationRole);
  const schema = quoteIdent(PORTAL_SCHEMA);

  const [session] = await query(
    `SELECT current_user::text AS admin, current_database() AS database,
            to_regclass(format('%I.%I', $1::text, 'audit_event')) IS NOT NULL AS migrated`,
    [PORTAL_SCHEMA],
  );
  const database = String(session?.database);
  if (runtimeRole === session?.admin) {
    throw new DatabaseRolesRefusal(`--runtime-role must not be ${runtimeRole}, the role that runs npm run db:roles; name a new role.`);
  }
  const migrated = session?.migrated === true;

  const roles = await query(`SELECT rolname, rolsuper FROM pg_roles WHERE rolname = ANY($1::text[])`, [[runtimeRole, migrationRole]]);
  const existing = new Map(roles.map((row) => [String(row.rolname), row.rolsuper === true]));
  if (existing.get(runtimeRole)) {
    throw new DatabaseRolesRefusal(`--runtime-role ${runtimeRole} is a superuser; the portal must run as a role that is not, so name a new one.`);
  }

  const statements: string[] = [];
  const notes: string[] = [];
  const createdRoles: string[] = [];
  if (!migrated) {
    notes.push(
      `Database ${database} has no portal tables yet: run npm run db:migrate as ${migrationRole} (DATABASE_MIGRATION_URL), then npm run db:roles again for the per-table grants; until then npm start refuses PORTAL_ENV=production.`,
    );
  }

  // 1. The roles. The runtime role's attributes are enforced every time; an
  //    existing migration role keeps its own (it may be a DBA's role).
  for (const [name, ident, password, enforce] of [
    [migrationRole, migration, options.migrationPassword, false],
    [runtimeRole, runtime, options.runtimePassword, true],
  ] as const) {
    const passwordClause = password ? ` PASSWORD ${literal(scramSha256Verifier(password))}` : "";
    if (!existing.has(name)) {
      statements.push(`CREATE ROLE ${ident} ${ROLE_ATTRIBUTES}${passwordClause};`);
      createdRoles.push(name);
      if (!password) notes.push(`Role ${name} has no password: set one (db:roles reads it from the environment) or use certificate authentication.`);
    } else if (enforce || password) {
      statements.push(`ALTER ROLE ${ident} ${enforce ? ROLE_ATTRIBUTES : "LOGIN"}${passwordClause};`);
    }
  }

  // Sessions that start in replica mode skip every trigger (check-runtime-role.ts).
  statements.push(
    `ALTER ROLE ${runtime} RESET session_replication_role;`,
    `ALTER ROLE ${runtime} IN DATABASE ${quoteIdent(database)} RESET session_replication_role;`,
  );

  // 2. The runtime role is no member of any role owning the portal's objects.
  const memberships = await query(
    `SELECT g.rolname AS granted
     FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
     WHERE r.rolname = $1 AND (g.rolname = $2 OR EXISTS (
       SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $3 AND c.relowner = g.oid))
     ORDER BY 1`,
    [runtimeRole, migrationRole, PORTAL_SCHEMA],
  );
  for (const row of memberships) statements.push(`REVOKE ${quoteIdent(String(row.granted))} FROM ${runtime};`);

  // 3. The database and the schema.
  const db = quoteIdent(database);
  statements.push(
    `GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${db} TO ${migration};`,
    `REVOKE CREATE ON DATABASE ${db} FROM ${runtime};`,
    `GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${runtime};`,
    `ALTER SCHEMA ${schema} OWNER TO ${migration};`,
    // PostgreSQL < 15 lets every role create in public; the portal's functions must not be shadowed.
    `REVOKE CREATE ON SCHEMA ${schema} FROM PUBLIC, ${runtime};`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${runtime};`,
  );

  // 4. Everything in the schema belongs to the migration role (objects of extensions excepted).
  const objects = await query(
    `WITH ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
     SELECT kind, name FROM (
       SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                             WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind,
              format('%I.%I', n.nspname, c.relname) AS name, c.relowner AS owner, c.oid
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
         -- a sequence owned by a column moves with its table
         AND NOT (c.relkind = 'S' AND EXISTS (
           SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
       UNION ALL
       SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, format('%I.%I', n.nspname, t.typname), t.typowner, t.oid
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = $1 AND (t.typtype IN ('e', 'd', 'r')
         OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
       UNION ALL
       SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
              format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), p.proowner, p.oid
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = $1
     ) o
     WHERE o.owner IS DISTINCT FROM (SELECT oid FROM pg_roles WHERE rolname = $2) AND o.oid NOT IN (SELECT objid FROM ext)
     ORDER BY kind, name`,
    [PORTAL_SCHEMA, migrationRole],
  );
  for (const object of objects) statements.push(`ALTER ${String(object.kind)} ${String(object.name)} OWNER TO ${migration};`);
  // The telemetry partitions (migration 20261203070000_telemetry_partitions) belong to the migration role too: its
  // SECURITY DEFINER functions create, attach and drop them. The runtime role reaches their rows through the parent
  // only, and gets nothing on the schema.
  statements.push(
    `DO $partitions$ DECLARE item record; BEGIN
       IF to_regnamespace(${quoteLiteral(TELEMETRY_PARTITION_SCHEMA)}) IS NULL THEN RETURN; END IF;
       EXECUTE format('ALTER SCHEMA %I OWNER TO %I', ${quoteLiteral(TELEMETRY_PARTITION_SCHEMA)}, ${quoteLiteral(migrationRole)});
       EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC, %I', ${quoteLiteral(TELEMETRY_PARTITION_SCHEMA)}, ${quoteLiteral(options.runtimeRole)});
       FOR item IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = to_regnamespace(${quoteLiteral(TELEMETRY_PARTITION_SCHEMA)}) AND c.relkind IN ('r', 'p') LOOP
         EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', ${quoteLiteral(TELEMETRY_PARTITION_SCHEMA)}, item.relname, ${quoteLiteral(migrationRole)});
       END LOOP;
     END $partitions$;`,
  );

  // 5. The runtime role's table privileges: exactly the policy, whatever was granted before.
  const tables = await query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1`,
    [PORTAL_SCHEMA],
  );
  statements.push(
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM PUBLIC, ${runtime};`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM PUBLIC, ${runtime};`,
  );
  const unlisted: string[] = [];
  for (const { name } of tables) {
    const table = `${schema}.${quoteIdent(String(name))}`;
    const grant = RUNTIME_TABLE_GRANTS[String(name)];
    if (!grant) unlisted.push(String(name));
    const privileges = (grant?.privileges ?? DEFAULT_TABLE_PRIVILEGES).filter((privilege) => !(privilege === "UPDATE" && grant?.updateColumns));
    if (privileges.length > 0) statements.push(`GRANT ${privileges.join(", ")} ON ${table} TO ${runtime};`);
    if (grant?.updateColumns) statements.push(`GRANT UPDATE (${grant.updateColumns.map(quoteIdent).join(", ")}) ON ${table} TO ${runtime};`);
  }
  if (unlisted.length > 0) {
    notes.push(
      `${listOf(unlisted.map((name) => `Table ${name}`))} ${unlisted.length > 1 ? "are" : "is"} not in server/db/runtime-privileges.ts: ${runtimeRole} was granted ${DEFAULT_TABLE_PRIVILEGES.join(", ")}.`,
    );
  }
  statements.push(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${runtime};`);

  // 6. Tables and sequences later migrations create (as the migration role) are usable at once.
  statements.push(
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${migration} IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${runtime};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${migration} IN SCHEMA ${schema} GRANT ${DEFAULT_TABLE_PRIVILEGES.join(", ")} ON TABLES TO ${runtime};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${migration} IN SCHEMA ${schema} REVOKE ALL ON SEQUENCES FROM ${runtime};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${migration} IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${runtime};`,
  );

  // 7. The job queue's schema belongs to the runtime role (pg-boss creates a table per queue at run time).
  const queue = quoteIdent(JOB_QUEUE_SCHEMA);
  statements.push(
    `CREATE SCHEMA IF NOT EXISTS ${queue} AUTHORIZATION ${runtime};`,
    `ALTER SCHEMA ${queue} OWNER TO ${runtime};`,
    `DO $queue$ DECLARE item record; BEGIN
       FOR item IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = ${quoteLiteral(JOB_QUEUE_SCHEMA)} AND c.relkind IN ('r', 'p', 'S', 'v') AND NOT c.relispartition LOOP
         EXECUTE format(CASE item.relkind WHEN 'S' THEN 'ALTER SEQUENCE %I.%I OWNER TO %I' WHEN 'v' THEN 'ALTER VIEW %I.%I OWNER TO %I' ELSE 'ALTER TABLE %I.%I OWNER TO %I' END,
                        ${quoteLiteral(JOB_QUEUE_SCHEMA)}, item.relname, ${quoteLiteral(options.runtimeRole)});
       END LOOP;
       FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ${quoteLiteral(JOB_QUEUE_SCHEMA)} LOOP
         EXECUTE format('ALTER ROUTINE %s OWNER TO %I', item.signature, ${quoteLiteral(options.runtimeRole)});
       END LOOP;
     END $queue$;`,
  );

  return { database, migrated, statements, notes, createdRoles, transferredObjects: objects.length };
}

/**
 * pg-boss installs its tables with `CREATE SCHEMA IF NOT EXISTS`, which needs
 * CREATE on the database even when the schema exists, and it must own its
 * tables (it adds one per queue at run time). So its tables are created here,
 * as the runtime role, with CREATE on the database granted for that moment
 * only. Once installed, start-up finds them and creates nothing.
 */
export function jobQueueInstallStatements(database: string, runtimeRole: string): string[] {
  const runtime = quoteIdent(runtimeRole);
  const db = quoteIdent(database);
  return [
    `GRANT CREATE ON DATABASE ${db} TO ${runtime};`,
    `SET ROLE ${runtime};`,
    PgBoss.getConstructionPlans(JOB_QUEUE_SCHEMA),
    "RESET ROLE;",
    `REVOKE CREATE ON DATABASE ${db} FROM ${runtime};`,
  ];
}

async function installJobQueueSchema(client: pg.Client, database: string, runtimeRole: string): Promise<void> {
  const [state] = (await client.query<{ installed: boolean }>(`SELECT to_regclass(${quoteLiteral(`${JOB_QUEUE_SCHEMA}.version`)}) IS NOT NULL AS installed`)).rows;
  if (state?.installed) return;
  const [grant, setRole, plans, resetRole, revoke] = jobQueueInstallStatements(database, runtimeRole) as [string, string, string, string, string];
  await client.query(grant);
  try {
    await client.query(setRole);
    await client.query(plans);
  } finally {
    await client.query("ROLLBACK").catch(() => {});
    await client.query(resetRole);
    await client.query(revoke);
  }
}

export type DatabaseRolesResult = { plan: DatabaseRolesPlan; report: RuntimeRoleReport };

/**
 * Plans and runs the statements in one transaction, then checks the runtime
 * role from the inside (SET ROLE) before committing: anything still wrong
 * (say, a membership in pg_write_all_data) rolls everything back and throws a
 * DatabaseRolesRefusal naming it.
 */
export async function applyDatabaseRoles(client: pg.Client, options: DatabaseRolesOptions): Promise<DatabaseRolesResult> {
  const query: Query = async (sql, params) => (await client.query(sql, params)).rows;
  await client.query("BEGIN");
  try {
    const plan = await planDatabaseRoles(query, options);
    for (const statement of plan.statements) await client.query(statement);
    await client.query(`SET LOCAL ROLE ${quoteIdent(options.runtimeRole)}`);
    const report = await checkRuntimeRole(query);
    await client.query("RESET ROLE");
    if (plan.migrated && describeRuntimeRoleRefusal(report)) {
      throw new DatabaseRolesRefusal(
        `Nothing was changed: even after these grants the role ${options.runtimeRole} ${listOf(report.problems)}; remove that (e.g. REVOKE the membership) and run npm run db:roles again.`,
      );
    }
    await client.query("COMMIT");
    await installJobQueueSchema(client, plan.database, options.runtimeRole);
    return { plan, report };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
