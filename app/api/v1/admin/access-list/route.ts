import { exportAccessList } from "@/server/data/admin/export-access-list";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

// GET /api/v1/admin/access-list — the access list as a CSV download (audited with its SHA-256).
export async function GET() {
  try {
    const file = await exportAccessList();
    return new Response(file.csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${file.filename}"`,
        "Cache-Control": "private, no-store, max-age=0",
        "X-Content-SHA256": file.sha256,
      },
    });
  } catch (error) {
    return jsonError(error);
  }
}
