// npm run telemetry:erase -- --machine-id <id> --reason "<why>" --actor-email <admin's address> [--yes]
//
// Erases every event of one machine (a data-subject request), in every
// partition, content included, and writes the tombstone audit row
// (telemetry.machine_erased: the machine id's SHA-256, the count, the time
// range, who, why) in the same transaction — the same erasure as the admin
// page /admin/erasure (server/telemetry/erase-machine.ts). The actor must be
// an active person holding the admin role. Without --yes it only prints what
// would be erased (nothing is written). Uses the configured database
// (DATABASE_URL, or the embedded one — stop the portal first).
//
// Exit 0: erased (or previewed). Exit 1: refused (not an admin, nothing to
// erase). Exit 2: bad arguments, configuration or database error. One sentence.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError, parseEnv } from "../server/config/env";
import { ensureLocalSecrets } from "../server/config/local-secrets";
import { connectDatabase, type Database } from "../server/db/connect";
import { writeAuditEvent } from "../server/audit/write-audit-event";
import { grantInForce } from "../server/access/grant-in-force";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";
import { countMachineEvents, erasureReasonSchema, eraseMachineEventsInTransaction, machineIdSchema, machineIdSha256, tombstoneDetails } from "../server/telemetry/erase-machine";

const USAGE = 'Usage: npm run telemetry:erase -- --machine-id <id> --reason "<why>" --actor-email <admin address> [--yes]';

const argsSchema = z.strictObject({
  "machine-id": z.string("is required").pipe(machineIdSchema),
  reason: z.string("is required").pipe(erasureReasonSchema),
  "actor-email": z.string("--actor-email is required").trim().toLowerCase().pipe(z.email("--actor-email must be an email address")),
  yes: z.boolean().default(false),
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
      options: { "machine-id": { type: "string" }, reason: { type: "string" }, "actor-email": { type: "string" }, yes: { type: "boolean" }, help: { type: "boolean", short: "h" } },
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
  if (!parsed.success) usageError(`--${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

const when = (date: Date | null) => (date ? date.toISOString() : "—");

async function erase(database: Database, args: z.infer<typeof argsSchema>): Promise<string> {
  const machineId = args["machine-id"];
  const now = new Date();
  return database.prisma.$transaction(
    async (tx) => {
      const admin = await tx.person.findFirst({
        where: { email: args["actor-email"], status: "active", grants: { some: { role: "admin", ...grantInForce(now) } } },
        include: { grants: { where: grantInForce(now), select: { role: true, groupKey: true } } },
      });
      if (!admin) throw new Refusal(`Refused: ${args["actor-email"]} is not an active person holding the admin role.`);
      const events = await countMachineEvents(tx, machineId);
      if (events.count === 0) throw new Refusal(`Refused: machine ${machineIdSha256(machineId).slice(0, 12)}… (SHA-256) has no events.`);
      if (!args.yes) {
        return `Would erase ${events.count} events of machine sha256:${machineIdSha256(machineId)} from ${when(events.firstTime)} to ${when(events.lastTime)}; run again with --yes to erase them.`;
      }
      const erasure = await eraseMachineEventsInTransaction(tx, machineId);
      await writeAuditEvent(tx, {
        requestId: `cli:telemetry-erase:${randomUUID()}`,
        actor: {
          personId: admin.id,
          email: admin.email,
          employer: admin.employer,
          groups: [...new Set(admin.grants.flatMap((grant) => (grant.groupKey ? [grant.groupKey] : [])))],
          roles: [...new Set(admin.grants.flatMap((grant) => (grant.role ? [grant.role] : [])))],
        },
        actorIp: null,
        actorUserAgent: "telemetry-portal (npm run telemetry:erase)",
        action: "telemetry.machine_erased",
        outcome: "allowed",
        ...tombstoneDetails(erasure, args.reason, machineId),
      });
      return `Erased ${erasure.count} events of machine sha256:${erasure.machineIdSha256} (${when(erasure.firstTime)} to ${when(erasure.lastTime)}); the tombstone is in the audit trail (telemetry.machine_erased).`;
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
    console.log(await erase(database, args));
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

function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  const message = error instanceof Error ? (error.message.split("\n").findLast((line) => line.trim() !== "")?.trim() ?? error.name) : String(error);
  return `The erasure failed: ${message.replace(/\.$/, "")}.`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeFailure(error));
    process.exit(2);
  },
);
