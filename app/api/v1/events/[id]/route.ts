// GET /api/v1/events/{id} — one event with every field the caller's grant shows (never content), audited.
import { getEvent } from "@/server/data/get-event";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => getEvent({ id: (await params).id }));
}
