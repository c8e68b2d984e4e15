// GET /api/v1/audit/{id}/proof — the row's offline proof bundle, as a download (auditors).
import { getAuditProof } from "@/server/data/audit/get-audit-proof";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  try {
    const bundle = await getAuditProof(id);
    return new Response(`${JSON.stringify(bundle, null, 2)}\n`, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="audit-${bundle.auditEventId}-proof.json"`,
        "Cache-Control": "private, no-store",
      },
    });
  } catch (error) {
    return jsonError(error);
  }
}
