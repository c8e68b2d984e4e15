// The route parameter of /events/[id] and /api/v1/events/[id]/…: a UUID in
// canonical 8-4-4-4-12 form (lib/http/input-values.ts), or 400.
import "server-only";
import { z } from "zod";
import { uuidString } from "@/lib/http/input-values";

export const eventIdInputSchema = z.strictObject({ id: uuidString("must be an event id (a UUID)") });

/** The id, when it is well-formed (for audit details recorded before parsing). */
export function wellFormedEventId(input: unknown): string | undefined {
  const parsed = eventIdInputSchema.safeParse(input);
  return parsed.success ? parsed.data.id : undefined;
}
