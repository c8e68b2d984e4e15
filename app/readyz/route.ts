// GET /readyz — readiness: 200 when this instance may take traffic (not
// stopping, database reachable, migrations applied, audit trail writable),
// else 503 with Retry-After. No session; discloses only which check failed.
import { checkReadiness } from "@/server/observability/readiness";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const readiness = await checkReadiness();
  return Response.json(
    { status: readiness.ready ? "ready" : "not-ready", checks: readiness.checks },
    { status: readiness.ready ? 200 : 503, headers: { "Cache-Control": "no-store", ...(readiness.ready ? {} : { "Retry-After": "5" }) } },
  );
}
