// Readiness (GET /readyz) against real databases: ok on a migrated database
// (PGlite always, PostgreSQL when TEST_DATABASE_URL is set), and `failed` —
// with 503 and Retry-After — for an unreachable database, a database that
// lacks a migration, a stopping instance, and (PostgreSQL) roles that cannot
// append to the audit trail. Each role's readiness is checked against what
// actually happens when that role writes an audit row.
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as readyzRoute } from "@/app/readyz/route";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { connectDatabase, type Database } from "@/server/db/connect";
import { migrateDatabase } from "@/server/db/migrate";
import { seededTestTargets } from "@/test/test-databases";
import { setDraining } from "./lifecycle";
import { checkReadiness } from "./readiness";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 13).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { db: null as Database | null };
});

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

const KEYS = [{ id: "itk1", key: Buffer.alloc(32, 13) }];
const ALL_OK = { instance: "ok", database: "ok", migrations: "ok", auditTrail: "ok" };

async function readyz(): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const response = await readyzRoute();
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() };
}

afterEach(() => setDraining(false));

describe.each(seededTestTargets({ label: "ready", keys: KEYS }))("readiness on $name", (target) => {
  let db: Database;
  /** the schema's owner (PostgreSQL connects the portal as the least-privilege runtime role, which may not touch _prisma_migrations) */
  let owner: Database;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    owner = target.migrationUrl ? await connectDatabase({ databaseUrl: target.migrationUrl, pgliteDataDir: "(unused)", poolSize: 1 }) : db;
  });

  afterAll(async () => {
    state.db = null;
    if (owner && owner !== db) await owner.close();
    await db?.close();
    await target.dispose();
  });

  it("is ready on a migrated database, and says nothing but which checks passed", async () => {
    state.db = db;
    expect(await checkReadiness()).toEqual({ ready: true, checks: ALL_OK });
    const reply = await readyz();
    expect(reply).toEqual({ status: 200, retryAfter: null, body: { status: "ready", checks: ALL_OK } });
  });

  it("is not ready while the instance is stopping", async () => {
    state.db = db;
    setDraining(true);
    const reply = await readyz();
    expect(reply).toEqual({ status: 503, retryAfter: "5", body: { status: "not-ready", checks: { ...ALL_OK, instance: "failed" } } });
  });

  it("is not ready when a migration is missing or unfinished", async () => {
    state.db = db;
    const [last] = await owner.prisma.$queryRawUnsafe<Array<{ id: string; migration_name: string }>>(
      `SELECT id, migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`,
    );
    expect(last).toBeDefined();
    try {
      await owner.prisma.$executeRawUnsafe(`UPDATE _prisma_migrations SET finished_at = NULL WHERE id = $1`, last!.id);
      expect((await checkReadiness()).checks).toEqual({ ...ALL_OK, migrations: "failed" });
      await owner.prisma.$executeRawUnsafe(`UPDATE _prisma_migrations SET finished_at = now(), migration_name = migration_name || '_gone' WHERE id = $1`, last!.id);
      const reply = await readyz();
      expect(reply).toEqual({ status: 503, retryAfter: "5", body: { status: "not-ready", checks: { ...ALL_OK, migrations: "failed" } } });
    } finally {
      await owner.prisma.$executeRawUnsafe(`UPDATE _prisma_migrations SET finished_at = now(), migration_name = $2 WHERE id = $1`, last!.id, last!.migration_name);
    }
    expect((await checkReadiness()).ready).toBe(true);
  });
});

describe("readiness without a database", () => {
  it("is not ready, and says only that the database failed, when nothing answers", async () => {
    const unreachable = await connectDatabase({ databaseUrl: "postgresql://postgres@127.0.0.1:1/nowhere", pgliteDataDir: "(unused)", poolSize: 1 });
    state.db = unreachable;
    try {
      const reply = await readyz();
      expect(reply).toEqual({
        status: 503,
        retryAfter: "5",
        body: { status: "not-ready", checks: { instance: "ok", database: "failed", migrations: "skipped", auditTrail: "skipped" } },
      });
    } finally {
      state.db = null;
      await unreachable.close();
    }
  });
});

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)("readiness and the database role (PostgreSQL)", () => {
  const suffix = randomBytes(4).toString("hex");
  const name = `tp_ready_roles_it_${suffix}`;
  const urlOf = (user?: string) => {
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    if (user) {
      url.username = user;
      url.password = "";
    }
    return url.toString();
  };
  const roles: string[] = [];

  async function sql(text: string, url = urlOf()): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await sql(`CREATE DATABASE ${name}`, serverUrl!);
    await migrateDatabase({ env: { ...process.env, DATABASE_URL: urlOf(), DATABASE_MIGRATION_URL: "" }, log: () => undefined });
  });

  afterAll(async () => {
    await sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, serverUrl!);
    for (const role of roles) await sql(`DROP ROLE IF EXISTS ${role}`, serverUrl!);
  });

  /**
   * A login role holding what the portal's runtime role holds (the least
   * privilege: INSERT on audit_event, UPDATE of the head's moving columns
   * only), minus or plus what `change` says.
   */
  async function roleWith(label: string, change: string): Promise<string> {
    const role = `tp_ready_${label}_${suffix}`;
    roles.push(role);
    await sql(`CREATE ROLE ${role} LOGIN`);
    await sql(
      `GRANT USAGE ON SCHEMA public TO ${role};
       GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};
       GRANT INSERT ON audit_event TO ${role};
       GRANT UPDATE (seq, hash, updated_at) ON audit_chain_head TO ${role};
       GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role};
       ${change.replaceAll("$ROLE", role)}`,
    );
    return role;
  }

  /** Whether this role can really append an audit row (rolled back either way, so the chains stay as they are). */
  async function canAppend(database: Database): Promise<boolean> {
    try {
      await database.prisma.$transaction(async (tx) => {
        await writeAuditEvent(tx, { requestId: randomUUID(), actor: null, actorIp: null, actorUserAgent: null, action: "request.refused", outcome: "denied" });
        throw new Error("rollback");
      });
    } catch (error) {
      return error instanceof Error && error.message === "rollback";
    }
    return true;
  }

  it.each([
    ["ok for the least-privilege runtime role (column UPDATE on the chain head)", "least", "", "ok"],
    ["failed for a role without INSERT on audit_event", "noinsert", "REVOKE INSERT ON audit_event FROM $ROLE", "failed"],
    ["failed for a role without the audit_event id sequence", "noseq", "REVOKE USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public FROM $ROLE", "failed"],
    ["failed for a role that cannot move the chain head", "nohead", "REVOKE UPDATE (seq, hash, updated_at) ON audit_chain_head FROM $ROLE", "failed"],
    ["failed for a role that can update the head but not lock it (no SELECT)", "noselect", "REVOKE SELECT ON audit_chain_head FROM $ROLE", "failed"],
    ["failed for a role whose transactions are read-only", "readonly", "ALTER ROLE $ROLE SET default_transaction_read_only = on", "failed"],
  ])("audit trail %s, exactly when an audit row can be appended", async (_title, label, change, expected) => {
    const role = await roleWith(label, change);
    const database = await connectDatabase({ databaseUrl: urlOf(role), pgliteDataDir: "(unused)", poolSize: 2 });
    state.db = database;
    try {
      const readiness = await checkReadiness();
      expect(readiness.checks).toEqual({ ...ALL_OK, auditTrail: expected });
      expect(readiness.ready).toBe(expected === "ok");
      expect(await canAppend(database)).toBe(expected === "ok");
      const reply = await readyz();
      expect(reply.status).toBe(expected === "ok" ? 200 : 503);
    } finally {
      state.db = null;
      await database.close();
    }
  });

  it("reports migrations failed for a role that cannot read the migration history", async () => {
    const role = await roleWith("nomig", "REVOKE SELECT ON _prisma_migrations FROM $ROLE");
    const database = await connectDatabase({ databaseUrl: urlOf(role), pgliteDataDir: "(unused)", poolSize: 2 });
    state.db = database;
    try {
      expect((await checkReadiness()).checks).toEqual({ instance: "ok", database: "ok", migrations: "failed", auditTrail: "skipped" });
    } finally {
      state.db = null;
      await database.close();
    }
  });
});
