// GET /api/v1/me — who I am: groups, roles, telemetry scope, purpose, grant expiry.
import { getViewer } from "@/server/data/get-viewer";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export function GET() {
  return respond(() => getViewer({ audit: true }));
}
