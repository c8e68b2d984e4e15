// GET /api/v1/access/reviews/[id]/report?format=csv|json — an access review campaign's report (reviewers, auditors, admins; audited with row count and SHA-256).
import { csvExportResponse } from "@/server/csv/export-response";
import { EXPORT_HEADERS } from "@/server/csv/export-response";
import { exportReviewReportCsv, exportReviewReportJson } from "@/server/data/access/reviews/export-review-report";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    const format = new URL(request.url).searchParams.get("format") ?? undefined;
    if (format === "json") {
      const file = await exportReviewReportJson({ campaignId: id, format });
      return new Response(file.body, {
        status: 200,
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          "Content-Disposition": `attachment; filename="${file.filename}"`,
          "Content-Length": String(file.byteLength),
          "Cache-Control": "private, no-store, max-age=0",
          "X-Content-Type-Options": "nosniff",
          [EXPORT_HEADERS.rowCount]: String(file.rowCount),
          [EXPORT_HEADERS.sha256]: file.sha256,
        },
      });
    }
    return csvExportResponse(await exportReviewReportCsv({ campaignId: id, format }));
  } catch (error) {
    return jsonError(error);
  }
}
