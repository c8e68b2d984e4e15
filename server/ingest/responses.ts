// Response headers and JSON errors of the ingestion endpoints. Replies are
// never cached and carry Retry-After whenever waiting would help (429, 503).
import "server-only";
import { getMetrics } from "@/server/observability/metrics";

export function ingestHeaders(retryAfterSeconds?: number): Record<string, string> {
  const headers: Record<string, string> = { "Cache-Control": "private, no-store, max-age=0" };
  if (retryAfterSeconds !== undefined) headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  return headers;
}

export type IngestErrorCode = "unauthenticated" | "invalid_input" | "payload_too_large" | "unsupported_encoding" | "rate_limited" | "unavailable" | "internal";

/** `{"error":{"code","message","issues"}}`, the shape every /api/v1 error has. */
export function ingestError(
  status: number,
  code: IngestErrorCode,
  message: string,
  options: { issues?: Array<{ path: string; message: string }>; retryAfterSeconds?: number } = {},
): Response {
  const headers = ingestHeaders(options.retryAfterSeconds);
  if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="telemetry-portal-ingestion"';
  return Response.json({ error: { code, message, issues: options.issues ?? [] } }, { status, headers });
}

/** Counts a batch's events in the intake metrics (no key, no content: endpoint and result only). */
export function countIntake(endpoint: "/v2/track" | "/api/v1/telemetry", received: number, accepted: number): void {
  const { intakeEvents } = getMetrics();
  if (accepted > 0) intakeEvents.inc({ endpoint, result: "accepted" }, accepted);
  if (received > accepted) intakeEvents.inc({ endpoint, result: "refused" }, received - accepted);
}
