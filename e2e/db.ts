// Test-only access to the database the portal under test uses, for what no
// page or endpoint offers: reading the audit rows a request left behind, and
// changing the access list or a session underneath a signed-in browser
// (revoking a grant, ageing a session). It needs PostgreSQL: the embedded
// PGlite allows one process per data directory, and the portal holds it.
// scripts/test.ts always runs the browser tests on a fresh PostgreSQL database.
import pg from "pg";

let pool: pg.Pool | undefined;

function getPool(): pg.Pool {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "The browser tests read audit rows and change grants through the portal's database, which must be PostgreSQL: run them with `npx tsx scripts/test.ts e2e` (or set DATABASE_URL to the database the portal under test uses).",
    );
  }
  pool ??= new pg.Pool({ connectionString: url, max: 2 });
  return pool;
}

export async function sql<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<Row[]> {
  const result = await getPool().query<Row>(text, params);
  return result.rows;
}

export async function closeDatabase(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

export type AuditRow = {
  action: string;
  outcome: "allowed" | "denied" | "error";
  reason: string | null;
  purpose: string | null;
  purpose_detail: string | null;
  actor_email: string | null;
  actor_person_id: string | null;
  actor_roles: string[];
  actor_groups: string[];
  target_id: string | null;
  actor_ip: string | null;
};

/**
 * The audit rows written for requests that carried this User-Agent, oldest
 * first. Each test gives its browser and API calls a User-Agent of their own
 * (see fixtures.ts), which the portal records on every row.
 */
export async function auditRowsFor(userAgent: string): Promise<AuditRow[]> {
  return sql<AuditRow>(
    `SELECT action, outcome::text AS outcome, reason, purpose::text AS purpose, purpose_detail, actor_email, actor_person_id::text AS actor_person_id,
            actor_roles, actor_groups, target_id, actor_ip
       FROM audit_event WHERE actor_user_agent = $1 ORDER BY occurred_at, id`,
    [userAgent],
  );
}

/**
 * Revokes every grant in force for the person with this e-mail (grants are
 * access-list rows, not audit rows, so a test may change them) and returns a
 * function that restores exactly those grants.
 */
export async function revokeGrantsOf(email: string, reason = "revoked by an end-to-end test"): Promise<() => Promise<void>> {
  const rows = await sql<{ id: string }>(
    `UPDATE "grant" SET revoked_at = now(), revoke_reason = $2
      WHERE person_id = (SELECT id FROM person WHERE email = $1) AND revoked_at IS NULL AND expires_at > now()
      RETURNING id::text AS id`,
    [email, reason],
  );
  if (rows.length === 0) throw new Error(`${email} has no grant in force to revoke`);
  const ids = rows.map((row) => row.id);
  return async () => {
    await sql(`UPDATE "grant" SET revoked_at = NULL, revoke_reason = NULL WHERE id = ANY($1::uuid[])`, [ids]);
  };
}

export type SessionRow = { session_token: string; expires: Date; created_at: Date; purpose: string | null; purpose_detail: string | null };

export async function findSession(sessionToken: string): Promise<SessionRow | undefined> {
  const rows = await sql<SessionRow>(
    `SELECT session_token, expires, created_at, purpose::text AS purpose, purpose_detail FROM auth_session WHERE session_token = $1`,
    [sessionToken],
  );
  return rows[0];
}

export type GroupScope = { key: string; event_kinds: string[]; field_classes: string[] };

/**
 * The groups' scopes now, and a function that puts them back (the fuzz stage
 * calls the admin's scope form with values that may be valid; the scopes are
 * access-list data, not audit rows, so a test may restore them).
 */
export async function snapshotGroupScopes(): Promise<() => Promise<void>> {
  const groups = await sql<GroupScope>(`SELECT key::text AS key, event_kinds::text[] AS event_kinds, field_classes::text[] AS field_classes FROM access_group`);
  return async () => {
    for (const group of groups) {
      await sql(`UPDATE access_group SET event_kinds = $2::event_kind[], field_classes = $3::field_class[] WHERE key = $1::group_key`, [group.key, group.event_kinds, group.field_classes]);
    }
  };
}
