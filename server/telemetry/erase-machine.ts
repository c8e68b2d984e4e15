// Erasure of one machine's telemetry (a data-subject request): every event of
// the machine, in every partition, goes — with its sealed content, which is a
// column of the row — through the database function telemetry_erase_machine
// (the runtime role cannot DELETE from telemetry_event itself). The caller's
// transaction then writes the tombstone audit row, so an erasure without its
// tombstone cannot commit.
//
// The tombstone (`telemetry.machine_erased`) records who, why (the reason, with
// any occurrence of the machine id masked), how many events and their time
// range, and the machine id only as its SHA-256 (target_type
// "machine_id_sha256"): not in clear. Its machine_ids column stays empty — that
// column lists machines whose events an access DISCLOSED, and the disclosure
// receipts search it. The earlier rows that disclosed the machine's events are
// untouched (the trail is append-only and hash-chained), so the machine's
// disclosure receipt still lists every earlier access and still verifies; an
// auditor finds the erasure by the hash of the machine id.
//
// No "server-only": the CLI (scripts/telemetry-erase.ts) uses it too.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { AuditEntry } from "@/server/audit/write-audit-event";
import type { Prisma } from "@/server/db/generated/client";

/** The machine id as the intake stored it (producer text; see lib/telemetry/metadata.ts), trimmed. */
export const machineIdSchema = z.string().trim().min(1, "Enter a machine id.").max(1_000, "A machine id is at most 1,000 characters.");
export const erasureReasonSchema = z.string().trim().min(10, "Give the reason (at least 10 characters), e.g. the data-subject request's reference.").max(1_000);

export type MachineEvents = { count: number; firstTime: Date | null; lastTime: Date | null };
export type MachineErasure = MachineEvents & { machineIdSha256: string };

export function machineIdSha256(machineId: string): string {
  return createHash("sha256").update(machineId, "utf8").digest("hex");
}

/** How many events the machine has, and their time range (through the partitioned table's per-partition machine index). */
export async function countMachineEvents(tx: Prisma.TransactionClient, machineId: string): Promise<MachineEvents> {
  const [row] = await tx.$queryRaw<Array<{ count: bigint; first_time: Date | null; last_time: Date | null }>>`
    SELECT count(*) AS count, min("time") AS first_time, max("time") AS last_time FROM telemetry_event WHERE machine_id = ${machineId}`;
  return { count: Number(row?.count ?? 0), firstTime: row?.first_time ?? null, lastTime: row?.last_time ?? null };
}

/** Deletes every event of the machine; the caller writes the tombstone (tombstoneDetails) in the same transaction. */
export async function eraseMachineEventsInTransaction(tx: Prisma.TransactionClient, machineId: string): Promise<MachineErasure> {
  // The function subtracts the very rows its DELETE removed from the rollups, in the same statement.
  const [row] = await tx.$queryRaw<Array<{ row_count: bigint; first_time: Date | null; last_time: Date | null }>>`
    SELECT row_count, first_time, last_time FROM telemetry_erase_machine(${machineId})`;
  return { machineIdSha256: machineIdSha256(machineId), count: Number(row?.row_count ?? 0), firstTime: row?.first_time ?? null, lastTime: row?.last_time ?? null };
}

/** The reason as recorded: the machine id, should the requester have pasted it, is masked. */
export function maskedReason(reason: string, machineId: string): string {
  return reason.split(machineId).join("[machine id]");
}

/** What the tombstone row carries besides who and when. */
export function tombstoneDetails(erasure: MachineErasure, reason: string, machineId: string) {
  return {
    targetType: "machine_id_sha256",
    targetId: erasure.machineIdSha256,
    reason: maskedReason(reason, machineId),
    rowCount: erasure.count,
    after: { machineIdSha256: erasure.machineIdSha256, erasedEvents: erasure.count, firstEventTime: erasure.firstTime, lastEventTime: erasure.lastTime },
  } satisfies Partial<AuditEntry>;
}
