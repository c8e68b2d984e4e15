// GET /api/v1/events/export — the events matching the filters as a CSV attachment (permitted columns, capped), audited with row count and SHA-256.
import type { NextRequest } from "next/server";
import { exportEvents } from "@/server/data/export-events";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  try {
    const file = await exportEvents(request.nextUrl.searchParams);
    return new Response(file.body, {
      status: 200,
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${file.filename}"`,
        "Content-Length": String(file.byteLength),
        "Cache-Control": "private, no-store, max-age=0",
        "X-Content-Type-Options": "nosniff",
        "X-Export-Row-Count": String(file.rowCount),
        "X-Export-Max-Rows": String(file.maxRows),
        "X-Export-Truncated": String(file.truncated),
        "X-Export-SHA256": file.sha256,
      },
    });
  } catch (error) {
    return jsonError(error);
  }
}
