// The rate limit's arithmetic, and what the intake answers when the buckets'
// database fails. The buckets themselves live in the database:
// rate-limit.integration.test.ts runs them on PGlite and PostgreSQL.
import { describe, expect, it, vi } from "vitest";
import { NO_GEOLOCATION } from "./geo";
import { processItems, UNAVAILABLE_RETRY_AFTER_SECONDS, type IngestDeps, type KeyedItem } from "./process-items";
import { retryAfterSeconds, TokenBucketLimiter, type RateLimitDb } from "./rate-limit";

describe("retryAfterSeconds", () => {
  const limits = { ratePerSecond: 10, burst: 20 };
  it("is the time the refill takes to cover the batch, or the whole bucket for a larger one, and at least 1 s", () => {
    expect(retryAfterSeconds(0, 5, limits)).toBe(1);
    expect(retryAfterSeconds(0, 50, limits)).toBe(2); // waits for a full bucket, not for 50 tokens
    expect(retryAfterSeconds(-30, 1, limits)).toBe(4);
    expect(retryAfterSeconds(4.99, 5, limits)).toBe(1);
  });
});

describe("the intake when the rate limit's database fails", () => {
  it("refuses the key's items with 503 and Retry-After, not 500 and not 429", async () => {
    const failing: RateLimitDb = {
      $queryRawUnsafe: () => Promise.reject(new Error("connection refused")),
      $executeRawUnsafe: () => Promise.reject(new Error("connection refused")),
    };
    const deps = { db: failing, contentKeys: [], maxBodyBytes: 1024, limiter: new TokenBucketLimiter(failing, { ratePerSecond: 10, burst: 20 }), geo: NO_GEOLOCATION } as IngestDeps;
    const items: KeyedItem[] = [0, 1].map((index) => ({ index, keyId: "7d4f0a52-9d1e-4c55-9b7e-0d2c7b8f1a10", raw: { name: "x", time: new Date(), properties: {}, measurements: {} } as KeyedItem["raw"], original: {} }));
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const outcome = await processItems(deps, { itemsReceived: 2, items, errors: [], clientIp: null });
      expect(outcome).toEqual({
        itemsReceived: 2,
        itemsAccepted: 0,
        errors: [0, 1].map((index) => ({ index, statusCode: 503, message: expect.stringContaining("retry later") })),
        retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      });
    } finally {
      quiet.mockRestore();
    }
  });
});
