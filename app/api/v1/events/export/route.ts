// GET /api/v1/events/export — the events matching the filters as a CSV attachment (permitted columns, capped), audited with row count and SHA-256.
import type { NextRequest } from "next/server";
import { csvExportResponse } from "@/server/csv/export-response";
import { exportEvents } from "@/server/data/export-events";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  try {
    return csvExportResponse(await exportEvents(request.nextUrl.searchParams));
  } catch (error) {
    return jsonError(error);
  }
}
