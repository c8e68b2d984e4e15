// GET /api/v1/events/insights — the explorer's charts for the filters (volume, funnel, acceptance, latency, errors, redaction, persistence), audited.
import type { NextRequest } from "next/server";
import { getEventInsights } from "@/server/data/event-insights";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  return respond(async () => getEventInsights(request.nextUrl.searchParams));
}
