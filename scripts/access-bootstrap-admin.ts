// npm run access:bootstrap-admin -- --email <address> --name "<full name>"
//
// Creates the first admin on a database that has no active admin (a fresh
// production database, or one whose admins have all lapsed): a GitHub
// employee holding the admin role for GRANT_MAX_DAYS with the justification
// "Bootstrap administrator", recorded in the audit trail (admin.bootstrap,
// no actor, reason "bootstrap via command line"). From then on, admins manage
// access in the portal. Uses the configured database (DATABASE_URL, or the
// embedded one under DATA_DIR — stop the portal first: one process per
// embedded database).
//
// Exit 0: created. Exit 1: refused (an active admin exists, or the address
// belongs to someone who cannot be the first admin). Exit 2: bad arguments,
// configuration or database error. Always one sentence.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Database } from "../server/db/connect";
import { writeAuditEvent } from "../server/audit/write-audit-event";
import { grantInForce } from "../server/access/grant-in-force";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";
import { Refusal, parseCommandLine, runScript } from "./cli";

const USAGE = 'Usage: npm run access:bootstrap-admin -- --email <address> --name "<full name>"';
const DAY_MS = 86_400_000;
const BOOTSTRAP_JUSTIFICATION = "Bootstrap administrator";
/** The same lock the admin data layer takes for every change to the access list. */
const ACCESS_LIST_LOCK = 0x7e1e_0a11;

const argsSchema = z.strictObject({
  email: z
    .string("--email is required")
    .trim()
    .toLowerCase()
    .max(320, "--email must be at most 320 characters")
    .pipe(z.email("--email must be an email address")),
  name: z.string("--name is required").trim().min(1, "--name must not be empty").max(200, "--name must be at most 200 characters"),
});

async function bootstrap(database: Database, args: z.infer<typeof argsSchema>, grantMaxDays: number): Promise<string> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + grantMaxDays * DAY_MS);
  return database.prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(${ACCESS_LIST_LOCK}::bigint)) AS lock`;
      const admin = await tx.person.findFirst({
        where: { status: "active", grants: { some: { role: "admin", ...grantInForce(now) } } },
        select: { email: true },
      });
      if (admin) throw new Refusal(`Refused: an active admin already exists (${admin.email}); ask them to grant access in the portal.`);

      const existing = await tx.person.findUnique({ where: { email: args.email } });
      if (existing && (existing.employer !== "github" || existing.employmentType !== "employee")) {
        throw new Refusal(`Refused: ${args.email} is on the access list as a ${existing.employer} ${existing.employmentType}; the first admin must be a GitHub employee.`);
      }
      if (existing?.status === "disabled") {
        throw new Refusal(`Refused: ${args.email} is disabled on the access list; bootstrap another person, who can then re-enable them.`);
      }
      const person =
        existing ?? (await tx.person.create({ data: { email: args.email, name: args.name, employer: "github", employmentType: "employee" } }));
      const grant = await tx.grant.create({
        data: { personId: person.id, role: "admin", justification: BOOTSTRAP_JUSTIFICATION, grantedAt: now, grantedById: null, expiresAt },
      });
      await writeAuditEvent(tx, {
        requestId: `bootstrap-${randomUUID()}`,
        actor: null,
        actorIp: null,
        actorUserAgent: "access:bootstrap-admin",
        action: "admin.bootstrap",
        outcome: "allowed",
        reason: "bootstrap via command line",
        targetType: "person",
        targetId: person.id,
        before: existing ? { person: { id: existing.id, name: existing.name, email: existing.email, employer: existing.employer, employmentType: existing.employmentType, status: existing.status } } : null,
        after: {
          person: { id: person.id, name: person.name, email: person.email, employer: person.employer, employmentType: person.employmentType, status: person.status },
          grant: { id: grant.id, access: "role:admin", justification: grant.justification, expiresAt: grant.expiresAt, grantedById: null },
        },
      });
      return `${existing ? "Granted" : "Created"} the first admin: ${person.name} <${person.email}>, role admin until ${expiresAt.toISOString().slice(0, 10)} (${grantMaxDays} days). Sign in to the portal as ${person.email} to manage access.`;
    },
    AUDITED_TRANSACTION,
  );
}

const args = parseCommandLine(process.argv.slice(2), { usage: USAGE, schema: argsSchema, options: { email: { type: "string" }, name: { type: "string" } } });

runScript({
  connectAs: "runtime",
  failure: "Bootstrapping the first admin failed",
  // Prisma's "table does not exist"
  hint: (error) => ((error as { code?: unknown } | null)?.code === "P2021" ? " (run npm run db:migrate first)" : ""),
  work: (database, env) => bootstrap(database, args, env.GRANT_MAX_DAYS),
});
