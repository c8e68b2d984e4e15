// Whether the role the portal runs as could rewrite or hide audit rows. The
// append-only triggers stop the application and honest mistakes; they do not
// stop a role that may switch them off or around them:
// - a superuser (`SET session_replication_role = replica` skips triggers);
// - the owner of audit_event or audit_chain_head, of their trigger functions,
//   or of their schema, or a member of such an owner (`ALTER TABLE … DISABLE
//   TRIGGER`, `DROP TRIGGER`, `CREATE OR REPLACE FUNCTION`, `DROP SCHEMA …
//   CASCADE`);
// - a role holding UPDATE, DELETE, TRUNCATE or TRIGGER on audit_event, or
//   DELETE, TRUNCATE or TRIGGER on audit_chain_head;
// - a role allowed to set session_replication_role (PostgreSQL 15+ can grant
//   it), or whose sessions start with it set;
// - a role that may create objects in the schema: the trigger functions call
//   sha256() and convert_to() by name, which a look-alike function could
//   capture.
// `npm run db:roles` creates a runtime role with none of these, and start-up
// in production refuses any other (scripts/start.ts).
//
// No "server-only": scripts use it.
import pg from "pg";
import { SESSION_OPTIONS } from "./connect";
import { PORTAL_SCHEMA } from "./runtime-privileges";

/** Runs SQL as the role under test; returns the rows. */
export type Query = (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;

export type RuntimeRoleReport = {
  role: string;
  /** what is wrong, as phrases completing "the role …"; empty when the role is fit to run the portal */
  problems: string[];
  /** audit_event is missing or invisible to the role: nothing else could be judged */
  missingAuditTable: boolean;
};

const AUDIT_TABLES = ["audit_event", "audit_chain_head"] as const;

/** Privileges no role but the owner may hold, per audit table ("UPDATE" counts column grants too). */
const FORBIDDEN_PRIVILEGES: ReadonlyArray<readonly [table: string, privilege: string]> = [
  ["audit_event", "UPDATE"],
  ["audit_event", "DELETE"],
  ["audit_event", "TRUNCATE"],
  ["audit_event", "TRIGGER"],
  ["audit_chain_head", "DELETE"],
  ["audit_chain_head", "TRUNCATE"],
  ["audit_chain_head", "TRIGGER"],
];

/** Checks the current role (current_user) of the session `query` runs in. */
export async function checkRuntimeRole(query: Query): Promise<RuntimeRoleReport> {
  const [me] = await query(
    `SELECT current_user::text AS role, r.rolsuper AS superuser,
            current_setting('server_version_num')::int AS version,
            current_setting('session_replication_role') AS replication_role,
            to_regclass(format('%I.%I', $1::text, 'audit_event')) IS NOT NULL AS has_audit_table
     FROM pg_roles r WHERE r.rolname = current_user`,
    [PORTAL_SCHEMA],
  );
  if (!me) throw new Error("the current role is not in pg_roles");
  const role = String(me.role);
  const isSuperuser = me.superuser === true;
  const problems: string[] = [];
  if (isSuperuser) problems.push("is a superuser");
  if (me.has_audit_table !== true) return { role, problems, missingAuditTable: true };

  const qualified = AUDIT_TABLES.map((table) => `${quoteIdent(PORTAL_SCHEMA)}.${quoteIdent(table)}`);

  // Ownership, direct or through membership (a superuser counts as a member of every role: report what it owns).
  const owned = await query(
    `WITH guarded(what, owner) AS (
       SELECT 'table ' || c.relname, c.relowner FROM pg_class c WHERE c.oid = ANY($1::text[]::regclass[])
       UNION
       SELECT 'function ' || p.proname || '()', p.proowner
       FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
       WHERE t.tgrelid = ANY($1::text[]::regclass[]) AND NOT t.tgisinternal
       UNION
       SELECT 'schema ' || n.nspname, n.nspowner FROM pg_namespace n WHERE n.nspname = $2
     )
     SELECT what, pg_get_userbyid(owner) AS owner, owner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS is_owner
     FROM guarded WHERE pg_has_role(current_user, owner, 'MEMBER')
     ORDER BY what LIKE 'schema %', what LIKE 'function %', what DESC`,
    [qualified, PORTAL_SCHEMA],
  );
  const ownedDirectly = owned.filter((row) => row.is_owner === true).map((row) => String(row.what));
  if (ownedDirectly.length > 0) problems.push(`owns ${listOf(ownedDirectly)}`);
  if (!isSuperuser) {
    const byOwner = new Map<string, string[]>();
    for (const row of owned.filter((entry) => entry.is_owner !== true)) {
      byOwner.set(String(row.owner), [...(byOwner.get(String(row.owner)) ?? []), String(row.what)]);
    }
    for (const [owner, whats] of byOwner) problems.push(`is a member of role ${owner}, which owns ${listOf(whats)}`);
  }

  if (!isSuperuser) {
    const privileges = await query(
      `SELECT f.tbl, f.privilege
       FROM unnest($1::text[], $2::text[]) AS f(tbl, privilege)
       WHERE CASE WHEN f.privilege = 'UPDATE'
                  THEN has_any_column_privilege(current_user, format('%I.%I', $3::text, f.tbl), 'UPDATE')
                  ELSE has_table_privilege(current_user, format('%I.%I', $3::text, f.tbl), f.privilege) END`,
      [FORBIDDEN_PRIVILEGES.map(([table]) => table), FORBIDDEN_PRIVILEGES.map(([, privilege]) => privilege), PORTAL_SCHEMA],
    );
    // An owner (or its member) holds every privilege anyway: name the ownership only.
    const ownedByRole = new Set(owned.map((row) => String(row.what)));
    for (const table of AUDIT_TABLES.filter((name) => !ownedByRole.has(`table ${name}`))) {
      const held = privileges.filter((row) => row.tbl === table).map((row) => String(row.privilege));
      if (held.length > 0) problems.push(`may ${listOf(held)} ${table}`);
    }

    const [rights] = await query(
      `SELECT has_schema_privilege(current_user, $1::text, 'CREATE') AS can_create,
              CASE WHEN $2::int >= 150000
                   THEN has_parameter_privilege(current_user, 'session_replication_role', 'SET')
                   ELSE false END AS can_set_replication_role,
              CASE WHEN $2::int >= 140000
                   THEN pg_has_role(current_user, 'pg_write_all_data', 'MEMBER')
                   ELSE false END AS write_all_data`,
      [PORTAL_SCHEMA, me.version],
    );
    if (rights?.write_all_data === true) problems.push("is a member of pg_write_all_data");
    if (rights?.can_set_replication_role === true) problems.push("may set session_replication_role");
    if (rights?.can_create === true && !ownedByRole.has(`schema ${PORTAL_SCHEMA}`)) problems.push(`may create objects in schema ${PORTAL_SCHEMA}`);
  }

  // Triggers do not fire in a replica session; a default set by ALTER ROLE/DATABASE applies at every connection.
  const [defaults] = await query(
    `SELECT EXISTS (
       SELECT FROM pg_db_role_setting s, unnest(s.setconfig) AS c(setting)
       WHERE s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user))
         AND s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
         AND lower(c.setting) LIKE 'session_replication_role=%' AND lower(c.setting) <> 'session_replication_role=origin'
     ) AS replica_by_default`,
  );
  if (me.replication_role !== "origin" || defaults?.replica_by_default === true) {
    problems.push("runs with session_replication_role set to skip triggers");
  }
  return { role, problems, missingAuditTable: false };
}

/**
 * One sentence refusing to run as the role in `variable`, or null when the
 * role is fit: the role's name, what is wrong, and what to do.
 */
export function describeRuntimeRoleRefusal(report: RuntimeRoleReport, variable = "DATABASE_URL"): string | null {
  const who = `the database role "${report.role}" in ${variable}`;
  if (report.missingAuditTable && report.problems.length === 0) {
    return `Refusing to start: ${who} cannot see table ${PORTAL_SCHEMA}.audit_event; run npm run db:migrate, then npm run db:roles.`;
  }
  if (report.problems.length === 0) return null;
  return (
    `Refusing to start: ${who} ${listOf(report.problems)}, so it could rewrite or remove audit rows; ` +
    `run npm run db:roles to create a least-privilege runtime role and put it in ${variable} (README, "Production").`
  );
}

/** Connects as the portal would (DATABASE_URL), checks the role, and returns the refusal sentence or null. */
export async function describeUnsafeRuntimeRole(databaseUrl: string | undefined): Promise<string | null> {
  if (!databaseUrl) return null; // the embedded database: development only
  const client = new pg.Client({ connectionString: databaseUrl, options: SESSION_OPTIONS, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {}); // reported through the failing query
  await client.connect();
  try {
    const report = await checkRuntimeRole(async (sql, params) => (await client.query(sql, params)).rows);
    return describeRuntimeRoleRefusal(report);
  } finally {
    await client.end().catch(() => {});
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** "a", "a and b", "a, b and c" */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
