// Erasure of one machine's telemetry, for admins (access.manage): first a
// preview (how many events, which time range; audited as
// telemetry.erasure_preview, counts only), then the erasure itself, which
// must name the count the admin saw (a machine that sent more meanwhile is
// previewed again) and a reason. The erasure and its tombstone audit row
// (telemetry.machine_erased, server/telemetry/erase-machine.ts) commit
// together or not at all.
import "server-only";
import { z } from "zod";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import {
  countMachineEvents,
  erasureReasonSchema,
  eraseMachineEventsInTransaction,
  machineIdSchema,
  machineIdSha256,
  tombstoneDetails,
} from "@/server/telemetry/erase-machine";

export type ErasureSettingsDto = { retentionDays: number | null; aheadMonths: number };

/** The erasure page's frame: admins only (audited admin.view), with the retention settings it explains. */
export async function getErasureSettings(): Promise<ErasureSettingsDto> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "telemetry_erasure" } }, async () => {
    const env = getEnv();
    return { value: { retentionDays: env.TELEMETRY_RETENTION_DAYS ?? null, aheadMonths: env.TELEMETRY_PARTITIONS_AHEAD_MONTHS } };
  });
}

export type ErasurePreviewDto = { machineIdSha256: string; count: number; firstTime: string | null; lastTime: string | null };
export type ErasureDoneDto = ErasurePreviewDto & { auditTargetId: string };

const previewInputSchema = z.strictObject({ machineId: machineIdSchema });
const eraseInputSchema = z.strictObject({
  machineId: machineIdSchema,
  reason: erasureReasonSchema,
  expectedCount: z.coerce.number("Preview the erasure first.").int().min(0),
});

const hashOf = (input: unknown) => {
  const parsed = previewInputSchema.safeParse(input && typeof input === "object" ? { machineId: (input as { machineId?: unknown }).machineId } : {});
  return parsed.success ? machineIdSha256(parsed.data.machineId) : undefined;
};

export async function previewMachineErasure(input: unknown): Promise<ErasurePreviewDto> {
  return audited(
    { action: "telemetry.erasure_preview", permission: "access.manage", details: { targetType: "machine_id_sha256", targetId: hashOf(input) } },
    async ({ tx }) => {
      const { machineId } = parseInput(previewInputSchema, input);
      const events = await countMachineEvents(tx, machineId);
      const hash = machineIdSha256(machineId);
      return {
        value: { machineIdSha256: hash, count: events.count, firstTime: events.firstTime?.toISOString() ?? null, lastTime: events.lastTime?.toISOString() ?? null },
        audit: { targetType: "machine_id_sha256", targetId: hash, rowCount: events.count },
      };
    },
  );
}

export async function eraseMachine(input: unknown): Promise<ErasureDoneDto> {
  return audited(
    { action: "telemetry.machine_erased", permission: "access.manage", details: { targetType: "machine_id_sha256", targetId: hashOf(input) } },
    async ({ tx }) => {
      const { machineId, reason, expectedCount } = parseInput(eraseInputSchema, input);
      const events = await countMachineEvents(tx, machineId);
      if (events.count === 0) throw new AppError("not_found", "This machine has no events to erase.");
      if (events.count !== expectedCount) {
        throw new AppError("conflict", `The machine now has ${events.count.toLocaleString("en-US")} events, not the ${expectedCount.toLocaleString("en-US")} you confirmed. Review the new count and confirm again.`);
      }
      const erasure = await eraseMachineEventsInTransaction(tx, machineId);
      return {
        value: {
          machineIdSha256: erasure.machineIdSha256,
          count: erasure.count,
          firstTime: erasure.firstTime?.toISOString() ?? null,
          lastTime: erasure.lastTime?.toISOString() ?? null,
          auditTargetId: erasure.machineIdSha256,
        },
        audit: tombstoneDetails(erasure, reason, machineId),
      };
    },
  );
}
