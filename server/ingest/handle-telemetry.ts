// POST /api/v1/telemetry: the portal's own batch format (native-batch.ts),
// authenticated by `Authorization: Bearer <ingestion key>`. Same
// normalization, deterministic ids, limits and per-item refusals as
// /v2/track; errors of the whole request are the /api/v1 JSON errors
// (`{"error":{"code","message","issues"}}`): 401 unknown or revoked key,
// 400 not the batch format (or nested deeper than 64 levels per event), 413 too large, 429 rate limited (Retry-After),
// 503 database unavailable (Retry-After). Otherwise the reply is
// `{"itemsReceived","itemsAccepted","errors":[{index,statusCode,message}]}`
// with 200 (all), 206 (some) or the status every refusal shares.
import "server-only";
import { CLIENT_IP_HEADER_NAME } from "@/server/http/front-headers";
import { findActiveKeys } from "./ingestion-keys";
import { MAX_ITEM_DEPTH, measureJsonNesting } from "./json-depth";
import { nativeBatchSchema, readNativeEvent } from "./native-batch";
import { type IngestDeps, type ItemError, type KeyedItem, UNAVAILABLE_RETRY_AFTER_SECONDS, batchStatus, processItems } from "./process-items";
import { readBody } from "./read-body";
import { countIntake, ingestError, ingestHeaders } from "./responses";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export async function handleTelemetry(request: Request, deps: IngestDeps): Promise<Response> {
  try {
    return await ingest(request, deps);
  } catch (error) {
    console.error("Unhandled error in /api/v1/telemetry:", error instanceof Error ? error.message : error);
    return ingestError(500, "internal", "Something went wrong on our side; retry later.", { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
  }
}

async function ingest(request: Request, deps: IngestDeps): Promise<Response> {
  const now = deps.now?.() ?? new Date();
  const presented = BEARER.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!presented) return ingestError(401, "unauthenticated", "Send the ingestion key as `Authorization: Bearer <key>`.");

  let keys;
  try {
    keys = await findActiveKeys(deps.db, [presented]);
  } catch (error) {
    console.error("Looking up ingestion keys failed:", error instanceof Error ? error.message : error);
    return ingestError(503, "unavailable", "The portal cannot accept telemetry just now; retry later.", { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
  }
  const key = keys.get(presented);
  if (!key) return ingestError(401, "unauthenticated", "The ingestion key is not known to this portal, or it was revoked.");

  const body = await readBody(request, deps.maxBodyBytes);
  if (!body.ok) {
    if (body.status === 413) return ingestError(413, "payload_too_large", body.message);
    if (body.status === 415) return ingestError(415, "unsupported_encoding", body.message);
    return ingestError(400, "invalid_input", body.message);
  }
  const text = body.body.toString("utf8");
  // {"events":[…]} is two levels around the events; each event may nest MAX_ITEM_DEPTH more. Measured before parsing.
  if (measureJsonNesting(text).depth > MAX_ITEM_DEPTH + 2) {
    const message = `The request body nests arrays or objects too deeply: at most ${MAX_ITEM_DEPTH} levels per event.`;
    return ingestError(400, "invalid_input", message, { issues: [{ path: "(body)", message }] });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return ingestError(400, "invalid_input", "The request body must be JSON.");
  }
  const batch = nativeBatchSchema.safeParse(json);
  if (!batch.success) {
    const issues = batch.error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(body)", message: issue.message }));
    return ingestError(400, "invalid_input", issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "), { issues });
  }

  const errors: ItemError[] = [];
  const items: KeyedItem[] = [];
  batch.data.events.forEach((item, index) => {
    const event = readNativeEvent(item, now);
    if (event.ok) items.push({ index, keyId: key.id, raw: event.event, original: item });
    else errors.push({ index, statusCode: 400, message: event.message });
  });

  const outcome = await processItems(deps, {
    itemsReceived: batch.data.events.length,
    items,
    errors,
    clientIp: request.headers.get(CLIENT_IP_HEADER_NAME),
  });
  const status = batchStatus(outcome);
  countIntake("/api/v1/telemetry", outcome.itemsReceived, outcome.itemsAccepted);
  if (status === 429) {
    return ingestError(429, "rate_limited", outcome.errors[0]?.message ?? "Too many events for this ingestion key.", { retryAfterSeconds: outcome.retryAfterSeconds });
  }
  if (status === 503) {
    return ingestError(503, "unavailable", "The events could not be stored just now; retry later.", { retryAfterSeconds: outcome.retryAfterSeconds });
  }
  const reply = { itemsReceived: outcome.itemsReceived, itemsAccepted: outcome.itemsAccepted, errors: outcome.errors };
  return Response.json(reply, { status, headers: ingestHeaders(outcome.retryAfterSeconds) });
}
