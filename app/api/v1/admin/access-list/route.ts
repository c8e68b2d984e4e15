// GET /api/v1/admin/access-list — the access list as a CSV download (admins; capped; audited with row count and SHA-256).
import { csvExportResponse } from "@/server/csv/export-response";
import { exportAccessList } from "@/server/data/admin/export-access-list";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return csvExportResponse(await exportAccessList());
  } catch (error) {
    return jsonError(error);
  }
}
