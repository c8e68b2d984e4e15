// GET /api/v1/events/facets?field=… — the top values of one facetable field with their counts, for the filters given, audited.
import type { NextRequest } from "next/server";
import { listEventFacets } from "@/server/data/list-event-facets";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  return respond(async () => listEventFacets(request.nextUrl.searchParams));
}
