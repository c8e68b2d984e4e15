// GET /api/v1/audit/verify — walk every audit hash chain now and report (auditors).
import { verifyAuditTrail } from "@/server/data/audit/verify-audit-trail";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export function GET() {
  return respond(() => verifyAuditTrail());
}
