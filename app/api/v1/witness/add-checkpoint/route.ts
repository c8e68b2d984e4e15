// POST /api/v1/witness/add-checkpoint — C2SP tlog-witness: verify another portal's audit checkpoint and cosign it (bearer token).
import { handleAddCheckpoint } from "@/server/audit/witness/witness-endpoint";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleAddCheckpoint(request);
}
