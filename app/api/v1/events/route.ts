// GET /api/v1/events — list telemetry events within the caller's grant (filters, sort, keyset cursor), audited.
import type { NextRequest } from "next/server";
import { listEvents } from "@/server/data/list-events";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  return respond(async () => {
    const { items, nextCursor, prevCursor, total } = await listEvents(request.nextUrl.searchParams);
    return { items, nextCursor, prevCursor, total };
  });
}
