// GET /api/v1/audit — search the audit trail (auditors): filters, sort, limit ≤ 500, opaque cursor.
import { searchAuditEvents } from "@/server/data/audit/search-audit-events";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return respond(() => searchAuditEvents(new URL(request.url).searchParams));
}
