// The part both ingestion endpoints share, once items are read and their keys
// known: rate limit per key, geolocate the sender once, normalize each item
// (refusing the ones that cannot be stored, by index), store the rest in one
// statement, and say what happened to every item.
import "server-only";
import type { ContentKey } from "@/server/crypto/content";
import { deterministicEventId } from "./event-id";
import type { GeoLocation, GeoLocator } from "./geo";
import { getMapping } from "./mapping";
import { type IngestMapping, type NormalizedEvent, type RawEvent, NormalizationError, normalizeEvent } from "./normalize";
import type { RateDecision, TokenBucketLimiter } from "./rate-limit";
import { type CopyWriter, type IngestDb, storeEvents } from "./store-events";
import { touchKeys } from "./ingestion-keys";

/** Everything the intake needs, passed in so tests and the benchmark can run it without Next.js. */
export type IngestDeps = {
  db: IngestDb;
  contentKeys: readonly ContentKey[];
  maxBodyBytes: number;
  limiter: TokenBucketLimiter;
  geo: GeoLocator;
  /** PostgreSQL: batches are written with COPY (store-events.ts); absent, with INSERT … ON CONFLICT */
  copy?: CopyWriter;
  now?: () => Date;
};

/** An item whose key is known and active, ready to normalize. */
export type KeyedItem = { index: number; keyId: string; raw: RawEvent; original: unknown };

/** An item refused, in Application Insights' error shape. */
export type ItemError = { index: number; statusCode: number; message: string };

export type BatchOutcome = {
  itemsReceived: number;
  itemsAccepted: number;
  errors: ItemError[];
  /** seconds, when some item may be retried later (429, 503) */
  retryAfterSeconds?: number;
};

/** Seconds a client should wait after the database failed. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const UNAVAILABLE = "The events could not be stored just now; retry later.";

let geoFailureLogged = false;

async function locate(geo: GeoLocator, clientIp: string | null): Promise<GeoLocation | null> {
  try {
    return await geo.locate(clientIp);
  } catch (error) {
    // Said once per process, and never with the address.
    if (!geoFailureLogged) {
      geoFailureLogged = true;
      console.error("Geolocation is unavailable (events are stored without a location):", error instanceof Error ? error.message : error);
    }
    return null;
  }
}

/**
 * Processes `items` (already authenticated) of a batch of `itemsReceived`
 * items, given the errors found so far. The client address is used for the
 * location lookup only.
 */
export async function processItems(
  deps: IngestDeps,
  input: { itemsReceived: number; items: KeyedItem[]; errors: ItemError[]; clientIp: string | null },
): Promise<BatchOutcome> {
  const errors = [...input.errors];
  let retryAfterSeconds: number | undefined;

  // Per-key rate limit: a key over its limit has all of its items refused with 429.
  const byKey = new Map<string, KeyedItem[]>();
  for (const item of input.items) {
    const group = byKey.get(item.keyId);
    if (group) group.push(item);
    else byKey.set(item.keyId, [item]);
  }
  const admitted: KeyedItem[] = [];
  for (const [keyId, items] of byKey) {
    let decision: RateDecision;
    try {
      decision = await deps.limiter.take(keyId, items.length);
    } catch (error) {
      // The buckets are in the database: when it fails, these items could not be stored either.
      console.error("Taking from the intake rate limit failed:", error instanceof Error ? error.message : error);
      retryAfterSeconds = Math.max(retryAfterSeconds ?? 0, UNAVAILABLE_RETRY_AFTER_SECONDS);
      for (const item of items) errors.push({ index: item.index, statusCode: 503, message: UNAVAILABLE });
      continue;
    }
    if (decision.allowed) {
      admitted.push(...items);
      continue;
    }
    retryAfterSeconds = Math.max(retryAfterSeconds ?? 0, decision.retryAfterSeconds);
    for (const item of items) {
      errors.push({ index: item.index, statusCode: 429, message: `Too many events for this ingestion key; retry after ${decision.retryAfterSeconds} s.` });
    }
  }

  const eventIndexes: number[] = [];
  let mapping: IngestMapping | null = null;
  let location: GeoLocation | null = null;
  if (admitted.length > 0) {
    try {
      [location, mapping] = await Promise.all([locate(deps.geo, input.clientIp), getMapping(deps.db)]);
    } catch (error) {
      console.error("Loading the event-name mapping failed:", error instanceof Error ? error.message : error);
      retryAfterSeconds = Math.max(retryAfterSeconds ?? 0, UNAVAILABLE_RETRY_AFTER_SECONDS);
      for (const item of admitted) errors.push({ index: item.index, statusCode: 503, message: UNAVAILABLE });
    }
  }

  let itemsAccepted = 0;
  if (mapping) {
    const known = mapping;
    const refused = new Set<number>();
    /** A failure that is not the sender's (a bug): it aborts the write and the request (500), as before the write began. */
    let unexpected: unknown = undefined;
    // Normalized lazily, as storeEvents writes: on PostgreSQL the COPY of earlier events runs meanwhile.
    const normalized = function* (): Generator<NormalizedEvent> {
      for (const item of admitted) {
        let event: NormalizedEvent;
        try {
          const id = deterministicEventId(item.keyId, item.original);
          event = normalizeEvent(item.raw, { id, sourceId: item.keyId, mapping: known, location });
        } catch (error) {
          if (!(error instanceof NormalizationError)) throw (unexpected = error);
          refused.add(item.index);
          errors.push({ index: item.index, statusCode: 400, message: error.message });
          continue;
        }
        eventIndexes.push(item.index);
        yield event;
      }
    };
    try {
      await storeEvents(deps.db, normalized(), deps.contentKeys, deps.copy);
      itemsAccepted = eventIndexes.length;
      if (itemsAccepted > 0) await touchKeys(deps.db, byKey.keys());
    } catch (error) {
      if (unexpected !== undefined && error === unexpected) throw error;
      console.error("Storing ingested events failed:", error instanceof Error ? error.message : error);
      retryAfterSeconds = Math.max(retryAfterSeconds ?? 0, UNAVAILABLE_RETRY_AFTER_SECONDS);
      // every admitted item not refused by normalization (including those not yet normalized when the write failed)
      for (const item of admitted) if (!refused.has(item.index)) errors.push({ index: item.index, statusCode: 503, message: UNAVAILABLE });
    }
  }

  errors.sort((a, b) => a.index - b.index);
  return { itemsReceived: input.itemsReceived, itemsAccepted, errors, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
}

/** 200 when every item was accepted; with none accepted, the one status all errors share; otherwise 206. */
export function batchStatus(outcome: BatchOutcome): number {
  if (outcome.itemsAccepted === outcome.itemsReceived) return 200;
  if (outcome.itemsAccepted === 0) {
    const statuses = new Set(outcome.errors.map((error) => error.statusCode));
    if (statuses.size === 1) return [...statuses][0]!;
  }
  return 206;
}
