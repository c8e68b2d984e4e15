// POST /api/v1/telemetry — the portal's own telemetry batch format, for producers
// that are not VS Code extensions (server/ingest/handle-telemetry.ts, docs/INGESTION.md).
import { handleTelemetry } from "@/server/ingest/handle-telemetry";
import { getIngestDeps } from "@/server/ingest/ingest-deps";
import { ingestError } from "@/server/ingest/responses";

export async function POST(request: Request): Promise<Response> {
  let deps;
  try {
    deps = await getIngestDeps();
  } catch (error) {
    console.error("The telemetry intake is not configured:", error instanceof Error ? error.message : error);
    return ingestError(503, "unavailable", "The portal cannot accept telemetry just now.", { retryAfterSeconds: 30 });
  }
  return handleTelemetry(request, deps);
}
