// /readyz's checks against real databases: a freshly migrated database is
// ready, and the audit-trail check asks exactly what the audit writer needs —
// INSERT on audit_event and UPDATE on the chain-head columns it moves. A
// least-privilege runtime role (npm run db:roles) holds UPDATE on those
// columns only; has_table_privilege does not count column grants, so such a
// role was reported "auditTrail: failed" forever.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectDatabase, type Database } from "@/server/db/connect";
import { seededTestTargets } from "@/test/test-databases";
import { checkReadiness } from "./readiness";

const state = vi.hoisted(() => ({ db: null as Database | null }));

vi.mock("@/server/db/client", () => ({
  getPrisma: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db.prisma;
  },
}));

const targets = seededTestTargets({ label: "ready", keys: [{ id: "itk1", key: Buffer.alloc(32, 3) }], events: 0 });

describe.each(targets)("readiness on $name", (target) => {
  // one connection, so SET ROLE holds for every query checkReadiness makes
  let db: Database;
  const role = `tp_ready_${randomBytes(4).toString("hex")}`;
  const run = (sql: string) => db.prisma.$executeRawUnsafe(sql);

  beforeAll(async () => {
    const seeded = await target.open();
    if (target.databaseUrl) {
      await seeded.close();
      db = await connectDatabase({ databaseUrl: target.databaseUrl, pgliteDataDir: "(unused)", poolSize: 1 });
    } else db = seeded;
    state.db = db;
    await run(`CREATE ROLE ${role} NOLOGIN`);
    await run(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await run(`GRANT SELECT ON _prisma_migrations, audit_chain_head, audit_event TO ${role}`);
    await run(`GRANT INSERT ON audit_event TO ${role}`);
  });

  afterAll(async () => {
    state.db = null;
    if (db) {
      await run("RESET ROLE");
      await run(`DROP OWNED BY ${role}`);
      await run(`DROP ROLE ${role}`);
      await db.close();
    }
    await target.dispose();
  });

  it("is ready on a migrated database, as its owner", async () => {
    expect(await checkReadiness()).toEqual({ ready: true, checks: { instance: "ok", database: "ok", migrations: "ok", auditTrail: "ok" } });
  });

  it("counts a least-privilege role's column-level UPDATE on the chain heads, and only the columns the writer moves", async () => {
    await run(`GRANT UPDATE (seq, hash, updated_at) ON audit_chain_head TO ${role}`);
    await run(`SET ROLE ${role}`);
    try {
      expect(await checkReadiness()).toEqual({ ready: true, checks: { instance: "ok", database: "ok", migrations: "ok", auditTrail: "ok" } });
    } finally {
      await run("RESET ROLE");
    }
    await run(`REVOKE UPDATE (updated_at) ON audit_chain_head FROM ${role}`);
    await run(`SET ROLE ${role}`);
    try {
      expect(await checkReadiness()).toMatchObject({ ready: false, checks: { auditTrail: "failed" } });
    } finally {
      await run("RESET ROLE");
    }
  });

  it("is not ready for a role that may not append audit rows", async () => {
    await run(`GRANT UPDATE (seq, hash, updated_at) ON audit_chain_head TO ${role}`);
    await run(`REVOKE INSERT ON audit_event FROM ${role}`);
    await run(`SET ROLE ${role}`);
    try {
      expect(await checkReadiness()).toMatchObject({ ready: false, checks: { database: "ok", migrations: "ok", auditTrail: "failed" } });
    } finally {
      await run("RESET ROLE");
    }
  });
});
