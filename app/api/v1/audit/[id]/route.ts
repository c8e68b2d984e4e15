// GET /api/v1/audit/{id} — one audit row in full (auditors).
import { getAuditEvent } from "@/server/data/audit/get-audit-event";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return respond(() => getAuditEvent(id));
}
