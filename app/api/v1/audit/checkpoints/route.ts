// GET /api/v1/audit/checkpoints — the newest signed checkpoint, its external copies and the log's public key (auditors).
import { getAuditCheckpoints } from "@/server/data/audit/get-audit-checkpoints";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export function GET() {
  return respond(() => getAuditCheckpoints());
}
