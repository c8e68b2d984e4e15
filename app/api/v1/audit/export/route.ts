// GET /api/v1/audit/export — the audit rows matching the filter as CSV (auditors; capped; itself audited with row count and SHA-256).
import { csvExportResponse } from "@/server/csv/export-response";
import { exportAuditEvents } from "@/server/data/audit/export-audit-events";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  try {
    return csvExportResponse(await exportAuditEvents(new URL(request.url).searchParams));
  } catch (error) {
    return jsonError(error);
  }
}
