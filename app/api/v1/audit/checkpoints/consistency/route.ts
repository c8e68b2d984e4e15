// GET /api/v1/audit/checkpoints/consistency?from=&to= — the consistency proof between two signed checkpoints, as a download (auditors).
import { getAuditConsistency } from "@/server/data/audit/get-audit-consistency";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  try {
    const bundle = await getAuditConsistency(new URL(request.url).searchParams);
    return new Response(`${JSON.stringify(bundle, null, 2)}\n`, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="audit-consistency-${bundle.oldSize}-${bundle.newSize}.json"`,
        "Cache-Control": "private, no-store",
      },
    });
  } catch (error) {
    return jsonError(error);
  }
}
