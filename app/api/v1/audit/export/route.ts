// GET /api/v1/audit/export — the audit rows matching the filter as CSV (auditors; itself audited).
import { exportAuditEvents } from "@/server/data/audit/export-audit-events";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  try {
    const exported = await exportAuditEvents(new URL(request.url).searchParams);
    return new Response(exported.body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${exported.filename}"`,
        "Cache-Control": "private, no-store, max-age=0",
        "X-Row-Count": String(exported.rowCount),
        "X-Content-SHA256": exported.sha256,
        ...(exported.truncated ? { "X-Export-Truncated": `capped at ${exported.maxRows} rows` } : {}),
      },
    });
  } catch (error) {
    return jsonError(error);
  }
}
