// GET /metrics — Prometheus text format. For a scraper holding METRICS_TOKEN
// (Authorization: Bearer …), or connecting from loopback or a TRUSTED_PROXIES
// address; anyone else gets 403. No personal data or telemetry in any label.
import { timingSafeEqual } from "node:crypto";
import { headers } from "next/headers";
import { getEnv } from "@/server/config/env";
import { PEER_TRUSTED_HEADER_NAME } from "@/server/http/front-headers";
import { getMetrics } from "@/server/observability/metrics";

export const dynamic = "force-dynamic";

function hasToken(authorization: string | null, token: string | undefined): boolean {
  if (!token || !authorization?.startsWith("Bearer ")) return false;
  const given = Buffer.from(authorization.slice("Bearer ".length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function GET(): Promise<Response> {
  const incoming = await headers();
  const allowed = hasToken(incoming.get("authorization"), getEnv().METRICS_TOKEN) || incoming.get(PEER_TRUSTED_HEADER_NAME) === "1";
  if (!allowed) {
    return Response.json(
      { error: { code: "forbidden", message: "Metrics are for the operator's scraper: send Authorization: Bearer <METRICS_TOKEN>, or scrape from loopback or a trusted proxy." } },
      { status: 403, headers: { "Cache-Control": "no-store" } },
    );
  }
  const { registry } = getMetrics();
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" } });
}
