// Readiness for a load balancer: this instance may take traffic when it is not
// stopping, the database answers, every migration in prisma/migrations is
// applied, and the audit trail is writable (the role may append rows and move
// chain heads, every chain head exists, the database accepts writes). Says
// which check failed and nothing else.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { getEnv } from "@/server/config/env";
import { getPrisma } from "@/server/db/client";
import { isDraining } from "./lifecycle";

export type Readiness = { ready: boolean; checks: Record<"instance" | "database" | "migrations" | "auditTrail", "ok" | "failed" | "skipped"> };

function expectedMigrations(): string[] {
  const dir = path.join(/*turbopackIgnore: true*/ process.cwd(), "prisma", "migrations");
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

export async function checkReadiness(): Promise<Readiness> {
  const checks: Readiness["checks"] = { instance: isDraining() ? "failed" : "ok", database: "skipped", migrations: "skipped", auditTrail: "skipped" };
  try {
    const prisma = await getPrisma();
    await prisma.$queryRaw`SELECT 1`;
    checks.database = "ok";
    const applied = await prisma.$queryRaw<Array<{ migration_name: string }>>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const names = new Set(applied.map((row) => row.migration_name));
    const expected = expectedMigrations();
    checks.migrations = expected.length > 0 && expected.every((name) => names.has(name)) ? "ok" : "failed";
    const [audit] = await prisma.$queryRaw<Array<{ can_append: boolean; can_advance: boolean; heads: number; read_only: boolean }>>`
      SELECT has_table_privilege(current_user, 'audit_event', 'INSERT') AS can_append,
             -- the columns the audit writer moves (a least-privilege role holds UPDATE on these columns only,
             -- which has_table_privilege does not count)
             (has_column_privilege(current_user, 'audit_chain_head', 'seq', 'UPDATE')
              AND has_column_privilege(current_user, 'audit_chain_head', 'hash', 'UPDATE')
              AND has_column_privilege(current_user, 'audit_chain_head', 'updated_at', 'UPDATE')) AS can_advance,
             (SELECT count(*)::int FROM audit_chain_head) AS heads,
             (pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on') AS read_only`;
    checks.auditTrail = audit && audit.can_append && audit.can_advance && !audit.read_only && audit.heads >= getEnv().AUDIT_CHAINS ? "ok" : "failed";
  } catch {
    if (checks.database === "skipped") checks.database = "failed";
    else if (checks.migrations === "skipped") checks.migrations = "failed";
    else checks.auditTrail = "failed";
  }
  return { ready: Object.values(checks).every((check) => check === "ok"), checks };
}
