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
import { z } from "zod";
import type { Database } from "../server/db/connect";
import { writeAuditEvent } from "../server/audit/write-audit-event";
import { grantInForce } from "../server/access/grant-in-force";
import { AUDITED_TRANSACTION } from "../server/access/transaction-budget";
import { Refusal, parseCommandLine, runScript } from "./cli";
import { countMachineEvents, erasureReasonSchema, eraseMachineEventsInTransaction, machineIdSchema, machineIdSha256, tombstoneDetails } from "../server/telemetry/erase-machine";

const USAGE = 'Usage: npm run telemetry:erase -- --machine-id <id> --reason "<why>" --actor-email <admin address> [--yes]';

const argsSchema = z.strictObject({
  "machine-id": z.string("is required").pipe(machineIdSchema),
  reason: z.string("is required").pipe(erasureReasonSchema),
  "actor-email": z.string("--actor-email is required").trim().toLowerCase().pipe(z.email("--actor-email must be an email address")),
  yes: z.boolean().default(false),
});

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

const args = parseCommandLine(process.argv.slice(2), {
  usage: USAGE,
  schema: argsSchema,
  options: { "machine-id": { type: "string" }, reason: { type: "string" }, "actor-email": { type: "string" }, yes: { type: "boolean" } },
  issueText: (issue) => `--${issue.path.join(".")}: ${issue.message}`,
});

runScript({
  connectAs: "runtime",
  failure: "The erasure failed",
  work: (database) => erase(database, args),
});
