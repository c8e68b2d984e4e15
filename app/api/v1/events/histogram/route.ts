// GET /api/v1/events/histogram — events per time bucket, stacked by kind, for the filters given over their whole time range, audited.
import type { NextRequest } from "next/server";
import { getEventHistogram } from "@/server/data/event-histogram";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  return respond(async () => getEventHistogram(request.nextUrl.searchParams));
}
