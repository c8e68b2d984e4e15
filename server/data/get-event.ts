// Open one telemetry event: every field the person's scope grants for its
// kind, audited (events.view). An event that does not exist and one of a kind
// outside the person's grant get the same 404, so ids cannot be probed.
import "server-only";
import { permittedKinds } from "@/lib/access/policy";
import type { EventDetailDto } from "@/lib/telemetry/event-types";
import { audited } from "@/server/access/audited";
import { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { disclosedClasses, EVENT_ROW_COLUMNS, toEventDetailDto, type EventRow } from "@/server/telemetry/event-dto";
import { eventIdInputSchema, wellFormedEventId } from "@/server/telemetry/event-id";
import { kindCondition } from "@/server/telemetry/event-sql";

export const EVENT_NOT_FOUND = "No such event, or not one you may see.";

export async function getEvent(input: { id: unknown }): Promise<EventDetailDto> {
  const targetId = wellFormedEventId(input);
  return audited(
    { action: "events.view", permission: "telemetry.read", details: { targetType: "telemetry_event", ...(targetId ? { targetId } : {}) } },
    async ({ tx, actor }) => {
      const { id } = parseInput(eventIdInputSchema, input);
      const rows = await tx.$queryRaw<EventRow[]>(
        Prisma.sql`SELECT ${EVENT_ROW_COLUMNS} FROM telemetry_event WHERE id = ${id}::uuid AND ${kindCondition(permittedKinds(actor.scope))}`,
      );
      const row = rows[0];
      if (!row) throw new AppError("not_found", EVENT_NOT_FOUND);
      return {
        value: toEventDetailDto(row, actor.scope),
        audit: {
          eventIds: [row.id],
          machineIds: [row.machine_id],
          fieldClasses: disclosedClasses(actor.scope, row.kind),
          rowCount: 1,
        },
      };
    },
  );
}
