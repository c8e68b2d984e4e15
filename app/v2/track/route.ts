// POST /v2/track — Application Insights ingestion for @vscode/extension-telemetry
// and other Application Insights SDKs (server/ingest/handle-track.ts).
import { handleTrack } from "@/server/ingest/handle-track";
import { getIngestDeps } from "@/server/ingest/ingest-deps";

export async function POST(request: Request): Promise<Response> {
  let deps;
  try {
    deps = await getIngestDeps();
  } catch (error) {
    console.error("The telemetry intake is not configured:", error instanceof Error ? error.message : error);
    return Response.json(
      { itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 503, message: "The portal cannot accept telemetry just now." }] },
      { status: 503, headers: { "Cache-Control": "private, no-store, max-age=0", "Retry-After": "30" } },
    );
  }
  return handleTrack(request, deps);
}
