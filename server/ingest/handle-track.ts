// POST /v2/track: the Application Insights ingestion protocol, as
// @vscode/extension-telemetry speaks it. Body: a JSON array of envelopes,
// newline-delimited JSON, or one envelope; optionally gzip-compressed. Each
// envelope authenticates itself with its `iKey` (an ingestion key). The reply
// is always Application Insights' own:
//
//   {"itemsReceived":n,"itemsAccepted":m,"errors":[{"index":i,"statusCode":400,"message":"…"}]}
//
// 200 all accepted, 206 some, otherwise the status every refusal shares (400
// malformed or unknown/revoked key, 429 rate limited, 503 database
// unavailable), 413 for a body over the limit. SDKs drop items refused with
// 400 and retry 429/503 ones (with Retry-After), so a refusal is never silent
// and a retry never doubles an event (deterministic ids).
import "server-only";
import { CLIENT_IP_HEADER_NAME } from "@/server/http/front-headers";
import { readEnvelope } from "./app-insights";
import { findActiveKeys } from "./ingestion-keys";
import { parseItems } from "./parse-items";
import { type BatchOutcome, type IngestDeps, type ItemError, type KeyedItem, UNAVAILABLE_RETRY_AFTER_SECONDS, batchStatus, processItems } from "./process-items";
import { readBody } from "./read-body";
import { countIntake, ingestHeaders } from "./responses";

const INVALID_KEY = "Invalid instrumentation key: it is not an ingestion key of this portal, or it was revoked.";

function reply(outcome: BatchOutcome, status = batchStatus(outcome)): Response {
  countIntake("/v2/track", outcome.itemsReceived, outcome.itemsAccepted);
  const body = { itemsReceived: outcome.itemsReceived, itemsAccepted: outcome.itemsAccepted, errors: outcome.errors };
  return Response.json(body, { status, headers: ingestHeaders(outcome.retryAfterSeconds) });
}

/** A refusal of the whole request, in the same shape (no item was accepted). */
function refuse(status: number, message: string, retryAfterSeconds?: number): Response {
  return reply({ itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: status, message }], ...(retryAfterSeconds ? { retryAfterSeconds } : {}) }, status);
}

export async function handleTrack(request: Request, deps: IngestDeps): Promise<Response> {
  try {
    return await track(request, deps);
  } catch (error) {
    console.error("Unhandled error in /v2/track:", error instanceof Error ? error.message : error);
    return refuse(500, "Something went wrong on our side; retry later.", UNAVAILABLE_RETRY_AFTER_SECONDS);
  }
}

async function track(request: Request, deps: IngestDeps): Promise<Response> {
  const now = deps.now?.() ?? new Date();
  const body = await readBody(request, deps.maxBodyBytes);
  if (!body.ok) return refuse(body.status, body.message);
  const parsed = parseItems(body.body);
  if (!parsed.ok) return refuse(400, parsed.message);

  const errors: ItemError[] = [];
  const candidates: Array<{ index: number; iKey: string; item: KeyedItem["raw"]; original: unknown }> = [];
  for (const item of parsed.items) {
    if (!item.ok) {
      errors.push({ index: item.index, statusCode: 400, message: item.message });
      continue;
    }
    const envelope = readEnvelope(item.value, now);
    if (envelope.ok) candidates.push({ index: item.index, iKey: envelope.iKey, item: envelope.event, original: item.value });
    else errors.push({ index: item.index, statusCode: 400, message: envelope.message });
  }

  let keys;
  try {
    keys = await findActiveKeys(deps.db, new Set(candidates.map((candidate) => candidate.iKey)));
  } catch (error) {
    console.error("Looking up ingestion keys failed:", error instanceof Error ? error.message : error);
    return refuse(503, "The portal cannot accept telemetry just now; retry later.", UNAVAILABLE_RETRY_AFTER_SECONDS);
  }

  const items: KeyedItem[] = [];
  for (const candidate of candidates) {
    const key = keys.get(candidate.iKey);
    if (key) items.push({ index: candidate.index, keyId: key.id, raw: candidate.item, original: candidate.original });
    else errors.push({ index: candidate.index, statusCode: 400, message: INVALID_KEY });
  }

  const outcome = await processItems(deps, {
    itemsReceived: parsed.items.length,
    items,
    errors,
    clientIp: request.headers.get(CLIENT_IP_HEADER_NAME),
  });
  return reply(outcome);
}
