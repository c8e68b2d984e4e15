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
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError, parseEnv } from "../server/config/env";
import { ensureLocalSecrets } from "../server/config/local-secrets";
import { connectDatabase, type Database } from "../server/db/connect";
import { writeAuditEvent } from "../server/audit/write-audit-event";
import { grantInForce } from "../server/access/grant-in-force";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";

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

class Refusal extends Error {}

function usageError(message: string): never {
  process.stderr.write(`${message.replace(/\.$/, "")}. ${USAGE}\n`);
  process.exit(2);
}

function parseCommandLine(argv: string[]): z.infer<typeof argsSchema> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { email: { type: "string" }, name: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError(error instanceof Error ? (error.message.split(/\.\s|\n/)[0] ?? "Invalid arguments") : "Invalid arguments");
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const { help: _help, ...rest } = values;
  const parsed = argsSchema.safeParse(rest);
  if (!parsed.success) usageError(parsed.error.issues[0]?.message ?? "Invalid arguments");
  return parsed.data;
}

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

async function main(): Promise<number> {
  const args = parseCommandLine(process.argv.slice(2));
  ensureLocalSecrets();
  const env = parseEnv();
  let database: Database | undefined;
  try {
    database = await connectDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.pgliteDataDir });
    console.log(await bootstrap(database, args, env.GRANT_MAX_DAYS));
    return 0;
  } catch (error) {
    if (error instanceof Refusal) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await database?.close();
  }
}

/** One sentence for the operator. Prisma puts the database's own words on its message's last line. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  const message = error instanceof Error ? (error.message.split("\n").findLast((line) => line.trim() !== "")?.trim() ?? error.name) : String(error);
  const missingTable = (error as { code?: unknown } | null)?.code === "P2021";
  return `Bootstrapping the first admin failed: ${message.replace(/\.$/, "")}${missingTable ? " (run npm run db:migrate first)" : ""}.`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeFailure(error));
    process.exit(2);
  },
);
