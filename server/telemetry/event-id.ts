// The route parameter of /events/[id] and /api/v1/events/[id]/…: a UUID, or 400.
import "server-only";
import { z } from "zod";

export const eventIdInputSchema = z.strictObject({
  id: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be an event id (a UUID)")
    .transform((id) => id.toLowerCase()),
});

/** The id, when it is well-formed (for audit details recorded before parsing). */
export function wellFormedEventId(input: unknown): string | undefined {
  const parsed = eventIdInputSchema.safeParse(input);
  return parsed.success ? parsed.data.id : undefined;
}
