// The HTTP side of this portal as a witness (./add-checkpoint.ts): bearer
// token first (401 for a missing or wrong one, and while the portal is no
// witness), then the C2SP tlog-witness answer — the cosignature line as
// text/plain, a 409 with the size it holds as text/x.tlog.size, or a JSON
// refusal naming the problem. A machine, not a person, calls it: like the
// telemetry intake it writes no audit row; what it witnessed is its record.
import "server-only";
import { timingSafeEqual, createHash } from "node:crypto";
import { getEnv } from "@/server/config/env";
import { getPrisma } from "@/server/db/client";
import type { PrismaClient } from "@/server/db/generated/client";
import { isDatabaseUnavailable } from "@/server/db/unavailable";
import { addWitnessCheckpoint } from "./add-checkpoint";
import { loadWitnessServerConfig, type WitnessServerConfig } from "./witness-config";

const PRIVATE = { "Cache-Control": "private, no-store" };
const MAX_BODY_BYTES = 32_768;

function refusal(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { ...PRIVATE, "Content-Type": "application/json", ...headers } });
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

let cached: WitnessServerConfig | undefined;

export async function handleAddCheckpoint(request: Request): Promise<Response> {
  let config: WitnessServerConfig;
  try {
    cached ??= loadWitnessServerConfig(getEnv());
    config = cached;
  } catch (error) {
    console.error("The witness is misconfigured:", error instanceof Error ? error.message : error);
    return refusal(503, "unavailable", "The witness is misconfigured; its operator has been told.", { "Retry-After": "60" });
  }
  return answerAddCheckpoint(request, { config, prisma: getPrisma });
}

/** The answer to one add-checkpoint request, given the witness's configuration and database. */
export async function answerAddCheckpoint(request: Request, deps: { config: WitnessServerConfig; prisma: () => Promise<PrismaClient> }): Promise<Response> {
  const { config } = deps;
  const presented = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!presented) return refusal(401, "unauthenticated", "A witness submission needs Authorization: Bearer <AUDIT_WITNESS_TOKEN of this witness>.", { "WWW-Authenticate": 'Bearer realm="audit-witness"' });
  if (!config.enabled) return refusal(401, "unauthenticated", config.reason, { "WWW-Authenticate": 'Bearer realm="audit-witness"' });
  if (!timingSafeEqual(digest(presented), digest(config.token))) {
    return refusal(401, "unauthenticated", "The bearer token is not this witness's token.", { "WWW-Authenticate": 'Bearer realm="audit-witness"' });
  }
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) return refusal(413, "too_large", `An add-checkpoint request is at most ${MAX_BODY_BYTES} bytes.`);
  let body: string;
  try {
    body = await request.text();
  } catch {
    return refusal(400, "invalid_input", "The request body could not be read as text.");
  }
  try {
    const answer = await addWitnessCheckpoint(await deps.prisma(), config, body);
    if (answer.status === 200) return new Response(answer.cosignature, { status: 200, headers: { ...PRIVATE, "Content-Type": "text/plain; charset=utf-8" } });
    if (answer.status === 409) return new Response(`${answer.latestSize}\n`, { status: 409, headers: { ...PRIVATE, "Content-Type": "text/x.tlog.size" } });
    const code = { 400: "invalid_input", 403: "forbidden", 404: "not_found", 422: "inconsistent" }[answer.status];
    return refusal(answer.status, code, answer.message);
  } catch (error) {
    if (isDatabaseUnavailable(error)) return refusal(503, "unavailable", "The witness's database is unavailable.", { "Retry-After": "5" });
    throw error;
  }
}
