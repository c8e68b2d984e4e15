// POST /api/v1/events/{id}/reveal — decrypt and return one event's content, if the caller's grant includes it; audited either way.
import { revealEventContent } from "@/server/data/reveal-event-content";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => revealEventContent({ id: (await params).id }));
}
